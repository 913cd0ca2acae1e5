-- expect: spec.lua:3: exercise: helpers: 'ftpd' is not a helper (the grader has "httpd")
-- A helper the grader does not have.
exercise { name = "threads", title = "T", helpers = { "ftpd" } }
check "a" { title = "A", points = 5, run = function(t) t:run("zero"):assert_ok() end }
