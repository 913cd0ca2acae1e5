/* driver.c - scenarios of the `parallel` exercise.
 *
 * Each scenario calls the student's parallel_sum with a work function of its
 * own and reports what it saw. Every work function counts its calls per item
 * (relaxed atomics: no happens-before edge between the student's threads, so
 * ThreadSanitizer still sees their races), so an item computed twice, never,
 * or outside [0, n) is named. Parallelism is proven by rendezvous, dynamic
 * hand-out by an item that waits for every other one; the only clock is in
 * `speedup`, whose numbers are information for the report, never a verdict. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "grader_driver.h"
#include "grader_sync.h"
#include "parallel.h"

#define RELAXED memory_order_relaxed

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* --- items: what work returns, and how often each was computed ------------- */

static long item_n;              /* n of the call under test */
static atomic_int *item_counts;  /* calls of work(i), per item */
static atomic_long item_done;    /* calls of work that have returned */
static atomic_long bad_calls;    /* calls with i outside [0, n) */
static atomic_int bad_reported;

/* What work(i) returns: different for most items, never 0, so an item
 * computed twice or never changes the sum. */
static long value_of(long i)
{
    return i < 0 ? 0 : (i * 7919) % 1009 + 1;
}

static long sum_expected(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++) s += value_of(i);
    return s;
}

/* Starts counting the calls of a call of parallel_sum with n items. The
 * counts are never freed: a thread the student left running may still be
 * counting after parallel_sum returned (the scenario reports it). */
static void items_begin(long n)
{
    item_n = n;
    item_counts = calloc((size_t)(n > 0 ? n : 1), sizeof *item_counts);
    if (!item_counts) abort();
    atomic_store(&item_done, 0);
    atomic_store(&bad_calls, 0);
    atomic_store(&bad_reported, 0);
}

/* Counts a call of work(i) in the calling (student) thread; false when i is
 * not an item, after a finding at the student's call (the first one only). */
static bool item_record(long i)
{
    if (i >= 0 && i < item_n) {
        atomic_fetch_add_explicit(&item_counts[i], 1, RELAXED);
        return true;
    }
    atomic_fetch_add_explicit(&bad_calls, 1, RELAXED);
    if (!atomic_exchange_explicit(&bad_reported, 1, RELAXED))
        drv_finding("wrong-result",
                    "work(%ld) was called, but the items are 0 to %ld (n = %ld): an item was "
                    "taken after the last one was gone",
                    i, item_n - 1, item_n);
    return false;
}

static void item_finish(void)
{
    atomic_fetch_add_explicit(&item_done, 1, RELAXED);
}

/* One sentence on items computed never or more than once ("" when none);
 * returns how many items were wrong. */
static long items_describe(char *buf, size_t len)
{
    long never = 0, twice = 0, first_never = -1, first_twice = -1;
    int times = 0;
    for (long i = 0; i < item_n; i++) {
        int c = atomic_load_explicit(&item_counts[i], RELAXED);
        if (c == 0 && !never++) first_never = i;
        if (c > 1 && !twice++) first_twice = i, times = c;
    }
    buf[0] = '\0';
    size_t used = 0;
    if (never)
        used += (size_t)snprintf(buf, len, "%ld of the %ld items were never computed (the first: item %ld)",
                                 never, item_n, first_never);
    if (twice && used < len)
        snprintf(buf + used, len - used, "%s%ld of the %ld items were computed more than once (item %ld: %d times)",
                 used ? "; " : "", twice, item_n, first_twice, times);
    return never + twice;
}

/* Checks the sum parallel_sum returned, and each item's count. */
static void items_check(long rc, int workers)
{
    char items[512];
    long wrong = items_describe(items, sizeof items);
    long expected = sum_expected(item_n);
    drv_out("rc", "%ld", rc);
    drv_out("expected", "%ld", expected);
    drv_out("wrong_items", "%ld", wrong);
    drv_out("bad_calls", "%ld", atomic_load(&bad_calls));
    if (rc != expected)
        drv_finding("wrong-result", "parallel_sum(work, %ld, %d) returned %ld, expected %ld%s%s", item_n,
                    workers, rc, expected, wrong ? ": " : "", items);
    else if (wrong)
        drv_finding("wrong-result", "parallel_sum(work, %ld, %d) returned the right sum, but %s", item_n,
                    workers, items);
}

