-- expect: check: looping error spec.lua:7: the spec ran more than 200 million Lua instructions in this check: is there an endless loop?
-- An endless loop inside a check, with pcall trying to swallow the budget.
exercise { name = "threads", title = "T" }
check "looping" {
  title = "Loops", points = 3,
  run = function(t)
    while true do pcall(function() while true do end end) end
  end,
}
check "fine" { title = "Fine", points = 5, run = function(t) t:run("zero"):assert_ok() end }
