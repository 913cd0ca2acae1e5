/* driver.c - scenarios of the `queue` exercise.
 *
 * Each scenario calls the student's queue from test threads and reports what
 * it saw. Blocking is proven by state, never by a stopwatch: a call that
 * must block is watched (grader_sync.h) until it has either returned or is
 * asleep in the kernel; only then does the test make the opposite call.
 * Items are numbers disguised as pointers (never dereferenced): producer p's
 * s-th item is ITEM(p, s), so any item can be traced back to its put. */
#include <pthread.h>
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
#include "queue.h"

#define RELAXED memory_order_relaxed
#define ITEM(p, s) ((void *)(uintptr_t)((((uintptr_t)(p) + 1) << 32) | ((uintptr_t)(s) + 1)))
#define MAX_WATCHED 16

/* How long a call that should return promptly may take before the test
 * gives up on it (ms, scaled for slow tools): bounds a failure only. */
#define PATIENCE 2000
/* How long a call may take to either return or fall asleep (ms, scaled). */
#define SETTLE 1000

/* Producer and item number of an item made by ITEM; false if it is not one. */
static bool item_decode(void *it, long *p, long *s)
{
    uintptr_t v = (uintptr_t)it;
    if ((v >> 32) == 0 || (v & 0xffffffffu) == 0) return false;
    *p = (long)(v >> 32) - 1;
    *s = (long)(v & 0xffffffffu) - 1;
    return true;
}

/* "item #3" (its number within its producer's items), or what the pointer
 * was if no producer made it. */
static const char *item_name(void *it, char *buf, size_t len)
{
    long p, s;
    if (!it) snprintf(buf, len, "NULL");
    else if (!item_decode(it, &p, &s)) snprintf(buf, len, "%p", it);
    else snprintf(buf, len, "item #%ld", s + 1);
    return buf;
}

/* Ends the program at once: the queue is broken, and going on would only
 * stall the test threads behind it. Findings are already sent. */
static _Noreturn void give_up(void)
{
    drv_exit(1);
}

/* A test thread running fn(arg); a failure to create it ends the run. */
static pthread_t spawn(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    if (pthread_create(&t, NULL, fn, arg) != 0) {
        drv_finding("crash", "the test could not create a thread");
        give_up();
    }
    return t;
}

/* queue_create(cap), reporting a NULL. */
static queue_t *create_or_report(size_t cap)
{
    queue_t *q = queue_create(cap);
    if (!q) drv_finding_in("wrong-result", (const void *)queue_create, "queue_create(%zu) returned NULL", cap);
    return q;
}

/* --- fifo: one thread, order and size -------------------------------------------------- */

typedef struct fifo_state {
    queue_t *q;
    long next_put, next_get, gets; /* item numbers from 1 */
    size_t held;
} fifo_state;

/* "1st", "2nd", "11th", ... in buf. */
static const char *nth(long n, char *buf, size_t len)
{
    const char *suf = (n % 100 >= 11 && n % 100 <= 13) ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
    snprintf(buf, len, "%ld%s", n, suf);
    return buf;
}

/* Puts the next item; false (after a finding) if put failed. */
static bool fifo_put(fifo_state *f)
{
    int rc = queue_put(f->q, ITEM(0, f->next_put - 1));
    if (rc != 0) {
        drv_finding_in("wrong-result", (const void *)queue_put, "queue_put returned %d on an open queue holding %zu items (capacity 4), expected 0", rc, f->held);
        return false;
    }
    f->next_put++;
    f->held++;
    return true;
}

/* Gets one item and checks it is the oldest; false after a finding. */
static bool fifo_get(fifo_state *f)
{
    void *it = NULL;
    char a[16], b[48], c[48];
    f->gets++;
    int rc = queue_get(f->q, &it);
    if (rc != 0) {
        drv_finding_in("wrong-result", (const void *)queue_get, "the %s queue_get returned %d while the queue held %zu items, expected 0 and item #%ld",
                    nth(f->gets, a, sizeof a), rc, f->held, f->next_get);
        return false;
    }
    if (it != ITEM(0, f->next_get - 1)) {
        drv_finding_in("wrong-result", (const void *)queue_get,
                    "the %s queue_get returned %s, expected %s: items must leave in the order they were "
                    "put (first in, first out)",
                    nth(f->gets, a, sizeof a), item_name(it, b, sizeof b), item_name(ITEM(0, f->next_get - 1), c, sizeof c));
        return false;
    }
    f->next_get++;
    f->held--;
    return true;
}

