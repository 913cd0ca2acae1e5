-- spec.lua: the `threads` exercise — creating and joining threads.
-- Scenarios live in driver.c; see docs/spec-api.md for this API.

exercise {
  name = "threads",
  languages = { "en", "pt-BR" },
  title = _("Creating and joining threads"),
  timeout = 10,
}

-- Functional runs use a PCT stress schedule: one thread runs at a time, in an
-- order fixed by the check's seed, so a racy submission gets the same grade
-- on every run (and `grader replay` shows the schedule).
local PCT = { stress = { mode = "pct" } }

check "results" {
  title = _("Each results[i] holds fn(args[i])"),
  points = 15,
  hint = _("Give every thread its own struct with fn, its argument and a place for the result; "
      .. "after pthread_join, copy that result into results[i]."),
  run = function(t)
    t:run("results", 16, PCT):assert_ok()
  end,
}

check "zero" {
  title = _("n == 0 returns 0 and creates no thread"),
  points = 5,
  hint = _("With n == 0 there is nothing to run: return 0 without touching args or results."),
  run = function(t)
    t:run("zero", PCT):assert_ok()
  end,
}

check "own-thread" {
  title = _("Every call runs in a new thread of its own"),
  points = 10,
  depends = "results",
  hint = _("Call pthread_create once per call and let the new thread call fn; never call fn "
      .. "in run_in_threads itself."),
  run = function(t)
    t:run("own-thread", 16, PCT):assert_ok()
  end,
}

check "concurrent" {
  title = _("All n threads are alive at the same time"),
  points = 15,
  depends = "results",
  hint = _("Create every thread in one loop, then join them all in a second loop: joining "
      .. "inside the creation loop makes the calls run one after another."),
  run = function(t)
    local r = t:run("concurrent", 8, PCT)
    r:assert_ok()
    t:assert_eq(r.out.most, 8, _("all 8 calls should have met inside fn"))
  end,
}

check "joined" {
  title = _("Every thread is joined before run_in_threads returns"),
  points = 10,
  depends = "results",
  hint = _("Join every thread you created (do not detach them): pthread_join is what waits "
      .. "for a thread and frees it."),
  run = function(t)
    t:run("joined", 8, PCT):assert_ok()
  end,
}

check "many" {
  title = _("Hundreds of threads at once"),
  points = 10,
  depends = "concurrent",
  hint = _("Allocate the per-thread data with malloc sized by n; a fixed-size array or a "
      .. "variable-length array on the stack breaks for large n."),
  run = function(t)
    t:run("concurrent", 300):assert_ok()
  end,
}

check "own-argument" {
  title = _("Each thread sees its own argument (ThreadSanitizer)"),
  points = 10,
  hint = _("Passing &i to every thread shares one variable that the loop keeps changing. "
      .. "Pass a pointer to memory that belongs to that thread alone (an array element)."),
  hints = {
    ["data-race"] = _("Two threads use the same variable at once. A typical cause: &i of the "
        .. "loop passed to every thread. Give each thread its own copy of its argument."),
  },
  run = function(t)
    t:run("results", 64, { tool = "tsan" }):assert_ok()
  end,
}

check "create-fails" {
  title = _("A failed pthread_create returns -1 after joining the started threads"),
  points = 10,
  depends = "results",
  hint = _("When pthread_create fails, stop creating, join every thread already started, "
      .. "free what you allocated and return -1."),
  run = function(t)
    t:run("create-fails", 8, 5, PCT):assert_ok()
  end,
}

check "memory" {
  title = _("AddressSanitizer finds no use of freed or finished memory"),
  points = 5,
  hint = _("Every thread must only use memory that outlives it: per-thread data that is "
      .. "malloc'd, or that lives in run_in_threads' own frame until the thread is joined."),
  hints = {
    ["stack-use-after-return"] = _("A thread got a pointer into the stack frame of a function "
        .. "that returned before the thread used it. Keep the per-thread data alive until "
        .. "pthread_join: malloc it, or put it in run_in_threads' own frame."),
  },
  run = function(t)
    -- each new thread starts only once its creator moved on (a frame it
    -- was handed is then always gone), so this fails on every run
    t:run("results", 16, { tool = "asan" }):assert_ok()
  end,
}

check "tsan" {
  title = _("ThreadSanitizer finds no data race or thread problem"),
  points = 5,
  depends = "concurrent",
  run = function(t)
    t:run("concurrent", 16, { tool = "tsan" }):assert_ok()
  end,
}

check "helgrind" {
  title = _("Helgrind finds no data race or lock problem"),
  points = 5,
  depends = "concurrent",
  run = function(t)
    t:run("concurrent", 6, { tool = "helgrind" }):assert_ok()
  end,
}
