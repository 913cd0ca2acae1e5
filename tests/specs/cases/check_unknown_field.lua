-- expect: check: broken error spec.lua:8: the check object has no field 'nothing'
-- Reading a field the check object does not have.
exercise { name = "threads", title = "T" }
check "fine" { title = "Fine", points = 5, run = function(t) t:run("zero"):assert_ok() end }
check "broken" {
  title = "Broken", points = 7,
  run = function(t)
    local x = t.nothing
  end,
}
