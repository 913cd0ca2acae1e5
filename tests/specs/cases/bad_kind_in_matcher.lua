-- expect: check: kind error spec.lua:7: 'datarace' is not a finding kind (did you mean 'data-race'?)
-- A kind that does not exist in a matcher.
exercise { name = "threads", title = "T" }
check "kind" {
  title = "Kind", points = 3,
  run = function(t)
    t:run("zero"):assert_no("datarace")
  end,
}
