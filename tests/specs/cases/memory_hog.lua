-- expect: the spec used more than 64 MiB of memory
-- Many small allocations at load time.
exercise { name = "threads", title = "T" }
local t = {}
for i = 1, 100000000 do t[i] = { i, i } end
check "a" { title = "A", points = 1, run = function(t) end }