static long work_count(long i)
{
    item_record(i);
    item_finish();
    return value_of(i);
}

/* sum N W: the sum of n items computed by w workers, each item once. */
static int scenario_sum(int argc, char **argv)
{
    long n = drv_arg(argc, argv, 1, 12);
    int w = (int)drv_arg(argc, argv, 2, 3);
    items_begin(n);
    long rc = parallel_sum(work_count, n, w);
    items_check(rc, w);
    drv_threads_check_joined("before parallel_sum returned");
    return 0;
}

/* zero W: n == 0 returns 0, creates no thread and computes nothing. */
static int scenario_zero(int argc, char **argv)
{
    int w = (int)drv_arg(argc, argv, 1, 4);
    items_begin(0);
    long rc = parallel_sum(work_count, 0, w);
    drv_thread_stats s = drv_threads_stats();
    drv_out("rc", "%ld", rc);
    drv_out("created", "%ld", s.created);
    if (rc != 0) drv_finding("wrong-result", "parallel_sum(work, 0, %d) returned %ld, expected 0", w, rc);
    if (s.created)
        drv_finding("wrong-result",
                    "parallel_sum(work, 0, %d) created %ld thread%s: with no item there is nothing "
                    "to share, so return 0 before creating any",
                    w, s.created, s.created == 1 ? "" : "s");
    drv_threads_check_joined("before parallel_sum returned");
    return 0;
}

/* invalid: n < 0 or workers < 1 return -1 at once: no thread, no work. */
static int scenario_invalid(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    static const struct { long n; int w; } calls[] = {{-1, 4}, {-10, 1}, {10, 0}, {10, -3}};
    for (size_t k = 0; k < sizeof calls / sizeof calls[0]; k++) {
        drv_threads_reset();
        items_begin(calls[k].n > 0 ? calls[k].n : 0);
        long rc = parallel_sum(work_count, calls[k].n, calls[k].w);
        drv_thread_stats s = drv_threads_stats();
        long done = atomic_load(&item_done);
        if (rc != -1)
            drv_finding("wrong-result", "parallel_sum(work, %ld, %d) returned %ld, expected -1 (%s)", calls[k].n,
                        calls[k].w, rc, calls[k].n < 0 ? "n < 0" : "workers < 1");
        else if (s.created || done)
            drv_finding("wrong-result",
                        "parallel_sum(work, %ld, %d) returned -1, but only after creating %ld thread%s "
                        "and calling work %ld times: check the arguments first",
                        calls[k].n, calls[k].w, s.created, s.created == 1 ? "" : "s", done);
        drv_threads_check_joined("before parallel_sum returned");
            if (drv_findings()) break;
    }
    return 0;
}

/* --- concurrent: `workers` threads inside work at once --------------------- */

static drv_gate *gate;
static atomic_int inside, inside_most;
static atomic_int turns_reported; /* 0 not yet, 1 explained as turns, 2 left to the caller */

/* Threads of the process, other than the caller and the main thread (the
 * one in parallel_sum), that are asleep on a futex (a lock, a condition
 * variable, a join), less the `others_in_work` of them waiting at the gate
 * inside work: those are waiting outside work, for something. Exited
 * threads are gone from /proc/self/task even before they are joined. */
static int blocked_outside_work(int others_in_work)
{
    DIR *d = opendir("/proc/self/task");
    if (!d) return 0;
    pid_t self = drv_sync_tid(), main_tid = getpid();
    int blocked = 0;
    for (struct dirent *e; (e = readdir(d));) {
        pid_t tid = (pid_t)atoi(e->d_name);
        if (tid > 0 && tid != self && tid != main_tid && drv_sync_state(tid) == DRV_T_BLOCKED) blocked++;
    }
    closedir(d);
    return blocked > others_in_work ? blocked - others_in_work : 0;
}

/* The first call that finds the gate broken tells why, from the student's
 * thread: when other threads of the student are waiting, blocked, outside
 * work, they are waiting for this one, which holds what they need (a lock
 * held around work). That is the whole story, so the run ends there. */
