-- expect: check: option error spec.lua:7: t:run: unknown option 'tol' (did you mean 'tool'?)
-- A typo in a run option.
exercise { name = "threads", title = "T" }
check "option" {
  title = "Option", points = 3,
  run = function(t)
    t:run("zero", { tol = "tsan" })
  end,
}
