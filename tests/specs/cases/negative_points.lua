-- expect: spec.lua:6: check 'a': points must be between 0 and 1000
-- Negative points.
exercise { name = "threads", title = "T" }
check "a" {
  title = "A",
  points = -5,
  run = function(t) end,
}
