-- expect: check: lines error spec.lua:8: a run result has no field 'line' (did you mean 'lines'?)
-- A typo in r:lines(), the output cut into lines.
exercise { name = "threads", title = "T" }
check "lines" {
  title = "Lines", points = 3,
  run = function(t)
    local r = t:run("zero")
    print(#r:line())
  end,
}
