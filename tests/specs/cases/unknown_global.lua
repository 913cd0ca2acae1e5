-- expect: spec.lua:4: unknown name 'chek' (did you mean 'check'?)
-- A typo in an API name.
exercise { name = "threads", title = "T" }
chek "a" { title = "A", points = 1, run = function(t) end }
