-- expect: check: sanitizer error spec.lua:5: t:run: tool must be "native", "tsan", "helgrind" or "asan"
-- A tool the grader does not have.
exercise { name = "threads", title = "T" }
check "fine" { title = "Fine", points = 5, run = function(t) t:run("zero"):assert_ok() end }
check "sanitizer" { title = "S", points = 3, run = function(t) t:run("zero", { tool = "msan" }):assert_ok() end }
