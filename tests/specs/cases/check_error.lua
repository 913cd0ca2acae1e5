-- expect: check: broken error spec.lua:10: attempt to perform arithmetic on a nil value (local 'missing')
-- A Lua error inside one check: that check is an error outcome, the others
-- are graded and the student loses no points for it.
exercise { name = "threads", title = "T" }
check "fine" { title = "Fine", points = 5, run = function(t) t:run("zero"):assert_ok() end }
check "broken" {
  title = "Broken", points = 7,
  run = function(t)
    local missing
    local x = missing + 1
  end,
}
