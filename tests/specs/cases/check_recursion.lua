-- expect: check: deep error spec.lua:5: stack overflow
-- Unbounded recursion inside a check: a Lua stack overflow is that check's error.
exercise { name = "threads", title = "T" }
check "fine" { title = "Fine", points = 5, run = function(t) t:run("zero"):assert_ok() end }
local function down(n) return down(n + 1) + 1 end
check "deep" { title = "Deep", points = 3, run = function(t) down(1) end }
