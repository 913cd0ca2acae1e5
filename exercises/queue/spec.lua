-- spec.lua: the `queue` exercise — a bounded blocking FIFO shared by threads.
-- Scenarios live in driver.c; see docs/spec-api.md for this API.
--
-- Blocking is proven by state: the driver watches a call until it has
-- returned or fallen asleep in the kernel, and only then makes the opposite
-- call. Runs with several threads use PCT stress schedules: one thread runs
-- at a time, in an order fixed by the seed, so a submission gets the same
-- grade every run and a failure can be replayed. A queue that spins instead
-- of sleeping never lets such a schedule move on, so those checks depend on
-- no-busy-wait.

exercise {
  name = "queue",
  languages = { "en", "pt-BR" },
  title = _("A bounded blocking queue shared by threads"),
  timeout = 10,
}

local PCT = { stress = { mode = "pct" } }
-- A scheduled run takes well under a second; this bounds a stuck one.
local SCHEDULED_TIMEOUT = 10

-- A race detector's run is judged on what the detector found (race_free,
-- from the spec library: no data race, no mutex misuse, and for TSan no
-- lock-order inversion). Its results (and hangs) are not: without a schedule
-- they can change from one run to the next, and the scheduled checks judge
-- them. Helgrind's lock orders are left out: it counts a trylock that backs
-- off as an inversion, and real lock-order deadlocks are shown by the
-- schedules.
--
-- schedules(t, n, depth, scenario, args..., options), also from the library,
-- runs the scenario under one PCT schedule per seed of t:seeds(n) and stops
-- at the first failing one, whose seed the report shows; a scheduled run
-- that times out is not held against the student (the scenario then runs
-- once without a schedule, in observe mode, where deadlocks are still
-- diagnosed).

-- When a run ends with consumers waiting forever, the usual cause here is
-- the end of the run: the test closes the queue once every item was put.
local STUCK_AT_CLOSE = _("Every thread ended up waiting. At the end of this test the queue is "
    .. "closed: every get that waits for an item must then wake up and return -1 once the queue "
    .. "is empty (queue_close calls pthread_cond_broadcast, and `closed` is part of the wait "
    .. "loop's condition). Otherwise a signal was lost: each change of the queue must signal the "
    .. "condition variable the other side waits on (see the check `close` too).")

local WHILE = _("Wait in a loop that checks the condition again after every wake-up:\n"
    .. "    while (q->count == q->capacity && !q->closed)\n"
    .. "        pthread_cond_wait(&q->not_full, &q->lock);\n"
    .. "A thread can wake up although the condition does not hold: a spurious wake-up, or "
    .. "another thread got there first.")

check "fifo" {
  title = _("Items leave in the order they were put; queue_size counts them (one thread)"),
  points = 10,
  hint = _("Keep the items in a ring: an array of capacity slots, the index of the oldest item and "
      .. "the count. put writes at (head + count) % capacity; get reads at head and moves head "
      .. "forward. queue_create(0) returns NULL."),
  run = function(t)
    t:run("fifo"):assert_ok()
  end,
}

check "put-blocks" {
  title = _("queue_put waits while the queue is full; each get lets one waiting put finish"),
  points = 10,
  depends = "fifo",
  hint = _("While the queue is full, put must wait on a condition variable (pthread_cond_wait); "
      .. "get, after taking an item, signals that condition so one waiting put goes on."),
  hints = {
    ["invariant"] = WHILE,
    ["lost-wakeup"] = _("A put waiting for room sleeps until somebody signals the condition "
        .. "variable it waits on: after taking an item, queue_get must call pthread_cond_signal "
        .. "on that condition variable."),
  },
  run = function(t)
    t:run("put-blocks", 3, 2):assert_ok()
  end,
}

check "get-blocks" {
  title = _("queue_get waits while the queue is empty; each put lets one waiting get finish"),
  points = 10,
  depends = "fifo",
  hint = _("While the queue is empty (and open), get must wait on a condition variable; put, after "
      .. "adding an item, signals that condition so one waiting get goes on. -1 is only for a "
      .. "closed, empty queue."),
  hints = {
    ["lost-wakeup"] = _("A get waiting for an item sleeps until somebody signals the condition "
        .. "variable it waits on: after adding an item, queue_put must call pthread_cond_signal "
        .. "on that condition variable."),
  },
  run = function(t)
    t:run("get-blocks", 2):assert_ok()
  end,
}

