-- expect: spec.lua:3: exercise: name 'thread' is not the name of its folder, 'threads'
-- exercise{} names another exercise than its folder: the submission's file would be thread.c.
exercise { name = "thread", title = "T" }
check "a" { title = "A", points = 1, run = function(t) end }
