-- spec.lua: the `parallel` exercise — CPU-bound work split across cores.
-- Scenarios live in driver.c; see docs/spec-api.md for this API.
--
-- Nothing here is judged by a clock. Parallelism is proven by a rendezvous
-- (the first `workers` calls of work wait until they are all inside work at
-- once), dynamic hand-out by an item that returns only once every other item
-- is done (with fixed blocks, the items behind it in its block are never
-- started: the schedule stalls, and the driver counts them), and each item
-- is counted by the driver. Functional runs use PCT stress schedules: one
-- thread runs at a time, in an order fixed by the check's seed, so the same
-- file gets the same grade every time, and a stall is seen the moment every
-- thread waits. The speed-up on this machine's cores is measured once and
-- shown as information; it never costs a point.

exercise {
  name = "parallel",
  languages = { "en", "pt-BR" },
  title = _("CPU-bound work split across cores (parallel programming)"),
  timeout = 10,
}

local PCT = { stress = { mode = "pct" } }

check "sum" {
  title = _("The sum is right for any n and workers (remainders, more workers than items)"),
  points = 20,
  hint = _("Every item from 0 to n - 1 must be computed once, whatever n % workers is: a worker "
      .. "takes the next item from a shared counter until the counter reaches n. Join every "
      .. "worker, then add up what they computed."),
  run = function(t)
    for _k, c in ipairs({ { 12, 3 }, { 10, 4 }, { 7, 3 }, { 1, 1 }, { 5, 8 }, { 200, 32 } }) do
      t:run("sum", c[1], c[2], PCT):assert_ok()
    end
  end,
}

check "zero" {
  title = _("n == 0 returns 0 and creates no thread"),
  points = 5,
  hint = _("With no item there is nothing to share: return 0 before creating any thread."),
  run = function(t)
    t:run("zero", 4, PCT):assert_ok()
  end,
}

check "invalid" {
  title = _("n < 0 or workers < 1 returns -1 at once"),
  points = 5,
  hint = _("Check the arguments first: n < 0 or workers < 1 returns -1 before any thread is "
      .. "created (n / workers with workers == 0 is a division by zero)."),
  run = function(t)
    t:run("invalid", PCT):assert_ok()
  end,
}

check "workers" {
  title = _("The workers compute at the same time: all of them inside work at once"),
  points = 15,
  hint = _("Create all the workers in one loop and join them in a second loop, and call work with "
      .. "no lock held: a lock held around the computation makes the threads take turns, like "
      .. "Python's GIL (the sum is right, and the program is no faster than with one thread)."),
  hints = {
    ["wrong-result"] = _("Start exactly `workers` threads, each running a loop that takes the next "
        .. "item until none is left: not a thread per item, and no extra thread."),
  },
  run = function(t)
    -- n is large enough for chunks of up to n / (4 * workers) items to
    -- keep every worker busy.
    t:run("concurrent", 64, 4, PCT):assert_ok()
    t:run("concurrent", 48, 3, PCT):assert_ok()
  end,
}

check "once" {
  title = _("Each item is computed exactly once, under many schedules"),
  points = 15,
  depends = "sum",
  hint = _("Take the next item and move the counter on in one step under the lock (or with one "
      .. "atomic_fetch_add): a counter read before the lock is taken, or updated without it, "
      .. "lets two workers take the same item, or one past the last."),
  run = function(t)
    schedules(t, 12, 3, "once", 24, 4, { timeout = 10 })
  end,
}

check "dynamic" {
  title = _("A slow item delays only its own worker (items handed out dynamically)"),
  points = 15,
  depends = "workers",
  hint = _("Do not split the items into fixed blocks of n / workers in advance: when one item is "
      .. "slow, the rest of its block waits behind it while the other workers sit idle. Let "
      .. "each worker take the next item from a shared counter whenever it is free."),
  run = function(t)
    t:run("slow", 64, 4, PCT):assert_ok()
  end,
}

check "create-fails" {
  title = _("A failed pthread_create returns -1 after stopping and joining the started workers"),
  points = 10,
  depends = "sum",
  hint = _("When pthread_create fails, tell the workers already running to stop (a flag under the "
      .. "lock that makes them take no more items), join each of them, free what you allocated "
      .. "and return -1."),
  run = function(t)
    t:run("create-fails", 40, 4, 3, PCT):assert_ok()
    t:run("create-fails", 40, 4, 1, PCT):assert_ok()
  end,
}

check "tsan" {
  title = _("ThreadSanitizer finds no data race (the counter, the total)"),
  points = 10,
  depends = "workers",
  hint = _("The next-item counter and the total are shared by every worker: update them under "
      .. "one lock (or with atomic operations), or give each worker a partial sum of its own and "
      .. "add them up after the joins."),
  hints = {
    ["data-race"] = _("Two workers updated the same variable with nothing ordering them. On a "
        .. "shared total, `total += work(i)` loses additions (a wrong sum, now and then); on the "
        .. "next-item counter, `i = next++` gives two workers the same item and skips another. "
        .. "Take the lock around each update (not around work), or use atomic_fetch_add."),
  },
  run = function(t)
    race_free(t:run("race", 200, 4, { tool = "tsan" }))
  end,
}

check "helgrind" {
  title = _("Helgrind finds no data race or lock misuse"),
  points = 5,
  depends = "workers",
  hint = _("Every read and write of the shared counter and total happens with the lock held (or "
      .. "through atomic operations)."),
  run = function(t)
    race_free(t:run("race", 40, 3, { tool = "helgrind" }))
  end,
}

check "speed-up" {
  title = _("Speed-up on this machine's cores (information, not graded)"),
  points = 0,
  depends = "sum",
  run = function(t)
    -- The numbers change from run to run (and from machine to machine), so
    -- nothing is judged on them: the check passes, and its note shows them.
    local r = t:run("speedup", 0, 48, { timeout = 20 })
    if r.out.speedup and r.out.par_ms then
      t:note(_("information, not graded: %s workers on %s cores took %s ms where one thread "
          .. "took %s ms, a speed-up of %s (at best %s)"):format(r.out.workers, r.out.cores,
          r.out.par_ms, r.out.seq_ms, r.out.speedup,
          math.min(tonumber(r.out.workers), tonumber(r.out.cores))))
    else
      t:note(_("information, not graded: the speed-up could not be measured (%s)"):format(r:summary()))
    end
  end,
}
