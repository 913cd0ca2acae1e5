-- spec.lua: the `hostile` test exercise of tests/hostile: hostile_run must
-- return 42. Every check runs the one scenario under another tool; a failed
-- run notes the start of what the program printed (binary output included).
-- The cases that open, list, rename or exec files test what the run's
-- sandbox hides and protects, so this exercise allows those calls (the
-- object check refuses them by default); every other refused name stays
-- refused, and cases of their own prove that.
exercise { name = "hostile", title = "Hostile submissions (a test exercise)", timeout = 2, allow = "open opendir readdir closedir execl rename unlink access symlink mkfifo" }

local function run(t, opts)
  local r = t:run("run", opts)
  if not r.ok then
    t:note("stdout: " .. r.stdout:sub(1, 60))
    t:note("stderr: " .. r.stderr:sub(1, 60))
  end
  r:assert_ok()
end

-- 4 MiB on stdin that nobody reads: the grader must not die of SIGPIPE
check "native" {
  title = "hostile_run returns 42 (with 4 MiB on its stdin)",
  points = 10,
  run = function(t) run(t, { stdin = string.rep("s", 4 << 20) }) end,
}

check "stress" {
  title = "hostile_run returns 42 under a stress schedule (the shim preloaded)",
  points = 10,
  run = function(t) run(t, { stress = { mode = "random" } }) end,
}

check "tsan" {
  title = "hostile_run returns 42 under ThreadSanitizer",
  points = 10,
  run = function(t) run(t, { tool = "tsan" }) end,
}
