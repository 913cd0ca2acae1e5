-- expect: spec.lua:5: exercise: deadline (the whole grading's, in seconds) must be between 10 and 3600
-- A grading deadline out of range, on its own line.
exercise {
  name = "threads", title = "T",
  deadline = 5,
}
check "a" { title = "A", points = 1, run = function(t) end }
