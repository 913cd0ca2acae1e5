-- spec.lua: the `mpqueue` exercise — a queue between processes
-- (multiprocessing.Queue). Scenarios live in driver.c; see docs/spec-api.md.
--
-- Two kinds of runs. Thread runs call the queue from threads of one
-- process, under pct stress schedules with `one_process`: the shim then
-- schedules the process-shared condition variables too, so an `if` around a
-- wait meets a spurious wake-up, a signal lost to the wrong side is
-- diagnosed at the lines where each thread waits, and a message copied
-- outside the lock is read half-written: the same verdict on every grading.
-- Process runs (native) fork children before any thread exists, each with
-- threads of its own, and prove by counters in shared memory that every
-- waiter of every process sleeps before the opposite call is made; a child
-- left stuck reports where its thread waits. The process checks depend on
-- the thread checks that find the same mistakes by schedule, so a bug that
-- real timing shows only now and then never changes a score.

exercise {
  name = "mpqueue",
  title = _("A queue between processes (multiprocessing.Queue)"),
  timeout = 15,
}

-- A scheduled run takes well under a second; this bounds a stuck one.
local SCHEDULED = { timeout = 10, stress = { one_process = true } }
local PCT = { stress = { mode = "pct", one_process = true } }

local WHILE = _("Wait in a loop that checks the condition again after every wake-up:\n"
    .. "    while (q->count == q->capacity && !q->closed)\n"
    .. "        pthread_cond_wait(&q->not_full, &q->lock);\n"
    .. "A thread can wake up although the condition does not hold: a spurious wake-up, or "
    .. "another thread or process got there first.")

local UNDER_LOCK = _("Copy the message in (mpq_put) and out (mpq_get) while holding the queue's "
    .. "lock: once the lock is released, another put may overwrite the slot, or a get may read "
    .. "it before it is filled.")

local STUCK_AT_CLOSE = _("Every thread ended up waiting. At the end of this test the queue is "
    .. "closed: every get that waits must then wake up and return -1 once the queue is empty "
    .. "(mpq_close calls pthread_cond_broadcast, and `closed` is part of the wait loop's "
    .. "condition). Otherwise a signal was lost: each change of the queue must signal the "
    .. "condition variable the other side waits on.")

check "fifo" {
  title = _("Messages leave whole and in the order they were put; close drains (one thread)"),
  points = 10,
  hint = _("Keep the messages in a ring of capacity slots of msg_size bytes each, after the "
      .. "queue's fields in one mapping: put copies msg_size bytes into slot (head + count) % "
      .. "capacity, get copies slot head out and moves head forward. mpq_create(0, n) and "
      .. "mpq_create(n, 0) return NULL."),
  run = function(t)
    t:run("fifo"):assert_ok()
  end,
}

check "shared" {
  title = _("The queue and its locks are shared: messages and wake-ups cross processes"),
  points = 15,
  depends = "fifo",
  hint = _("Allocate the whole queue (fields, locks and messages) with mmap(NULL, size, "
      .. "PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0), and initialise the mutex "
      .. "and each condition variable with an attribute set to PTHREAD_PROCESS_SHARED "
      .. "(pthread_mutexattr_setpshared, pthread_condattr_setpshared)."),
  run = function(t)
    t:run("shared"):assert_ok()
  end,
}

check "no-busy-wait" {
  title = _("A blocked get or put sleeps: it uses almost no CPU time and does not poll"),
  points = 5,
  depends = "fifo",
  hint = _("A loop that unlocks, sleeps or yields and looks again wastes a CPU (or wakes up "
      .. "hundreds of times a second) and reacts late. pthread_cond_wait releases the lock and "
      .. "puts the thread to sleep until somebody signals; it needs no sleep and no yield."),
  run = function(t)
    t:run("busy"):assert_ok()
  end,
}

