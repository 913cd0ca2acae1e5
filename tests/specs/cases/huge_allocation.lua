-- expect: spec.lua:4: string.rep would build 1000000000 bytes (the limit is 16 MiB)
-- A huge allocation at load time.
exercise { name = "threads", title = "T" }
local big = string.rep("x", 1000000000)
check "a" { title = "A", points = 1, run = function(t) end }
