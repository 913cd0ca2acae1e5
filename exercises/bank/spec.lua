-- spec.lua: the `bank` exercise — a safe bank with recursive locks (RLock).
-- Scenarios live in driver.c; see docs/spec-api.md for this API.
--
-- Every run of the student's code uses a PCT stress schedule: one thread
-- runs at a time, switching at lock operations in an order fixed by the
-- seed. The same submission gets the same grade on every run, a deadlock or
-- a self-deadlock is reported the moment it happens (with the locks each
-- thread holds and waits for), and the report names the seed that replays
-- a failure. Races inside code without locks are left to ThreadSanitizer.

exercise {
  name = "bank",
  languages = { "en", "pt-BR" },
  title = _("A safe bank: per-account locks, lock ordering, recursive locks"),
  timeout = 10,
}

local PCT = { stress = { mode = "pct" } }
-- A scheduled run takes well under a second; this bounds a stuck one.
local SCHEDULED_TIMEOUT = 4

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

local RLOCK = _("A thread locked an account's mutex that it already held, and now waits for itself. "
    .. "bank_transfer holds both accounts' locks and then calls the same locked steps as "
    .. "withdraw and deposit, which lock again: that needs a recursive mutex, like Python's "
    .. "threading.RLock. Create each account's mutex with a pthread_mutexattr_t of type "
    .. "PTHREAD_MUTEX_RECURSIVE (pthread_mutexattr_settype); then its owner may lock it again, "
    .. "and it is free once unlocked as many times as it was locked. The same holds when from == to: "
    .. "both locks are one.")

local ORDER = _("Two transfers in opposite directions each hold one account's lock and wait for the "
    .. "other's: a deadlock. Take the two locks in one global order, whatever the direction: the "
    .. "lower account number first (and bank_total in the same order).")

local CHECK_THEN_ACT = _("The check (is there enough money?) and the update (take it) must happen "
    .. "under the account's lock, held from before the check until after the update. Checking with "
    .. "bank_balance and then locking to withdraw lets another thread take the money in between.")

check "basics" {
  title = _("One thread: open, deposit, withdraw (all of it, and too much), balance, total"),
  points = 10,
  hint = _("Give each account its balance and its own mutex; withdraw takes the money only when the "
      .. "balance is at least the amount (and changes nothing otherwise)."),
  hints = { ["self-deadlock"] = RLOCK },
  run = function(t)
    t:run("basics", PCT):assert_ok()
  end,
}

check "bad-args" {
  title = _("Bad account numbers and amounts <= 0 give -1 (or NULL) and change nothing"),
  points = 5,
  hint = _("Check the arguments first: account < number of accounts, amount > 0, and in bank_open "
      .. "accounts > 0 and initial >= 0. A transfer checks both accounts before it moves anything."),
  hints = { ["self-deadlock"] = RLOCK },
  run = function(t)
    t:run("bad-args", PCT):assert_ok()
  end,
}

check "transfer" {
  title = _("One thread: transfers move money between two accounts, all or nothing"),
  points = 10,
  depends = "basics",
  hint = _("Hold both accounts' locks for the whole transfer; withdraw from one, and deposit into "
      .. "the other only if the withdrawal succeeded."),
  hints = { ["self-deadlock"] = RLOCK },
  run = function(t)
    t:run("transfer", PCT):assert_ok()
  end,
}

check "reentrant" {
  title = _("A transfer from an account to itself works (the lock is taken again by its owner)"),
  points = 10,
  depends = "basics",
  hint = _("bank_transfer(b, a, a, x) is valid and changes nothing. Both locks are the same mutex, "
      .. "so a transfer that locks `from` and then `to` locks it twice: a recursive mutex "
      .. "(PTHREAD_MUTEX_RECURSIVE, Python's RLock) allows that."),
  hints = { ["self-deadlock"] = RLOCK },
  run = function(t)
    t:run("same", 0, PCT):assert_ok()
    schedules(t, 3, 3, "same", 10, { timeout = SCHEDULED_TIMEOUT })
  end,
}

