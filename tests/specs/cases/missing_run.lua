-- expect: spec.lua:4: check 'a': the field 'run' is required
-- A check without a body.
exercise { name = "threads", title = "T" }
check "a" { title = "A", points = 1 }