static void gate_broken_explain(int workers)
{
    int unclaimed = 0;
    if (!atomic_compare_exchange_strong_explicit(&turns_reported, &unclaimed, 2, RELAXED, RELAXED))
        return;
    int in_work = atomic_load_explicit(&inside, RELAXED);
    int waiting = blocked_outside_work(in_work - 1);
    if (waiting < 1) return; /* explained after the call, from what the observer saw */
    atomic_store_explicit(&turns_reported, 1, RELAXED);
    drv_finding("not-concurrent",
                "the threads take turns: no parallelism, like Python's GIL. Only %d of the %d "
                "workers got inside work at once; %d other thread%s waited, blocked, until this "
                "call of work returned, as if it ran with a lock held that they need. Hold a lock "
                "only to take the next item and to add to the total; call work with no lock held",
                drv_gate_most(gate), workers, waiting, waiting == 1 ? "" : "s");
    /* End here: the schedule's last events are then the other threads
     * blocked on the lock this one holds, at the student's lines. */
    drv_exit(1);
}

static int gate_workers;

static long work_meet(long i)
{
    item_record(i);
    int now = atomic_fetch_add_explicit(&inside, 1, RELAXED) + 1;
    for (int m = atomic_load_explicit(&inside_most, RELAXED); now > m;)
        if (atomic_compare_exchange_weak_explicit(&inside_most, &m, now, RELAXED, RELAXED)) break;
    if (drv_gate_wait(gate) < 0) gate_broken_explain(gate_workers);
    atomic_fetch_sub_explicit(&inside, 1, RELAXED);
    item_finish();
    return value_of(i);
}

/* concurrent N W: the first w calls meet inside work (a rendezvous). */
static int scenario_concurrent(int argc, char **argv)
{
    long n = drv_arg(argc, argv, 1, 16);
    int w = (int)drv_arg(argc, argv, 2, 4);
    gate_workers = w;
    gate = drv_gate_new(w);
    items_begin(n);
    long rc = parallel_sum(work_meet, n, w);
    drv_thread_stats s = drv_threads_stats();
    drv_out("most", "%d", drv_gate_most(gate));
    drv_out("created", "%ld", s.created);
    if (drv_gate_broken(gate) && atomic_load(&turns_reported) != 1) {
        const void *join = drv_threads_early_join();
        if (join)
            drv_finding_at("not-concurrent", join,
                           "at most %d of the %d workers %s inside work at the same time: this "
                           "pthread_join waits for one thread before the next is created; start "
                           "every worker before you join any of them",
                           drv_gate_most(gate), w, drv_gate_most(gate) == 1 ? "was" : "were");
        else
            drv_finding_at("not-concurrent", drv_threads_create_site(),
                           "at most %d of the %d workers %s inside work at the same time (%ld "
                           "threads created): start %d threads and let each of them call work",
                           drv_gate_most(gate), w, drv_gate_most(gate) == 1 ? "was" : "were",
                           s.created, w);
    }
    if (s.created > w || atomic_load(&inside_most) > w)
        drv_finding_at("wrong-result", drv_threads_create_site(),
                       "parallel_sum(work, %ld, %d) created %ld threads and ran up to %d calls of "
                       "work at once: the items are to be shared by exactly %d workers, each "
                       "taking item after item (creating a thread costs more than computing many "
                       "an item, and the machine has only so many cores)",
                       n, w, s.created, atomic_load(&inside_most), w);
    items_check(rc, w);
    drv_threads_check_joined("before parallel_sum returned");
    return 0;
}

/* --- once: each item exactly once, under many schedules -------------------- */

/* Gives the turn away after each item (under a stress schedule the next
 * thread runs), so a counter checked outside its lock is caught. */
static long work_yield(long i)
{
    item_record(i);
    sched_yield();
    item_finish();
    return value_of(i);
}

/* once N W: every item computed exactly once, never one outside [0, n). */
static int scenario_once(int argc, char **argv)
{
    long n = drv_arg(argc, argv, 1, 24);
    int w = (int)drv_arg(argc, argv, 2, 4);
    items_begin(n);
    long rc = parallel_sum(work_yield, n, w);
    items_check(rc, w);
    drv_threads_check_joined("before parallel_sum returned");
    return 0;
}

/* --- slow: a slow item delays only its own worker -------------------------- */

#define SLOW_ITEM 0
static int slow_workers;

