-- expect: check: global error spec.lua:7: assignment to the global 'count' inside a check; declare it with 'local'
-- A global assigned inside a check.
exercise { name = "threads", title = "T" }
check "global" {
  title = "Global", points = 3,
  run = function(t)
    count = 1
  end,
}
