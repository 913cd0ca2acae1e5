-- expect: spec.lua:4: checks depend on each other in a cycle: a -> a
-- A check that depends on itself.
exercise { name = "threads", title = "T" }
check "a" { title = "A", points = 1, depends = "a", run = function(t) end }
