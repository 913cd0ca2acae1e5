-- expect: check: odd error (an error object of type table)
-- error() with a table instead of a message: still that check's error.
exercise { name = "threads", title = "T" }
check "fine" { title = "Fine", points = 5, run = function(t) t:run("zero"):assert_ok() end }
check "odd" { title = "Odd", points = 3, run = function(t) error({ code = 1 }) end }
