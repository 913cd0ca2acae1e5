-- expect: spec.lua:4: stack overflow
-- Unbounded recursion while the spec loads.
exercise { name = "threads", title = "T" }
local function down(n) return down(n + 1) + 1 end
down(1)
check "a" { title = "A", points = 1, run = function(t) end }
