-- expect: check: typo error spec.lua:7: the check object has no field 'rnu' (did you mean 'run'?)
-- A typo in a method of the check object.
exercise { name = "threads", title = "T" }
check "typo" {
  title = "Typo", points = 3,
  run = function(t)
    t:rnu("zero")
  end,
}
