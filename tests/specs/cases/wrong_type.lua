-- expect: spec.lua:6: check 'a': field 'points' must be a number, not string
-- points given as a string.
exercise { name = "threads", title = "T" }
check "a" {
  title = "A",
  points = "ten",
  run = function(t) end,
}
