-- expect: spec.lua:5: check 'a' is declared twice (first at line 4)
-- The same name twice.
exercise { name = "threads", title = "T" }
check "a" { title = "A", points = 1, run = function(t) end }
check "a" { title = "A again", points = 1, run = function(t) end }
