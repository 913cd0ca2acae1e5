-- expect: spec.lua:7: check 'b' depends on 'resluts', which is not a check (did you mean 'results'?)
-- A dependency on a misspelled check.
exercise { name = "threads", title = "T" }
check "results" { title = "A", points = 1, run = function(t) end }
check "b" {
  title = "B", points = 1,
  depends = "resluts",
  run = function(t) end,
}