/* queue_size is what the test counts; false after a finding. */
static bool fifo_size(fifo_state *f, const char *when)
{
    size_t n = queue_size(f->q);
    if (n != f->held) {
        drv_finding_in("wrong-result", (const void *)queue_size, "queue_size returned %zu %s, expected %zu", n, when, f->held);
        return false;
    }
    return true;
}

/* fifo: single-threaded: create(0), order, size, and the ring wrapping
 * around many times. */
static int scenario_fifo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    queue_t *none = queue_create(0);
    if (none)
        drv_finding_in("wrong-result", (const void *)queue_create, "queue_create(0) returned a queue, expected NULL: a queue with no room can never "
                                    "take an item");
    fifo_state f = {.q = create_or_report(4), .next_put = 1, .next_get = 1};
    if (!f.q) return 0;
    if (!fifo_size(&f, DRV_MSG("on a new queue"))) return 0;
    for (int i = 0; i < 4; i++)
        if (!fifo_put(&f)) return 0;
    if (!fifo_size(&f, DRV_MSG("after 4 puts"))) return 0;
    for (int i = 0; i < 2; i++)
        if (!fifo_get(&f)) return 0;
    if (!fifo_size(&f, DRV_MSG("after 4 puts and 2 gets"))) return 0;
    for (int i = 0; i < 2; i++)
        if (!fifo_put(&f)) return 0;
    for (int i = 0; i < 4; i++)
        if (!fifo_get(&f)) return 0;
    if (!fifo_size(&f, DRV_MSG("once every item was taken"))) return 0;
    /* round and round the ring: k puts then k gets */
    for (int round = 0; round < 600; round++) {
        int k = 1 + round % 4;
        for (int i = 0; i < k; i++)
            if (!fifo_put(&f)) return 0;
        for (int i = 0; i < k; i++)
            if (!fifo_get(&f)) return 0;
    }
    if (!fifo_size(&f, DRV_MSG("after 1500 items went through"))) return 0;
    drv_out("items", "%ld", f.next_get - 1);
    queue_destroy(f.q);
    return 0;
}

/* --- watched calls: put-blocks, get-blocks, busy, close ---------------------------------------- */

/* k test threads, each making one call (all puts or all gets) on q. */
typedef struct watchers watchers;
typedef struct watcher {
    watchers *all;
    int i;
} watcher;
struct watchers {
    queue_t *q;
    int k;
    drv_call calls[MAX_WATCHED];
    void *items[MAX_WATCHED]; /* put: what to put; get: what came out */
    pthread_t threads[MAX_WATCHED];
    watcher slots[MAX_WATCHED];
};

/* Test thread: one watched queue_put of its item. */
static void *watched_put(void *p)
{
    watcher *s = p;
    watchers *w = s->all;
    drv_call_enter(&w->calls[s->i]);
    int rc = queue_put(w->q, w->items[s->i]);
    drv_call_leave(&w->calls[s->i], rc);
    return NULL;
}

/* Test thread: one watched queue_get; keeps what came out. */
static void *watched_get(void *p)
{
    watcher *s = p;
    watchers *w = s->all;
    void *it = NULL;
    drv_call_enter(&w->calls[s->i]);
    int rc = queue_get(w->q, &it);
    w->items[s->i] = it;
    drv_call_leave(&w->calls[s->i], rc);
    return NULL;
}

/* Starts k calls of queue_put (items #first, #first+1, ...) or queue_get. */
static watchers *watchers_start(queue_t *q, int k, bool put, long first)
{
    watchers *w = calloc(1, sizeof *w);
    if (!w) abort();
    w->q = q;
    w->k = k < MAX_WATCHED ? k : MAX_WATCHED;
    for (int i = 0; i < w->k; i++) {
        w->slots[i] = (watcher){w, i};
        if (put) w->items[i] = ITEM(0, first - 1 + i);
    }
    for (int i = 0; i < w->k; i++) w->threads[i] = spawn(put ? watched_put : watched_get, &w->slots[i]);
    return w;
}