static bool others_done(void *arg)
{
    (void)arg;
    return atomic_load_explicit(&item_done, RELAXED) >= item_n - 1;
}

/* Item SLOW_ITEM stands for a slow one: it returns only once every other item
 * is done, or once nothing else can happen (every other thread is waiting,
 * finished or idle). The items still not done then were set aside for this
 * thread in advance: fixed blocks, where a slow item stalls its whole block. */
/* How the items never started (count 0, the slow item aside) were laid out,
 * as a phrase: a block right after the slow item, every k-th item, or
 * neither. */
static void stuck_describe(char *buf, size_t len)
{
    long first = -1, second = -1, last = -1, count = 0;
    bool block = true, stride = true;
    for (long i = 0; i < item_n; i++) {
        if (i == SLOW_ITEM || atomic_load_explicit(&item_counts[i], RELAXED)) continue;
        if (count == 1) second = i;
        if (count >= 1 && i != last + 1) block = false;
        if (count >= 2 && i - last != second - first) stride = false;
        if (!count++) first = i;
        last = i;
    }
    if (block && first == SLOW_ITEM + 1)
        snprintf(buf, len, "items %ld to %ld, the fixed block of n / workers items that holds "
                 "work(%d)", first, last, SLOW_ITEM);
    else if (stride && count >= 2 && first == second - first)
        snprintf(buf, len, "items %ld, %ld, ... %ld, dealt out in advance round-robin with work(%d)",
                 first, second, last, SLOW_ITEM);
    else
        snprintf(buf, len, "set aside in advance for the thread computing work(%d)", SLOW_ITEM);
}

static long work_slow(long i)
{
    if (!item_record(i)) return 0;
    if (i == SLOW_ITEM) {
        drv_sync_until(others_done, NULL, 10000);
        long stuck = item_n - 1 - atomic_load_explicit(&item_done, RELAXED);
        long chunk = item_n / (4L * slow_workers);
        drv_out("stuck", "%ld", stuck);
        if (stuck >= (chunk > 1 ? chunk : 1)) {
            char which[256];
            stuck_describe(which, sizeof which);
            drv_finding("not-concurrent",
                        "work(%d) stood for a slow item: it waited until every other item was "
                        "done. But %ld of the other %ld items were never started while the other "
                        "workers had nothing left to do (%s): one slow item stalled them all. "
                        "Hand the items out one at a time from a shared next-item counter (or in "
                        "small chunks, at most n / (4 * workers) = %ld items), so that a slow item "
                        "delays only its own worker",
                        SLOW_ITEM, stuck, item_n - 1, which, chunk > 1 ? chunk : 1);
        }
    }
    item_finish();
    return value_of(i);
}

/* slow N W: item 0 waits until every other item is done. */
static int scenario_slow(int argc, char **argv)
{
    long n = drv_arg(argc, argv, 1, 64);
    int w = (int)drv_arg(argc, argv, 2, 4);
    slow_workers = w > 0 ? w : 1;
    items_begin(n);
    long rc = parallel_sum(work_slow, n, w);
    items_check(rc, w);
    drv_threads_check_joined("before parallel_sum returned");
    return 0;
}

/* --- create-fails: -1, with nothing left running --------------------------- */

/* create-fails N W K: the k-th pthread_create fails with EAGAIN. */
static int scenario_create_fails(int argc, char **argv)
{
    long n = drv_arg(argc, argv, 1, 40);
    int w = (int)drv_arg(argc, argv, 2, 4);
    long k = drv_arg(argc, argv, 3, 3);
    items_begin(n);
    drv_threads_fail_at(k);
    long rc = parallel_sum(work_count, n, w);
    drv_threads_fail_at(0);
    drv_thread_stats s = drv_threads_stats();
    drv_out("rc", "%ld", rc);
    drv_out("created", "%ld", s.created);
    if (rc != -1)
        drv_finding("wrong-result",
                    "pthread_create failed (EAGAIN) for thread %ld of %d, but parallel_sum returned "
                    "%ld instead of -1",
                    k, w, rc);
    drv_threads_check_joined("after pthread_create failed");
    return 0;
}

/* --- race: pure work, for the race detectors ------------------------------- */

