-- expect: spec.lua:3: exercise: field 'deadline' must be a number, not string
-- A grading deadline that is not a number.
exercise { name = "threads", title = "T", deadline = "2 minutes" }
check "a" { title = "A", points = 1, run = function(t) end }