/* Waits until every call has returned or is asleep (or spins). */
static int watchers_settle(watchers *w)
{
    return drv_calls_settle(w->calls, w->k, SETTLE);
}

/* How many of the calls have returned. */
static int watchers_returned(watchers *w)
{
    return drv_calls_returned(w->calls, w->k);
}

typedef struct at_least {
    watchers *w;
    int n;
} at_least;

static bool returned_at_least(void *p)
{
    at_least *a = p;
    return watchers_returned(a->w) >= a->n;
}

/* Waits (bounded) until n of the calls have returned: 0, or -1. */
static int watchers_wait(watchers *w, int n)
{
    at_least a = {w, n};
    return drv_sync_until(returned_at_least, &a, PATIENCE);
}

/* The returned call not yet in `known` (bit i: call i seen), or -1. */
static int newly_returned(watchers *w, unsigned *known)
{
    for (int i = 0; i < w->k; i++)
        if (!(*known & (1u << i)) && drv_call_returned(&w->calls[i])) {
            *known |= 1u << i;
            return i;
        }
    return -1;
}

/* Joins the test threads (all calls returned) and frees w. */
static void watchers_join(watchers *w)
{
    for (int i = 0; i < w->k; i++) pthread_join(w->threads[i], NULL);
    free(w);
}

/* Fills q with items #1..#n; false after a finding. */
static bool fill(queue_t *q, size_t n, size_t cap)
{
    for (size_t i = 0; i < n; i++) {
        int rc = queue_put(q, ITEM(0, i));
        if (rc != 0) {
            drv_finding_in("wrong-result", (const void *)queue_put, "queue_put returned %d on an open queue holding %zu of %zu items, expected 0", rc, i, cap);
            return false;
        }
    }
    return true;
}

/* put-blocks CAP K: with the queue full, K puts wait; each get lets exactly
 * one of them finish, and the items keep their order. */
static int scenario_put_blocks(int argc, char **argv)
{
    size_t cap = (size_t)drv_arg(argc, argv, 1, 3);
    int k = (int)drv_arg(argc, argv, 2, 2);
    char a[48], b[48];
    queue_t *q = create_or_report(cap);
    if (!q || !fill(q, cap, cap)) return 0;
    watchers *w = watchers_start(q, k, true, (long)cap + 1);
    watchers_settle(w);
    unsigned known = 0;
    int i = newly_returned(w, &known);
    if (i >= 0) {
        long rc = atomic_load(&w->calls[i].rc);
        if (rc == 0)
            drv_finding_in("invariant", (const void *)queue_put,
                        "queue_put returned 0 while the queue was full (%zu of %zu items) and nobody had taken "
                        "an item: the queue now holds more than its capacity. put must wait while the queue is full",
                        cap, cap);
        else
            drv_finding_in("wrong-result", (const void *)queue_put,
                        "queue_put returned %ld at once on a full queue that is open: -1 means \"closed\"; while "
                        "the queue is full, put must wait until a get makes room",
                        rc);
        return 0;
    }
    drv_out("blocked", "%d", k);
    for (int j = 0; j < k; j++) {
        void *it = NULL;
        int rc = queue_get(q, &it);
        if (rc != 0 || it != ITEM(0, j)) {
            drv_finding_in("wrong-result", (const void *)queue_get, "queue_get on a full queue returned %d and %s, expected 0 and %s (the oldest item)",
                        rc, item_name(it, a, sizeof a), item_name(ITEM(0, j), b, sizeof b));
            return 0;
        }
        if (watchers_wait(w, j + 1) != 0) {
            drv_finding_in("lost-wakeup", (const void *)queue_get,
                        "queue_get took an item out of the full queue, but none of the %d queue_put calls waiting "
                        "for room returned: they were never woken. After taking an item, get must wake a put that "
                        "waits (signal the condition variable that puts wait on)",
                        k - j);
            return 0;
        }
        watchers_settle(w);
        if (watchers_returned(w) > j + 1) {
            drv_finding_in("invariant", (const void *)queue_put,
                        "one queue_get made room for one item, but %d of the queue_put calls waiting for room "
                        "returned: the queue went over its capacity (%zu). A woken put must check again, in a "
                        "while loop, that there is room",
                        watchers_returned(w) - j, cap);
            return 0;
        }
        i = newly_returned(w, &known);
        long prc = atomic_load(&w->calls[i].rc);
        if (prc != 0) {
            drv_finding_in("wrong-result", (const void *)queue_put, "queue_put returned %ld once a get had made room, expected 0", prc);
            return 0;
        }
    }
    /* what is left: the oldest items, then the ones just put, in the order they went in */
    for (size_t j = (size_t)k; j < cap + (size_t)k; j++) {
        void *want = ITEM(0, j), *it = NULL;
        if (j >= cap) {
            /* the put that returned (j - cap + 1)-th */
            long best = -1;
            for (int m = 0; m < k; m++) {
                long at = atomic_load(&w->calls[m].out_at), rank = 0;
                for (int o = 0; o < k; o++) rank += atomic_load(&w->calls[o].out_at) < at;
                if (rank == (long)(j - cap)) best = m;
            }
            want = best >= 0 ? w->items[best] : want;
        }
        int rc = queue_get(q, &it);
        if (rc != 0 || it != want) {
            drv_finding_in("wrong-result", (const void *)queue_get,
                        "after the blocked puts finished, queue_get returned %d and %s, expected 0 and %s: items "
                        "must leave in the order they went in",
                        rc, item_name(it, a, sizeof a), item_name(want, b, sizeof b));
            return 0;
        }
    }
    watchers_join(w);
    queue_destroy(q);
    return 0;
}