/* A rendezvous that creates no happens-before edge (relaxed atomics only):
 * the first `race_parties` calls wait until all of them are inside work, so
 * that the student's updates right after work run unordered in every run
 * and the race detectors report a race deterministically, however the
 * threads happen to be scheduled. A serial submission waits out the
 * patience window, then goes on. */
static atomic_int race_arrived;
static int race_parties;

static bool race_met(void *arg)
{
    (void)arg;
    return atomic_load_explicit(&race_arrived, RELAXED) >= race_parties;
}

static void race_meet(void)
{
    if (atomic_fetch_add_explicit(&race_arrived, 1, RELAXED) >= race_parties) return;
    int64_t until = now_us() + (int64_t)drv_patience_ms(3000) * 1000;
    while (!race_met(NULL) && now_us() < until) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
}

/* Pure work: nothing shared but the driver's relaxed counters. */
static long work_pure(long i)
{
    item_record(i);
    race_meet();
    item_finish();
    return value_of(i);
}

/* race N W: the work of n items, nothing else in between. */
static int scenario_race(int argc, char **argv)
{
    long n = drv_arg(argc, argv, 1, 200);
    int w = (int)drv_arg(argc, argv, 2, 4);
    race_parties = w;
    items_begin(n);
    long rc = parallel_sum(work_pure, n, w);
    items_check(rc, w);
    drv_threads_check_joined("before parallel_sum returned");
    return 0;
}

/* --- speedup: information for the report ----------------------------------- */

/* Real CPU work: about (1 + i % 4) * 150000 dependent multiplications. */
static long work_heavy(long i)
{
    unsigned long x = (unsigned long)i + 1;
    long rounds = 150000L * (1 + i % 4);
    for (long k = 0; k < rounds; k++) x = x * 6364136223846793005UL + 1442695040888963407UL;
    return (long)(x >> 54);
}

static double now_ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cores_usable(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    int c = CPU_COUNT(&set);
    return c > 0 ? c : 1;
}

/* speedup W N: the same items by one thread, then by w workers (w = 0: one
 * per usable core, at least 2). Outputs times; the spec shows them. */
static int scenario_speedup(int argc, char **argv)
{
    int cores = cores_usable();
    int w = (int)drv_arg(argc, argv, 1, 0);
    long n = drv_arg(argc, argv, 2, 48);
    if (w <= 0) w = cores > 1 ? cores : 2;
    double t0 = now_ms(CLOCK_MONOTONIC);
    long expected = 0;
    for (long i = 0; i < n; i++) expected += work_heavy(i);
    double t1 = now_ms(CLOCK_MONOTONIC), c1 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
    long rc = parallel_sum(work_heavy, n, w);
    double t2 = now_ms(CLOCK_MONOTONIC), c2 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
    drv_out("cores", "%d", cores);
    drv_out("workers", "%d", w);
    drv_out("seq_ms", "%.0f", t1 - t0);
    drv_out("par_ms", "%.0f", t2 - t1);
    drv_out("cpu_ms", "%.0f", c2 - c1);
    drv_out("speedup", "%.1f", t2 > t1 ? (t1 - t0) / (t2 - t1) : 0.0);
    if (rc != expected)
        drv_finding("wrong-result", "parallel_sum(work, %ld, %d) returned %ld, expected %ld", n, w, rc, expected);
    drv_threads_check_joined("before parallel_sum returned");
    return 0;
}

int main(int argc, char **argv)
{
    static const drv_scenario scenarios[] = {
        {"sum", scenario_sum, "N W: the sum of n items by w workers"},
        {"zero", scenario_zero, "W: n == 0"},
        {"invalid", scenario_invalid, "n < 0, workers < 1: -1 at once"},
        {"concurrent", scenario_concurrent, "N W: w workers inside work at once (rendezvous)"},
        {"once", scenario_once, "N W: each item exactly once (yields after each)"},
        {"slow", scenario_slow, "N W: item 0 waits for every other item"},
        {"create-fails", scenario_create_fails, "N W K: the k-th pthread_create fails"},
        {"race", scenario_race, "N W: pure work, for the race detectors"},
        {"speedup", scenario_speedup, "W N: one thread, then w workers (times, information)"},
        {NULL, NULL, NULL},
    };
    return drv_main(argc, argv, scenarios);
}
