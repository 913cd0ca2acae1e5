-- expect: spec.lua:4: checks depend on each other in a cycle: a -> b -> c -> a
-- Three checks in a dependency cycle.
exercise { name = "threads", title = "T" }
check "a" { title = "A", points = 1, depends = "b", run = function(t) end }
check "b" { title = "B", points = 1, depends = "c", run = function(t) end }
check "c" { title = "C", points = 1, depends = "a", run = function(t) end }
