-- spec.lua: the `value` exercise — a value shared between processes.
-- Scenarios live in driver.c; see docs/spec-api.md for this API.
-- What each tool covers here: lost updates between processes are invisible
-- to ThreadSanitizer and Helgrind, so native runs (and stress schedules) let
-- many processes update at once until their updates are seen overlapping in
-- time, then check the final value; ThreadSanitizer checks the threads of
-- each process on its own (children forked from a single-threaded parent).

exercise {
  name = "value",
  languages = { "en", "pt-BR" },
  title = _("A value shared between processes"),
  timeout = 15,
}

check "basic" {
  title = _("value_create, value_get, value_set and value_add in one process"),
  points = 10,
  hint = _("value_add returns the new value. value_create returns NULL only when memory is short."),
  run = function(t)
    t:run("basic"):assert_ok()
  end,
}

check "reenter" {
  title = _("The holder of value_lock may call value_get, value_set and value_add"),
  points = 10,
  depends = "basic",
  hint = _("value_get, value_set and value_add take the lock that value_lock holds: make it a "
      .. "recursive mutex (pthread_mutexattr_settype with PTHREAD_MUTEX_RECURSIVE), like the "
      .. "RLock behind Python's Value."),
  run = function(t)
    t:run("reenter"):assert_ok()
  end,
}

check "shared" {
  title = _("Children forked afterwards share the value, and its lock works between processes"),
  points = 15,
  depends = "basic",
  hint = _("Put the value and its lock in memory from mmap(NULL, size, PROT_READ | PROT_WRITE, "
      .. "MAP_SHARED | MAP_ANONYMOUS, -1, 0), and initialise the mutex with an attribute set to "
      .. "PTHREAD_PROCESS_SHARED."),
  run = function(t)
    t:run("shared"):assert_ok()
  end,
}

check "excludes" {
  title = _("While one process holds value_lock, another process's value_add waits"),
  points = 10,
  depends = { "shared", "reenter" },
  hint = _("value_add must take the very lock that value_lock takes; an atomic add that ignores "
      .. "the lock slips into the middle of another process's compound update."),
  run = function(t)
    t:run("excludes"):assert_ok()
  end,
}

check "processes" {
  title = _("4 processes calling value_add at once: no update lost"),
  points = 15,
  depends = "shared",
  hint = _("value_add is a read-modify-write: two processes can read the same old value and both "
      .. "write old + 1. Do it while holding the shared lock."),
  run = function(t)
    t:run("processes", 4, 20000):assert_ok()
  end,
}

check "compound" {
  title = _("value_add and compound updates (lock, get, set, unlock) mixed: exact (stress)"),
  points = 10,
  depends = { "shared", "reenter" },
  hint = _("A compound update is safe only if every other change of the value waits for the same "
      .. "lock: value_add, value_set and value_lock must all use one mutex."),
  run = function(t)
    t:run{ "compound", 4, 5000, stress = { mode = "random" } }:assert_ok()
  end,
}

check "threads" {
  title = _("4 threads of one process calling value_add at once: no update lost"),
  points = 10,
  depends = "basic",
  run = function(t)
    t:run("threads", 4, 20000):assert_ok()
  end,
}

check "mixed" {
  title = _("Threads in several processes, both kinds of update: exact"),
  points = 10,
  depends = { "shared", "reenter" },
  run = function(t)
    t:run("mixed", 2, 2, 20000):assert_ok()
  end,
}

check "tsan" {
  title = _("ThreadSanitizer: no data race between the threads of each process "
      .. "(it cannot see races between processes)"),
  points = 10,
  depends = { "shared", "reenter" },
  run = function(t)
    local r = t:run("threads", 4, 2000, { tool = "tsan" })
    if not r.ok and r.out.coverage then t:note(r.out.coverage) end
    r:assert_ok()
    r = t:run("mixed", 2, 2, 2000, { tool = "tsan" })
    if not r.ok and r.out.coverage then t:note(r.out.coverage) end
    r:assert_ok()
  end,
}
