-- expect: spec.lua:4: unknown name 'io'
-- The standard library outside the allow-list is not there.
exercise { name = "threads", title = "T" }
local f = io.open("/etc/passwd")
check "a" { title = "A", points = 1, run = function(t) end }
