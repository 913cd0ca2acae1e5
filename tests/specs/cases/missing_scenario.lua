-- expect: check: noscenario error spec.lua:7: t:run: name the driver scenario to run, e.g. t:run("basic")
-- A run without a scenario.
exercise { name = "threads", title = "T" }
check "noscenario" {
  title = "No scenario", points = 3,
  run = function(t)
    t:run()
  end,
}
