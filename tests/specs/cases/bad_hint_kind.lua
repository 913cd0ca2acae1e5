-- expect: spec.lua:7: check 'a': hints: 'data_race' is not a finding kind (did you mean 'data-race'?)
-- hints keyed by a kind that does not exist.
exercise { name = "threads", title = "T" }
check "a" {
  title = "A",
  points = 1,
  hints = { data_race = "..." },
  run = function(t) end,
}
