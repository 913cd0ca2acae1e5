-- expect: spec.lua:3: the spec declares no check
-- An exercise with nothing to grade.
exercise { name = "threads", title = "T" }