check "no-busy-wait" {
  title = _("A blocked get or put sleeps: it uses almost no CPU time and does not poll"),
  points = 10,
  depends = "fifo",
  hint = _("A loop that unlocks, sleeps or yields and looks again wastes a CPU (or wakes up "
      .. "hundreds of times a second) and reacts late. pthread_cond_wait releases the lock and "
      .. "puts the thread to sleep until another thread signals; it needs no sleep and no yield."),
  run = function(t)
    t:run("busy"):assert_ok()
  end,
}

check "capacity" {
  title = _("The queue never holds more than its capacity (three producers, one consumer)"),
  points = 5,
  depends = "no-busy-wait",
  hint = WHILE,
  hints = { ["lost-wakeup"] = STUCK_AT_CLOSE, ["deadlock"] = STUCK_AT_CLOSE },
  run = function(t)
    schedules(t, 3, 3, "mpmc", 3, 1, 40, 2, 30, { timeout = SCHEDULED_TIMEOUT })
  end,
}

check "many" {
  title = _("4 producers, 4 consumers, 8000 items: each delivered once, each producer's in order"),
  points = 15,
  depends = "no-busy-wait",
  hint = _("Every put and every get must take the one lock of the queue for everything it reads "
      .. "and changes (the slots, head, count, closed), and wait in a while loop."),
  hints = { ["lost-wakeup"] = STUCK_AT_CLOSE, ["deadlock"] = STUCK_AT_CLOSE },
  run = function(t)
    t:run("mpmc", 4, 4, 2000, 8, 0, PCT):assert_ok()
  end,
}

check "close" {
  title = _("close wakes every waiting caller; later puts fail; gets drain what is left, then fail"),
  points = 15,
  depends = "no-busy-wait",
  hint = _("queue_close sets a closed flag under the lock and calls pthread_cond_broadcast on "
      .. "every condition variable callers wait on. The wait loops stop when the queue is closed: "
      .. "put then returns -1; get takes an item if one is left, else returns -1."),
  hints = {
    ["lost-wakeup"] = _("pthread_cond_signal wakes one waiting thread; when several wait, the "
        .. "others sleep on. Closing concerns every waiter: use pthread_cond_broadcast, on both "
        .. "condition variables, and make `closed` part of each wait loop's condition."),
  },
  run = function(t)
    t:run("close-get", 3, PCT):assert_ok()
    t:run("close-put", 3, PCT):assert_ok()
    t:run("close-drain", PCT):assert_ok()
  end,
}

check "stress" {
  title = _("Many schedules of 8 producers and 8 consumers on a queue of 1 item: nothing lost, nobody stuck"),
  points = 15,
  depends = "no-busy-wait",
  hint = WHILE,
  hints = {
    ["lost-wakeup"] = _("A signal went to a thread that could not use it, and the thread that "
        .. "needed it slept on. Use one condition variable per condition (not full, not empty) "
        .. "and signal the one that changed; with a single condition variable you would need "
        .. "pthread_cond_broadcast."),
    ["deadlock"] = _("Every thread ended up waiting. Each change of the queue must signal the "
        .. "condition variable the other side waits on."),
  },
  run = function(t)
    schedules(t, 10, 3, "mpmc", 8, 8, 3, 1, 0, { timeout = SCHEDULED_TIMEOUT })
  end,
}

check "tsan" {
  title = _("ThreadSanitizer finds no data race (queue_size called meanwhile)"),
  points = 5,
  depends = "stress",
  hint = _("Every read and write of the queue's fields, queue_size included, happens with the "
      .. "queue's lock held."),
  run = function(t)
    race_free(t:run("mpmc", 3, 3, 400, 4, 300, { tool = "tsan" }))
  end,
}

check "helgrind" {
  title = _("Helgrind finds no data race or lock misuse"),
  points = 5,
  depends = "stress",
  hint = _("Every read and write of the queue's fields happens with the queue's lock held, and "
      .. "pthread_cond_wait is called with that lock held."),
  run = function(t)
    race_free(t:run("mpmc", 2, 2, 100, 2, 50, { tool = "helgrind" }))
  end,
}
