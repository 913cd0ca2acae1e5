-- expect: check: field error spec.lua:8: a run result has no field 'stdot' (did you mean 'stdout'?)
-- A typo in a field of a run result.
exercise { name = "threads", title = "T" }
check "field" {
  title = "Field", points = 3,
  run = function(t)
    local r = t:run("zero")
    print(r.stdot)
  end,
}
