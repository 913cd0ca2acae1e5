-- expect: spec.lua:6: exercise: unknown field 'titel' (did you mean 'title'?)
-- A typo in a field of exercise{}.

exercise {
  name = "threads",
  titel = "Creating threads",
}
check "a" { title = "A", points = 1, run = function(t) end }
