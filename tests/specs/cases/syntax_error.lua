-- expect: spec.lua:5: '}' expected (to close '{' at line 3) near 'check'
-- A missing closing brace.
exercise {
  name = "threads", title = "T"
check "a" { title = "A", points = 1, run = function(t) end }