check "put-blocks" {
  title = _("mpq_put waits while the queue is full; each get lets one waiting put finish"),
  points = 5,
  depends = "no-busy-wait",
  hint = _("While the queue is full, put must wait on a condition variable (pthread_cond_wait); "
      .. "get, after taking a message, signals that condition so one waiting put goes on."),
  hints = { ["invariant"] = WHILE },
  run = function(t)
    t:run("put-blocks", 3, 2, PCT):assert_ok()
  end,
}

check "get-blocks" {
  title = _("mpq_get waits while the queue is empty; each put lets one waiting get finish"),
  points = 5,
  depends = "no-busy-wait",
  hint = _("While the queue is empty (and open), get must wait on a condition variable; put, "
      .. "after adding a message, signals that condition so one waiting get goes on. -1 is only "
      .. "for a closed, empty queue."),
  run = function(t)
    t:run("get-blocks", 2, PCT):assert_ok()
  end,
}

check "close" {
  title = _("mpq_close wakes every waiting thread; later puts fail (threads, scheduled)"),
  points = 10,
  depends = "no-busy-wait",
  hint = _("mpq_close sets a closed flag under the lock and calls pthread_cond_broadcast on "
      .. "every condition variable callers wait on. The wait loops stop when the queue is "
      .. "closed: put then returns -1; get takes a message if one is left, else returns -1."),
  run = function(t)
    t:run("close-get", 3, PCT):assert_ok()
    t:run("close-put", 3, PCT):assert_ok()
  end,
}

check "many" {
  title = _("4 producer and 4 consumer threads, 2000 messages: each delivered once, whole, in order"),
  points = 10,
  depends = "no-busy-wait",
  hint = UNDER_LOCK,
  hints = { ["lost-wakeup"] = STUCK_AT_CLOSE, ["deadlock"] = STUCK_AT_CLOSE },
  run = function(t)
    t:run("mpmc", 4, 4, 500, 4, 64, PCT):assert_ok()
  end,
}

check "stress" {
  title = _("Many schedules of 6 producers and 6 consumers on a queue of 1 message: nothing lost, torn or stuck"),
  points = 10,
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
    schedules(t, 10, 3, "mpmc", 6, 6, 3, 1, 40, SCHEDULED)
    schedules(t, 6, 2, "mpmc", 2, 2, 6, 2, 200, SCHEDULED)
  end,
}

check "close-processes" {
  title = _("mpq_close from any process wakes the waiters of every process"),
  points = 10,
  depends = { "shared", "no-busy-wait" },
  hint = _("The closed flag lives in the shared memory, and mpq_close broadcasts on "
      .. "process-shared condition variables: then a waiter of any process wakes up, sees "
      .. "`closed`, and returns -1. A flag in a global variable, or a condition variable that is "
      .. "not process-shared, stays in the process that called mpq_close."),
  run = function(t)
    t:run("close-procs", 0, 3, 2, 0):assert_ok()
    t:run("close-procs", 1, 2, 2, 1):assert_ok()
  end,
}

check "tsan" {
  title = _("ThreadSanitizer finds no data race between the threads of a process (scheduled)"),
  points = 5,
  depends = "many",
  hint = UNDER_LOCK .. " " .. _("Every field of the queue is read and written with the lock held."),
  run = function(t)
    -- One thread at a time, in an order fixed by the seed: a slot written
    -- or read after the lock was released meets the other side's access
    -- with nothing ordering them, the same way at every grading.
    race_free(t:run("mpmc", 3, 3, 40, 1, 64, { tool = "tsan", stress = { mode = "pct", one_process = true } }))
  end,
}

check "processes" {
  title = _("2 producer and 2 consumer processes of 3 threads each: every message once, whole, in order"),
  points = 15,
  depends = { "shared", "close-processes", "stress", "tsan" },
  hint = _("Every process and every thread uses the same lock, in the shared memory, for "
      .. "everything it reads and changes in the queue, the messages included."),
  run = function(t)
    t:run("procs", 2, 2, 3, 400, 3, 128):assert_ok()
  end,
}
