-- expect: spec.lua:1: the spec must declare exercise { name = ..., title = ... }
-- No exercise{} at all.
check "a" { title = "A", points = 1, run = function(t) end }