check "deposits" {
  title = _("Concurrent deposits lose nothing (ThreadSanitizer, then many schedules)"),
  points = 10,
  depends = "basics",
  hint = _("balance += amount is a read, an add and a write: two threads can read the same old "
      .. "balance. Do the whole update with the account's lock held."),
  hints = { ["self-deadlock"] = RLOCK },
  run = function(t)
    race_free(t:run("deposits", 4, 500, { tool = "tsan" }))
    schedules(t, 3, 3, "deposits", 3, 15, { timeout = SCHEDULED_TIMEOUT })
  end,
}

check "transfers" {
  title = _("Random concurrent transfers keep every balance and the total right"),
  points = 10,
  depends = "transfer",
  hint = _("Every transfer holds both accounts' locks (taken in one fixed order) from before the "
      .. "balance check until after the deposit."),
  hints = { ["self-deadlock"] = RLOCK, ["deadlock"] = ORDER, ["invariant"] = CHECK_THEN_ACT },
  run = function(t)
    schedules(t, 4, 3, "transfers", 4, 12, 4, { timeout = SCHEDULED_TIMEOUT })
  end,
}

check "never-negative" {
  title = _("No balance ever goes below 0 when threads withdraw and transfer from the same accounts"),
  points = 10,
  depends = "basics",
  hint = CHECK_THEN_ACT,
  hints = { ["self-deadlock"] = RLOCK, ["deadlock"] = ORDER },
  run = function(t)
    schedules(t, 10, 5, "overdraw", 0, 3, 8, { timeout = SCHEDULED_TIMEOUT })
    schedules(t, 10, 5, "overdraw", 1, 3, 8, { timeout = SCHEDULED_TIMEOUT })
  end,
}

check "audit" {
  title = _("bank_total is one consistent snapshot while transfers run (an auditor thread)"),
  points = 15,
  depends = "transfer",
  hint = _("bank_total must see every balance at one instant: lock every account (in the same order "
      .. "as transfers), add up, then unlock them all. And a transfer must never let go of the "
      .. "money halfway: hold both locks from the withdrawal until after the deposit."),
  hints = { ["self-deadlock"] = RLOCK, ["deadlock"] = ORDER },
  run = function(t)
    schedules(t, 10, 4, "audit", 3, 8, 12, { timeout = SCHEDULED_TIMEOUT })
    race_free(t:run("audit", 3, 200, 200, { tool = "tsan" }))
  end,
}

check "crossing" {
  title = _("Transfers A→B and B→A (and around a cycle) at the same time never deadlock"),
  points = 10,
  depends = "transfer",
  hint = ORDER,
  hints = { ["self-deadlock"] = RLOCK, ["deadlock"] = ORDER, ["lock-order-inversion"] = ORDER },
  run = function(t)
    schedules(t, 6, 3, "crossing", 10, { timeout = SCHEDULED_TIMEOUT })
  end,
}

check "tsan" {
  title = _("ThreadSanitizer finds no data race or lock-order problem (every kind of call at once)"),
  points = 5,
  depends = "crossing",
  hint = _("Every read and write of a balance happens with that account's lock held, bank_total "
      .. "and bank_balance included."),
  hints = { ["lock-order-inversion"] = ORDER },
  run = function(t)
    race_free(t:run("mix", 4, 300, { tool = "tsan" }))
  end,
}

check "helgrind" {
  title = _("Helgrind finds no data race or lock misuse"),
  points = 5,
  depends = "crossing",
  hint = _("Every read and write of a balance happens with that account's lock held; every lock is "
      .. "unlocked by the thread that locked it, as many times as it was locked."),
  run = function(t)
    race_free(t:run("mix", 3, 60, { tool = "helgrind" }))
  end,
}
