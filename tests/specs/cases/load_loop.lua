-- expect: spec.lua:5: the spec ran more than 20 million Lua instructions while loading: is there an endless loop?
-- An endless loop at load time.
exercise { name = "threads", title = "T" }
local n = 0
while true do n = n + 1 end
