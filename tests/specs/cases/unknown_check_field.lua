-- expect: spec.lua:8: check 'a': unknown field 'pionts' (did you mean 'points'?)
-- A typo in a field of a check.
exercise { name = "threads", title = "T" }

check "a" {
  title = "A",
  run = function(t) end,
  pionts = 3,
}