/* get-blocks K: on an empty queue K gets wait; each put lets exactly one of
 * them finish, with that item. */
static int scenario_get_blocks(int argc, char **argv)
{
    int k = (int)drv_arg(argc, argv, 1, 2);
    size_t cap = 4;
    char a[48], b[48];
    queue_t *q = create_or_report(cap);
    if (!q) return 0;
    watchers *w = watchers_start(q, k, false, 0);
    watchers_settle(w);
    unsigned known = 0;
    int i = newly_returned(w, &known);
    if (i >= 0) {
        drv_finding_in("wrong-result", (const void *)queue_get,
                    "queue_get returned %ld (with %s) on an empty queue nobody had put anything into: while the "
                    "queue is empty, get must wait until an item arrives",
                    atomic_load(&w->calls[i].rc), item_name(w->items[i], a, sizeof a));
        return 0;
    }
    drv_out("blocked", "%d", k);
    for (int j = 0; j < k; j++) {
        int rc = queue_put(q, ITEM(0, j));
        if (rc != 0) {
            drv_finding_in("wrong-result", (const void *)queue_put, "queue_put returned %d on an open queue that is not full, expected 0", rc);
            return 0;
        }
        if (watchers_wait(w, j + 1) != 0) {
            drv_finding_in("lost-wakeup", (const void *)queue_put,
                        "queue_put added an item, but none of the %d queue_get calls waiting for one returned: they "
                        "were never woken. After adding an item, put must wake a get that waits (signal the "
                        "condition variable that gets wait on)",
                        k - j);
            return 0;
        }
        watchers_settle(w);
        if (watchers_returned(w) > j + 1) {
            drv_finding_in("wrong-result", (const void *)queue_get,
                        "one item arrived, but %d of the queue_get calls waiting for one returned: a get went on "
                        "with nothing to take. A woken get must check again, in a while loop, that the queue is "
                        "not empty",
                        watchers_returned(w) - j);
            return 0;
        }
        i = newly_returned(w, &known);
        long grc = atomic_load(&w->calls[i].rc);
        if (grc != 0 || w->items[i] != ITEM(0, j)) {
            drv_finding_in("wrong-result", (const void *)queue_get, "a waiting queue_get returned %ld and %s once item #%d arrived, expected 0 and %s",
                        grc, item_name(w->items[i], a, sizeof a), j + 1, item_name(ITEM(0, j), b, sizeof b));
            return 0;
        }
    }
    watchers_join(w);
    size_t n = queue_size(q);
    if (n != 0) drv_finding_in("wrong-result", (const void *)queue_size, "queue_size returned %zu after every item was taken, expected 0", n);
    queue_destroy(q);
    return 0;
}

