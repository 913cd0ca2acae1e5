-- expect: spec.lua:3: exercise: timeout must be between 0 and 600 seconds
-- A default timeout out of range.
exercise { name = "threads", title = "T", timeout = 100000 }
check "a" { title = "A", points = 1, run = function(t) end }
