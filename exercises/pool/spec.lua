-- spec.lua: the `pool` exercise — a pool of worker processes.
-- Scenarios live in driver.c; see docs/spec-api.md for this API.
-- What each tool covers here: native runs check results, children, zombies,
-- descriptors and hangs (a watchdog names where every process is blocked);
-- ThreadSanitizer checks the threads of each process on its own.

exercise {
  name = "pool",
  languages = { "en", "pt-BR" },
  title = _("A pool of worker processes"),
  timeout = 10,
}

check "results" {
  title = _("Each out[i] holds fn(in[i]), in order"),
  points = 15,
  hint = _("Send each result back with the index of its item (or give each worker a fixed set of "
      .. "indexes), and store it at out[index] in the parent: children cannot write to the "
      .. "parent's memory."),
  run = function(t)
    t:run("results", 20, 4):assert_ok()
    t:run("results", 7, 3):assert_ok()
  end,
}

check "small" {
  title = _("n == 0 forks nothing; fewer items than workers forks only n"),
  points = 10,
  hint = _("With n == 0 there is nothing to do: return 0. With n < workers, fork n children."),
  run = function(t)
    t:run("zero", 4):assert_ok()
    t:run("few", 2, 4):assert_ok()
  end,
}

check "in-children" {
  title = _("Every item is computed in a child process, none in the parent"),
  points = 10,
  depends = "results",
  hint = _("Call fn only in the children made by fork(); the parent only hands out items and "
      .. "collects results."),
  run = function(t)
    t:run("children", 12, 3):assert_ok()
  end,
}

check "concurrent" {
  title = _("`workers` children work at the same time (they meet inside fn)"),
  points = 15,
  depends = "results",
  hint = _("Fork every worker first, then collect results and wait: waiting for one child "
      .. "before forking the next makes the workers run one after another."),
  run = function(t)
    local r = t:run("concurrent", 8, 4)
    r:assert_ok()
    t:assert((r:num("most") or 0) >= 4, _("all 4 workers should have met inside fn (only %s did)")
        :format(tostring(r.out.most)))
  end,
}

check "bounded" {
  title = _("Never more than `workers` children at once"),
  points = 10,
  depends = "results",
  hint = _("Fork `workers` children and give each many items; do not fork one child per item."),
  run = function(t)
    t:run("bounded", 16, 4):assert_ok()
  end,
}

check "order" {
  title = _("Results land at their index when workers finish in reverse order"),
  points = 5,
  depends = "concurrent",
  hint = _("The order in which results arrive is not the order of the items: send the index "
      .. "with each result, or read each worker's own pipe."),
  run = function(t)
    t:run("order", 4):assert_ok()
  end,
}

check "many" {
  title = _("50000 items: results far beyond a pipe's buffer"),
  points = 5,
  depends = "results",
  hint = _("Read the results while the workers are still sending them (poll every pipe, or read "
      .. "them in turn until end-of-file) and only then wait for the children: a child blocked "
      .. "on a full pipe never ends."),
  hints = {
    ["deadlock"] = _("A child blocks when its pipe is full and nobody reads it. Read the results "
        .. "before you wait for the children, and close in every child the pipe ends of the "
        .. "other workers: a write end left open in a sibling keeps end-of-file from coming."),
  },
  run = function(t)
    t:run{ "results", 50000, 4, timeout = 20 }:assert_ok()
  end,
}

check "worker-crash" {
  title = _("A worker that crashes or exits non-zero: -1, promptly, nothing left behind"),
  points = 10,
  depends = "results",
  hint = _("Wait for every child with waitpid and look at its status (WIFEXITED and "
      .. "WEXITSTATUS == 0); a worker that died sends fewer results, so never wait for a fixed "
      .. "number of them."),
  hints = {
    ["deadlock"] = _("The parent kept waiting for results a dead worker will never send. Read "
        .. "until end-of-file (close your own copy of every write end first), then check how "
        .. "each child ended."),
  },
  run = function(t)
    t:run("crash", 12, 3, 5, 0):assert_ok()
    t:run("crash", 12, 3, 7, 1):assert_ok()
  end,
}

check "fork-fails" {
  title = _("A failed fork returns -1 and leaves no child behind"),
  points = 5,
  depends = "results",
  hint = _("When fork fails, stop the workers already started (kill them), close their pipes, "
      .. "wait for them and return -1."),
  run = function(t)
    t:run("fork-fails", 8, 4, 3):assert_ok()
  end,
}

check "no-zombies" {
  title = _("Every child is waited for before pool_map returns"),
  points = 5,
  depends = "results",
  run = function(t)
    t:run("clean", 12, 3):assert_no("zombie")
  end,
}

check "no-fd-leak" {
  title = _("Every pipe end is closed before pool_map returns"),
  points = 5,
  depends = "results",
  run = function(t)
    t:run("clean", 12, 3):assert_no("fd-leak")
  end,
}

check "tsan" {
  title = _("ThreadSanitizer: no data race in the parent or in any worker (each process on its own)"),
  points = 5,
  depends = "results",
  run = function(t)
    local r = t:run("results", 20, 4, { tool = "tsan" })
    if not r.ok and r.out.coverage then t:note(r.out.coverage) end
    r:assert_ok()
  end,
}