/* --- busy: what a blocked caller costs --------------------------------------------------------- */

#define WINDOW_MS 300

/* Watches the blocked call of w for WINDOW_MS: its CPU time and how often
 * it woke up. False after a busy-wait finding. */
static bool cheap_while_blocked(watchers *w, const char *what)
{
    pthread_t t = w->threads[0];
    pid_t tid = (pid_t)atomic_load(&w->calls[0].tid);
    long c0 = drv_sync_cpu_us(t), w0 = drv_sync_wakeups(tid);
    struct timespec ts = {.tv_sec = 0, .tv_nsec = WINDOW_MS * 1000000L};
    nanosleep(&ts, NULL);
    long c1 = drv_sync_cpu_us(t), w1 = drv_sync_wakeups(tid);
    if (c0 < 0 || c1 < 0) return true; /* cannot measure: say nothing */
    long cpu_ms = (c1 - c0) / 1000, wakes = w1 - w0;
    drv_out("cpu_ms", "%ld", cpu_ms);
    drv_out("wakeups", "%ld", wakes);
    if (cpu_ms * 10 > WINDOW_MS) {
        drv_sync_finding_in(t, "busy-wait",
                            "%s kept running while it waited: it used %ld ms of CPU time in %d ms. It spins "
                            "(checks again and again) instead of sleeping. Wait on a condition variable with "
                            "pthread_cond_wait: the thread sleeps, using no CPU, until another thread signals",
                            what, cpu_ms, WINDOW_MS);
        return false;
    }
    if (w0 >= 0 && w1 >= 0 && wakes > 20) {
        drv_sync_finding_in(t, "busy-wait",
                            "%s woke up %ld times in %d ms while nothing changed: it polls (sleeps a little, then "
                            "looks again) instead of waiting to be woken. Wait on a condition variable with "
                            "pthread_cond_wait: the thread sleeps until another thread signals that the queue changed",
                            what, wakes, WINDOW_MS);
        return false;
    }
    return true;
}

/* busy: a get blocked on an empty queue, then a put blocked on a full one,
 * must cost (almost) no CPU time. A call that does not wait at all costs
 * nothing here (put-blocks and get-blocks report it). */
static int scenario_busy(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    void *it;
    queue_t *q = create_or_report(1);
    if (!q) return 0;
    watchers *w = watchers_start(q, 1, false, 0);
    watchers_settle(w);
    if (watchers_returned(w)) {
        drv_out("get_waited", "no");
    } else {
        if (!cheap_while_blocked(w, DRV_MSG("queue_get on an empty queue"))) return 0;
        /* a get that is not woken is get-blocks' business, not this check's */
        if (queue_put(q, ITEM(0, 0)) != 0 || watchers_wait(w, 1) != 0) return 0;
    }
    watchers_join(w);
    while (queue_size(q) > 0 && queue_get(q, &it) == 0) continue;
    if (!fill(q, 1, 1)) return 0;
    w = watchers_start(q, 1, true, 2);
    watchers_settle(w);
    if (watchers_returned(w)) {
        drv_out("put_waited", "no");
        return 0;
    }
    if (!cheap_while_blocked(w, DRV_MSG("queue_put on a full queue"))) return 0;
    if (queue_get(q, &it) != 0 || watchers_wait(w, 1) != 0) return 0; /* put-blocks reports it */
    watchers_join(w);
    queue_destroy(q);
    return 0;
}

/* --- close ------------------------------------------------------------------------------------- */

