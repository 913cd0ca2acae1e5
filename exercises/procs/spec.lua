-- spec.lua: the `procs` exercise — starting named processes.
-- Scenarios live in driver.c; see docs/spec-api.md for this API.
-- What each tool covers here: native runs only. The driver's fn, run by the
-- children, records each child's name as the system shows it and its parent;
-- a rendezvous proves the children run at once; fault injection makes a fork
-- fail; a watchdog names where every process is blocked when nothing moves.
-- There are no threads, so ThreadSanitizer and Helgrind would add nothing.

exercise {
  name = "procs",
  languages = { "en", "pt-BR" },
  title = _("Starting named processes"),
  timeout = 10,
  -- the children name themselves (prctl PR_SET_NAME, or /proc/self/comm):
  -- both refused by default (docs/sandbox.md, "The student's object")
  allow = "prctl open",
}

check "statuses" {
  title = _("status[i] is the exit code of child i (fn's return value); n == 0 forks nothing"),
  points = 15,
  hint = _("In the parent, waitpid(pid[i], &st, 0) for each child and store WEXITSTATUS(st) "
      .. "when WIFEXITED(st); the child ends with _exit(fn(args[i]))."),
  run = function(t)
    t:run("statuses", 6):assert_ok()
    t:run("zero"):assert_ok()
  end,
}

check "names" {
  title = _("Each child shows names[i] (system name and current_process_name) before fn runs"),
  points = 15,
  hint = _("In the child (where fork returned 0), first prctl(PR_SET_NAME, names[i]) and "
      .. "remember the name for current_process_name(), then call fn."),
  run = function(t)
    t:run("names", 5):assert_ok()
  end,
}

check "main-name" {
  title = _("The parent is \"main\" and keeps its own name"),
  points = 5,
  hint = _("A process that never named itself is \"main\": keep the name in a static variable "
      .. "that only a child sets, and name only the children."),
  run = function(t)
    t:run("main", 3):assert_ok()
  end,
}

check "concurrent" {
  title = _("All n children are alive at the same time (they meet inside fn)"),
  points = 15,
  depends = "statuses",
  hint = _("Fork every child in one loop, then wait for them all in a second loop: waiting for "
      .. "a child before forking the next makes them run one after another."),
  run = function(t)
    local r = t:run("concurrent", 6)
    r:assert_ok()
    t:assert((r:num("most") or 0) >= 6, _("all 6 children should have met inside fn (only %s did)")
        :format(tostring(r.out.most)))
  end,
}

check "signals" {
  title = _("A child killed by a signal gets 128 + the signal"),
  points = 10,
  depends = "statuses",
  hint = _("Decode the status: WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + "
      .. "WTERMSIG(st) : ..."),
  run = function(t)
    t:run("signals"):assert_ok()
  end,
}

check "order" {
  title = _("Statuses land at their index when the children end in reverse order"),
  points = 5,
  depends = "concurrent",
  hint = _("wait() returns the children in the order they end: wait for each child by its pid, "
      .. "or look up the index of the pid that wait returned."),
  run = function(t)
    t:run("order", 4):assert_ok()
  end,
}

check "own-code" {
  title = _("A child ends after fn: it never comes back into the parent's code"),
  points = 5,
  hint = _("End the child right after fn with _exit(fn(args[i])): a child that returns, breaks "
      .. "out of the loop or falls through runs the rest of the parent's function."),
  run = function(t)
    t:run("returns", 4):assert_ok()
  end,
}

check "no-grandchildren" {
  title = _("fn runs once per child, never in a process forked by a child"),
  points = 10,
  hint = _("After fn, the child must end (_exit): otherwise it goes on with the parent's fork "
      .. "loop and forks children of its own."),
  run = function(t)
    t:run("grandchildren", 4):assert_ok()
  end,
}

check "stdio" {
  title = _("Children end with _exit: the parent's buffered output is not written again"),
  points = 10,
  hint = _("exit() flushes the stdio buffers the child copied from the parent and runs the "
      .. "parent's atexit handlers; _exit() ends the process at once."),
  run = function(t)
    t:run("stdio", 4):assert_ok()
  end,
}

check "fork-fails" {
  title = _("A failed fork returns -1 after waiting for the children already started"),
  points = 5,
  hint = _("When fork returns -1, wait for every child you already started, then return -1."),
  run = function(t)
    t:run("fork-fails", 5, 3):assert_ok()
  end,
}

check "no-leftovers" {
  title = _("No zombie and no descriptor left when run_processes returns"),
  points = 5,
  depends = "statuses",
  run = function(t)
    t:run("clean", 4):assert_ok()
  end,
}