/* After queue_close, every one of the blocked calls of w must return -1. */
static void close_wakes_all(queue_t *q, watchers *w, const char *what, const char *waiting_for)
{
    queue_close(q);
    watchers_wait(w, w->k);
    int back = watchers_returned(w);
    if (back < w->k) {
        drv_finding_in("lost-wakeup", (const void *)queue_close,
                    "queue_close woke %d of the %d %s calls waiting %s; %d still wait, for something that can "
                    "never happen now. close must wake every waiter (pthread_cond_broadcast, on every condition "
                    "variable callers wait on), and a woken caller must see that the queue is closed",
                    back, w->k, what, waiting_for, w->k - back);
        return;
    }
    for (int i = 0; i < w->k; i++) {
        long rc = atomic_load(&w->calls[i].rc);
        if (rc != -1) {
            drv_finding_in("wrong-result", (const void *)queue_close, "a %s call waiting %s returned %ld when the queue was closed, expected -1", what,
                        waiting_for, rc);
            return;
        }
    }
    watchers_join(w);
}

/* close-get K: K gets wait on an empty queue; close wakes them all, -1. */
static int scenario_close_get(int argc, char **argv)
{
    int k = (int)drv_arg(argc, argv, 1, 3);
    queue_t *q = create_or_report(2);
    if (!q) return 0;
    watchers *w = watchers_start(q, k, false, 0);
    watchers_settle(w);
    if (watchers_returned(w)) {
        drv_finding_in("wrong-result", (const void *)queue_get, "queue_get returned on an empty, open queue: it must wait until an item arrives");
        return 0;
    }
    close_wakes_all(q, w, "queue_get", DRV_MSG("for an item"));
    return 0;
}

/* close-put K: K puts wait on a full queue; close wakes them all, -1. */
static int scenario_close_put(int argc, char **argv)
{
    int k = (int)drv_arg(argc, argv, 1, 3);
    queue_t *q = create_or_report(2);
    if (!q || !fill(q, 2, 2)) return 0;
    watchers *w = watchers_start(q, k, true, 3);
    watchers_settle(w);
    if (watchers_returned(w)) {
        drv_finding_in("wrong-result", (const void *)queue_put, "queue_put returned on a full, open queue: it must wait until there is room");
        return 0;
    }
    close_wakes_all(q, w, "queue_put", DRV_MSG("for room"));
    return 0;
}

/* One call of put (item != NULL) or get in a test thread; true if it
 * returned without blocking, with its rc and item. */
static bool call_returns(queue_t *q, bool put, long *rc, void **item)
{
    watchers *w = watchers_start(q, 1, put, 99);
    watchers_settle(w);
    if (watchers_wait(w, 1) != 0) return false;
    *rc = atomic_load(&w->calls[0].rc);
    if (item) *item = w->items[0];
    watchers_join(w);
    return true;
}

/* close-drain: after close, puts fail at once; gets take what is left in
 * order, then fail at once. */
static int scenario_close_drain(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char a[48], b[48];
    queue_t *q = create_or_report(3);
    if (!q || !fill(q, 3, 3)) return 0;
    queue_close(q);
    long rc;
    void *it;
    if (!call_returns(q, true, &rc, NULL)) {
        drv_finding_in("wrong-result", (const void *)queue_put, "queue_put on a closed queue (full, as it happens) blocked: after queue_close, "
                                    "put must return -1 at once");
        return 0;
    }
    if (rc != -1) {
        drv_finding_in("wrong-result", (const void *)queue_put, "queue_put returned %ld after queue_close, expected -1: a closed queue takes no "
                                    "more items", rc);
        return 0;
    }
    for (int i = 0; i < 3; i++) {
        if (!call_returns(q, false, &rc, &it)) {
            drv_finding_in("wrong-result", (const void *)queue_get, "queue_get blocked on a closed queue that still held %d items", 3 - i);
            return 0;
        }
        if (rc != 0 || it != ITEM(0, i)) {
            drv_finding_in("wrong-result", (const void *)queue_get,
                        "queue_get on a closed queue that still held %d items returned %ld and %s, expected 0 and "
                        "%s: after close, gets still take every item left, in order",
                        3 - i, rc, item_name(it, a, sizeof a), item_name(ITEM(0, i), b, sizeof b));
            return 0;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (!call_returns(q, false, &rc, &it)) {
            drv_finding_in("wrong-result", (const void *)queue_get, "queue_get on a closed, empty queue blocked: it must return -1 at once");
            return 0;
        }
        if (rc != -1) {
            drv_finding_in("wrong-result", (const void *)queue_get, "queue_get on a closed, empty queue returned %ld, expected -1", rc);
            return 0;
        }
    }
    if (!call_returns(q, true, &rc, NULL) || rc != -1) {
        drv_finding_in("wrong-result", (const void *)queue_put, "queue_put on a closed, empty queue did not return -1 at once");
        return 0;
    }
    queue_destroy(q);
    return 0;
}

/* --- mpmc: many producers and consumers ----------------------------------------------------------- */

typedef struct mpmc {
    queue_t *q;
    long producers, consumers, items;
    size_t cap;
    atomic_long net;        /* puts returned - gets begun: a lower bound of what the queue holds */
    atomic_uchar *seen;     /* [producer * items + s] */
    atomic_long received;
    atomic_int closing;     /* set right before queue_close */
    atomic_int monitor_left;
} mpmc;

typedef struct role {
    mpmc *m;
    long id;
} role;

/* Puts the producer's items in order; reports a failed put and a queue
 * seen holding more than its capacity. */
static void *producer(void *p)
{
    role *r = p;
    mpmc *m = r->m;
    for (long s = 0; s < m->items; s++) {
        int rc = queue_put(m->q, ITEM(r->id, s));
        if (rc != 0) {
            drv_finding_in("wrong-result", (const void *)queue_put, "queue_put returned %d on an open queue, expected 0 (producer %ld, item #%ld)",
                        rc, r->id + 1, s + 1);
            give_up();
        }
        long held = atomic_fetch_add_explicit(&m->net, 1, RELAXED) + 1;
        if (held > (long)m->cap) {
            drv_finding_in("invariant", (const void *)queue_put,
                        "at one moment the queue held at least %ld items, more than its capacity %zu: a queue_put "
                        "went ahead while the queue was full. A woken put must check again, in a while loop, that "
                        "there is room",
                        held, m->cap);
            give_up();
        }
    }
    return NULL;
}

/* Gets items until the queue is closed and empty; reports an item never
 * put, one seen twice, one out of its producer's order, and -1 too early. */
static void *consumer(void *p)
{
    role *r = p;
    mpmc *m = r->m;
    long *last = malloc(sizeof *last * (size_t)m->producers);
    for (long i = 0; i < m->producers; i++) last[i] = -1;
    char a[48];
    for (;;) {
        atomic_fetch_sub_explicit(&m->net, 1, RELAXED);
        void *it = NULL;
        int rc = queue_get(m->q, &it);
        if (rc != 0) {
            if (!atomic_load_explicit(&m->closing, RELAXED)) {
                drv_finding_in("wrong-result", (const void *)queue_get, "queue_get returned %d before the queue was closed: while it is open, "
                                            "get must wait for an item", rc);
                give_up();
            }
            break;
        }
        long pr, s;
        if (!item_decode(it, &pr, &s) || pr >= m->producers || s >= m->items) {
            drv_finding_in("wrong-result", (const void *)queue_get,
                        "queue_get returned %s, which no producer ever put: was it taken from an empty queue, or "
                        "from a slot overwritten while the queue was full?",
                        item_name(it, a, sizeof a));
            give_up();
        }
        if (atomic_exchange_explicit(&m->seen[pr * m->items + s], 1, RELAXED)) {
            drv_finding_in("wrong-result", (const void *)queue_get,
                        "item #%ld of producer %ld came out of the queue twice: two gets took the same slot (was "
                        "one of them taken while the queue was empty?)",
                        s + 1, pr + 1);
            give_up();
        }
        if (s <= last[pr]) {
            drv_finding_in("wrong-result", (const void *)queue_get,
                        "a consumer got item #%ld of producer %ld after item #%ld of the same producer: items must "
                        "leave in the order they were put",
                        s + 1, pr + 1, last[pr] + 1);
            give_up();
        }
        last[pr] = s;
        atomic_fetch_add_explicit(&m->received, 1, RELAXED);
    }
    free(last);
    return NULL;
}

/* Looks at queue_size now and then while the others work. */
static void *monitor(void *p)
{
    mpmc *m = p;
    while (atomic_fetch_sub_explicit(&m->monitor_left, 1, RELAXED) > 0) {
        size_t n = queue_size(m->q);
        if (n > m->cap) {
            drv_finding_in("invariant", (const void *)queue_size, "queue_size returned %zu, more than the capacity %zu", n, m->cap);
            give_up();
        }
        sched_yield();
    }
    return NULL;
}

/* Every item put has come out of the queue. */
static bool all_received(void *p)
{
    mpmc *m = p;
    return atomic_load_explicit(&m->received, RELAXED) == m->producers * m->items;
}

/* mpmc P C N CAP MON: P producers put N items each, C consumers get until
 * the queue is closed and empty; MON: calls of queue_size meanwhile. Every
 * item comes out exactly once, each producer's items in order, and the
 * queue never holds more than CAP. */
static int scenario_mpmc(int argc, char **argv)
{
    mpmc m = {.producers = drv_arg(argc, argv, 1, 4),
              .consumers = drv_arg(argc, argv, 2, 4),
              .items = drv_arg(argc, argv, 3, 1000),
              .cap = (size_t)drv_arg(argc, argv, 4, 8)};
    long mon = drv_arg(argc, argv, 5, 0);
    atomic_init(&m.monitor_left, (int)mon);
    m.q = create_or_report(m.cap);
    if (!m.q) return 0;
    long total = m.producers * m.items;
    m.seen = calloc((size_t)total, sizeof *m.seen);
    pthread_t *cons = calloc((size_t)m.consumers, sizeof *cons), *prod = calloc((size_t)m.producers, sizeof *prod);
    role *roles = calloc((size_t)(m.producers + m.consumers), sizeof *roles);
    pthread_t mt = pthread_self();
    for (long i = 0; i < m.consumers; i++) {
        roles[i] = (role){&m, i};
        cons[i] = spawn(consumer, &roles[i]);
    }
    if (mon) mt = spawn(monitor, &m);
    for (long i = 0; i < m.producers; i++) {
        roles[m.consumers + i] = (role){&m, i};
        prod[i] = spawn(producer, &roles[m.consumers + i]);
    }
    for (long i = 0; i < m.producers; i++) pthread_join(prod[i], NULL);
    /* close once everything was taken: then the consumers all wait, and
     * close must wake each of them (whatever the schedule) */
    drv_sync_until(all_received, &m, PATIENCE);
    atomic_store_explicit(&m.closing, 1, RELAXED);
    queue_close(m.q);
    for (long i = 0; i < m.consumers; i++) pthread_join(cons[i], NULL);
    if (mon) pthread_join(mt, NULL);
    long got = atomic_load(&m.received);
    drv_out("received", "%ld", got);
    if (got != total) {
        long first = 0;
        while (first < total && atomic_load(&m.seen[first])) first++;
        drv_finding_in("wrong-result", (const void *)queue_get,
                    "%ld of the %ld items never came out of the queue (the first: item #%ld of producer %ld); "
                    "every item put must be delivered exactly once",
                    total - got, total, first % m.items + 1, first / m.items + 1);
    }
    queue_destroy(m.q);
    free(m.seen);
    free(cons);
    free(prod);
    free(roles);
    return 0;
}

int main(int argc, char **argv)
{
    static const drv_scenario scenarios[] = {
        {"fifo", scenario_fifo, "one thread: order, size, capacity 0"},
        {"put-blocks", scenario_put_blocks, "CAP K: K puts wait on a full queue; each get releases one"},
        {"get-blocks", scenario_get_blocks, "K: K gets wait on an empty queue; each put releases one"},
        {"busy", scenario_busy, "a blocked get, then a blocked put, cost no CPU time"},
        {"close-get", scenario_close_get, "K: close wakes K gets waiting on an empty queue"},
        {"close-put", scenario_close_put, "K: close wakes K puts waiting on a full queue"},
        {"close-drain", scenario_close_drain, "after close: puts fail, gets drain then fail"},
        {"mpmc", scenario_mpmc, "P C N CAP MON: producers and consumers, every item once and in order"},
        {NULL, NULL, NULL},
    };
    return drv_main(argc, argv, scenarios);
}
