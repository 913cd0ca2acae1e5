/* driver.c - scenarios of the `mpqueue` exercise.
 *
 * Two kinds of scenarios. Thread scenarios call the queue from test threads
 * of one process, like the `queue` exercise: blocking is proven by state
 * (grader_sync.h: a watched call has returned or is asleep in the kernel),
 * and the spec runs them under pct schedules with `one_process`, so the
 * shim schedules the process-shared condition variables too (spurious
 * wake-ups, lost wake-ups and deadlocks at the student's lines). Process
 * scenarios fork children before any thread exists (ThreadSanitizer keeps
 * checking them); each child starts its threads, and whatever must be
 * proven between processes is proven by shared counters the children
 * publish: every waiter of a child is asleep before the opposite call is
 * made, every message is counted once. A process that stays stuck is asked,
 * by the parent, to report where its stuck thread is (its own stack: the
 * student's line).
 *
 * Messages are msg_size bytes: the first 8 hold the message's code
 * (producer p's s-th message is CODE(p, s)), the rest a pattern derived from
 * the code, so a message put together from two messages (torn: copied while
 * another thread wrote the slot) is recognised. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "grader_driver.h"
#include "grader_proc.h"
#include "grader_sync.h"
#include "mpqueue.h"

#define RELAXED memory_order_relaxed
#define CODE(p, s) ((((uint64_t)(p) + 1) << 32) | ((uint64_t)(s) + 1))
#define MAX_WATCHED 16
#define MAX_MSG 256
#define MAX_PROCS 8
#define MAX_THREADS 8
/* Where a finding about one of the student's functions is shown: its first
 * line (drv_finding_at takes a return address and looks one byte back). */
#define SITE(fn) ((const void *)((const char *)(void *)(fn) + 1))

/* How long a call that should return promptly may take before the test
 * gives up on it (ms, scaled for slow tools): bounds a failure only. */
#define PATIENCE 2000
/* How long a call may take to either return or fall asleep (ms, scaled). */
#define SETTLE 1000
/* How long processes may go without any progress before the test calls
 * them stuck (ms, scaled): long, since only a broken queue waits it out. */
#define STUCK 5000

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

/* --- messages ------------------------------------------------------------------------------- */

/* Byte j of the message with this code. */
static unsigned char msg_byte(uint64_t code, size_t j)
{
    if (j < 8) return (unsigned char)(code >> (8 * j));
    uint64_t h = code * 0x9E3779B97F4A7C15ull;
    return (unsigned char)((h >> (8 * (j % 8))) ^ (j * 29));
}

static void msg_fill(unsigned char *m, size_t n, uint64_t code)
{
    for (size_t j = 0; j < n; j++) m[j] = msg_byte(code, j);
}

static bool msg_is(const unsigned char *m, size_t n, uint64_t code)
{
    for (size_t j = 0; j < n; j++)
        if (m[j] != msg_byte(code, j)) return false;
    return true;
}

/* The code in a message of n >= 8 bytes; *torn is set when the other bytes
 * are not that message's. */
static uint64_t msg_code(const unsigned char *m, size_t n, bool *torn)
{
    uint64_t code = 0;
    for (size_t j = 0; j < 8; j++) code |= (uint64_t)m[j] << (8 * j);
    *torn = !msg_is(m, n, code);
    return code;
}

static bool code_decode(uint64_t code, long *p, long *s)
{
    if ((code >> 32) == 0 || (code & 0xffffffffu) == 0) return false;
    *p = (long)(code >> 32) - 1;
    *s = (long)(code & 0xffffffffu) - 1;
    return true;
}

/* "message #3", or what the bytes were if no producer made them. */
static const char *msg_name(const unsigned char *m, size_t n, char *buf, size_t len)
{
    bool torn;
    long p, s;
    uint64_t code = n >= 8 ? msg_code(m, n, &torn) : 0;
    if (n >= 8 && code == 0 && msg_is(m, n, 0)) snprintf(buf, len, "a message of zeros (never put)");
    else if (n >= 8 && code_decode(code, &p, &s) && !torn) snprintf(buf, len, "message #%ld", s + 1);
    else if (n >= 8 && code_decode(code, &p, &s)) snprintf(buf, len, "message #%ld torn (its bytes 8 to %zu belong to another message)", s + 1, n - 1);
    else snprintf(buf, len, "bytes no producer put");
    return buf;
}

/* mpq_create(cap, size), reporting a NULL. */
static mpqueue_t *create_or_report(size_t cap, size_t size)
{
    mpqueue_t *q = mpq_create(cap, size);
    if (!q) drv_finding_at("wrong-result", SITE(mpq_create), "mpq_create(%zu, %zu) returned NULL", cap, size);
    return q;
}

/* --- fifo: one thread ------------------------------------------------------------------------ */

typedef struct fifo_state {
    mpqueue_t *q;
    size_t size;
    long next_put, next_get; /* message numbers from 1 */
} fifo_state;

static bool fifo_put(fifo_state *f)
{
    unsigned char m[MAX_MSG];
    msg_fill(m, f->size, CODE(0, f->next_put - 1));
    int rc = mpq_put(f->q, m);
    if (rc != 0) {
        drv_finding_at("wrong-result", SITE(mpq_put), "mpq_put returned %d on an open queue that had room, expected 0", rc);
        return false;
    }
    memset(m, 0xEE, f->size); /* the queue must have copied it */
    f->next_put++;
    return true;
}

static bool fifo_get(fifo_state *f)
{
    unsigned char m[MAX_MSG + 16];
    char a[96];
    memset(m, 0xA5, sizeof m);
    int rc = mpq_get(f->q, m);
    if (rc != 0) {
        drv_finding_at("wrong-result", SITE(mpq_get), "mpq_get returned %d while the queue held %ld messages, expected 0 and message #%ld",
                       rc, f->next_put - f->next_get, f->next_get);
        return false;
    }
    for (size_t j = f->size; j < f->size + 16; j++)
        if (m[j] != 0xA5) {
            drv_finding_at("wrong-result", SITE(mpq_get),
                           "mpq_get wrote past the end of the caller's buffer (byte %zu of a message of %zu bytes): copy "
                           "exactly msg_size bytes",
                           j, f->size);
            return false;
        }
    if (!msg_is(m, f->size, CODE(0, f->next_get - 1))) {
        drv_finding_at("wrong-result", SITE(mpq_get),
                       "mpq_get gave %s, expected message #%ld: messages of %zu bytes must leave whole, in the order "
                       "they were put (first in, first out), each copied in by mpq_put and out by mpq_get",
                       f->size >= 8 ? msg_name(m, f->size, a, sizeof a) : "other bytes", f->next_get, f->size);
        return false;
    }
    f->next_get++;
    return true;
}

/* One queue of capacity cap and messages of size bytes, through its ring
 * many times; then close: puts fail, gets drain, then fail. */
static bool fifo_run(size_t cap, size_t size)
{
    fifo_state f = {.q = create_or_report(cap, size), .size = size, .next_put = 1, .next_get = 1};
    if (!f.q) return false;
    for (int round = 0; round < 300; round++) {
        int k = 1 + round % (int)cap;
        for (int i = 0; i < k; i++)
            if (!fifo_put(&f)) return false;
        for (int i = 0; i < k; i++)
            if (!fifo_get(&f)) return false;
    }
    for (size_t i = 0; i < cap; i++)
        if (!fifo_put(&f)) return false;
    mpq_close(f.q);
    unsigned char m[MAX_MSG];
    msg_fill(m, size, CODE(0, 999999));
    int rc = mpq_put(f.q, m);
    if (rc != -1) {
        drv_finding_at("wrong-result", SITE(mpq_put), "mpq_put returned %d after mpq_close, expected -1: a closed queue takes no more messages", rc);
        return false;
    }
    for (size_t i = 0; i < cap; i++)
        if (!fifo_get(&f)) return false;
    rc = mpq_get(f.q, m);
    if (rc != -1) {
        drv_finding_at("wrong-result", SITE(mpq_get), "mpq_get returned %d on a closed, empty queue, expected -1", rc);
        return false;
    }
    mpq_destroy(f.q);
    return true;
}

/* fifo: one thread: sizes 0 refused; order and whole messages for several
 * message sizes, through the ring many times; close drains. */
static int scenario_fifo(int argc, char **argv)
{
    (void)argc, (void)argv;
    mpqueue_t *none = mpq_create(0, 8);
    if (none) drv_finding_at("wrong-result", SITE(mpq_create), "mpq_create(0, 8) returned a queue, expected NULL: a queue with no room can take no message");
    none = mpq_create(4, 0);
    if (none) drv_finding_at("wrong-result", SITE(mpq_create), "mpq_create(4, 0) returned a queue, expected NULL: a message needs at least one byte");
    if (drv_findings()) return 0;
    static const size_t shapes[][2] = {{4, 13}, {1, 8}, {3, 1}, {5, 200}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        if (!fifo_run(shapes[i][0], shapes[i][1])) return 0;
    return 0;
}

/* --- watched calls in threads: put-blocks, get-blocks, busy, close ----------------------------- */

#define SIZE 24 /* message size of the thread scenarios */

typedef struct watchers watchers;
typedef struct watcher {
    watchers *all;
    int i;
} watcher;
struct watchers {
    mpqueue_t *q;
    int k;
    drv_call calls[MAX_WATCHED];
    unsigned char msgs[MAX_WATCHED][SIZE]; /* put: what to put; get: what came out */
    pthread_t threads[MAX_WATCHED];
    watcher slots[MAX_WATCHED];
};

static void *watched_put(void *p)
{
    watcher *s = p;
    watchers *w = s->all;
    drv_call_enter(&w->calls[s->i]);
    int rc = mpq_put(w->q, w->msgs[s->i]);
    drv_call_leave(&w->calls[s->i], rc);
    return NULL;
}

static void *watched_get(void *p)
{
    watcher *s = p;
    watchers *w = s->all;
    unsigned char m[SIZE];
    memset(m, 0, sizeof m);
    drv_call_enter(&w->calls[s->i]);
    int rc = mpq_get(w->q, m);
    memcpy(w->msgs[s->i], m, SIZE);
    drv_call_leave(&w->calls[s->i], rc);
    return NULL;
}

/* Starts k calls of mpq_put (messages #first, #first+1, ...) or mpq_get. */
static watchers *watchers_start(mpqueue_t *q, int k, bool put, long first)
{
    watchers *w = calloc(1, sizeof *w);
    if (!w) abort();
    w->q = q;
    w->k = k < MAX_WATCHED ? k : MAX_WATCHED;
    for (int i = 0; i < w->k; i++) {
        w->slots[i] = (watcher){w, i};
        if (put) msg_fill(w->msgs[i], SIZE, CODE(0, first - 1 + i));
    }
    for (int i = 0; i < w->k; i++) w->threads[i] = spawn(put ? watched_put : watched_get, &w->slots[i]);
    return w;
}

static int watchers_settle(watchers *w)
{
    return drv_calls_settle(w->calls, w->k, SETTLE);
}

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

static void watchers_join(watchers *w)
{
    for (int i = 0; i < w->k; i++) pthread_join(w->threads[i], NULL);
    free(w);
}

/* Puts messages #1..#n from this thread; false after a finding. */
static bool fill(mpqueue_t *q, size_t n, size_t cap)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char m[SIZE];
        msg_fill(m, SIZE, CODE(0, i));
        int rc = mpq_put(q, m);
        if (rc != 0) {
            drv_finding_at("wrong-result", SITE(mpq_put), "mpq_put returned %d on an open queue holding %zu of %zu messages, expected 0", rc, i, cap);
            return false;
        }
    }
    return true;
}

/* Gets one message in this thread; it must be message #want (numbered from 0). */
static bool get_expect(mpqueue_t *q, long want, const char *when)
{
    unsigned char m[SIZE];
    char a[96];
    memset(m, 0, sizeof m);
    int rc = mpq_get(q, m);
    if (rc != 0 || !msg_is(m, SIZE, CODE(0, want))) {
        drv_finding_at("wrong-result", SITE(mpq_get), "mpq_get %s returned %d and %s, expected 0 and message #%ld", when, rc,
                       rc == 0 ? msg_name(m, SIZE, a, sizeof a) : "nothing", want + 1);
        return false;
    }
    return true;
}

/* put-blocks CAP K: with the queue full, K puts wait; each get lets exactly
 * one of them finish, and the messages keep their order. */
static int scenario_put_blocks(int argc, char **argv)
{
    size_t cap = (size_t)drv_arg(argc, argv, 1, 3);
    int k = (int)drv_arg(argc, argv, 2, 2);
    mpqueue_t *q = create_or_report(cap, SIZE);
    if (!q || !fill(q, cap, cap)) return 0;
    watchers *w = watchers_start(q, k, true, (long)cap + 1);
    watchers_settle(w);
    unsigned known = 0;
    int i = newly_returned(w, &known);
    if (i >= 0) {
        long rc = atomic_load(&w->calls[i].rc);
        if (rc == 0)
            drv_finding_at("invariant", SITE(mpq_put),
                           "mpq_put returned 0 while the queue was full (%zu of %zu messages) and nobody had taken one: "
                           "the queue now holds more than its capacity. put must wait while the queue is full",
                           cap, cap);
        else
            drv_finding_at("wrong-result", SITE(mpq_put),
                           "mpq_put returned %ld at once on a full queue that is open: -1 means \"closed\"; while the "
                           "queue is full, put must wait until a get makes room",
                           rc);
        return 0;
    }
    long order[MAX_WATCHED];
    for (int j = 0; j < k; j++) {
        if (!get_expect(q, j, "on a full queue")) return 0;
        if (watchers_wait(w, j + 1) != 0) {
            drv_finding_at("lost-wakeup", SITE(mpq_get),
                           "mpq_get took a message out of the full queue, but none of the %d mpq_put calls waiting for "
                           "room returned: they were never woken. After taking a message, get must wake a put that "
                           "waits (signal the condition variable that puts wait on)",
                           k - j);
            return 0;
        }
        watchers_settle(w);
        if (watchers_returned(w) > j + 1) {
            drv_finding_at("invariant", SITE(mpq_put),
                           "one mpq_get made room for one message, but %d of the mpq_put calls waiting for room "
                           "returned: the queue went over its capacity (%zu). A woken put must check again, in a "
                           "while loop, that there is room",
                           watchers_returned(w) - j, cap);
            return 0;
        }
        i = newly_returned(w, &known);
        long prc = atomic_load(&w->calls[i].rc);
        if (prc != 0) {
            drv_finding_at("wrong-result", SITE(mpq_put), "mpq_put returned %ld once a get had made room, expected 0", prc);
            return 0;
        }
        order[j] = (long)cap + i;
    }
    for (size_t j = (size_t)k; j < cap; j++)
        if (!get_expect(q, (long)j, "after the blocked puts finished")) return 0;
    for (int j = 0; j < k; j++)
        if (!get_expect(q, order[j], "after the blocked puts finished")) return 0;
    watchers_join(w);
    mpq_destroy(q);
    return 0;
}

/* get-blocks K: on an empty queue K gets wait; each put lets exactly one of
 * them finish, with that message. */
static int scenario_get_blocks(int argc, char **argv)
{
    int k = (int)drv_arg(argc, argv, 1, 2);
    char a[96];
    mpqueue_t *q = create_or_report(4, SIZE);
    if (!q) return 0;
    watchers *w = watchers_start(q, k, false, 0);
    watchers_settle(w);
    unsigned known = 0;
    int i = newly_returned(w, &known);
    if (i >= 0) {
        drv_finding_at("wrong-result", SITE(mpq_get),
                       "mpq_get returned %ld on an empty queue nobody had put anything into: while the queue is empty, "
                       "get must wait until a message arrives",
                       atomic_load(&w->calls[i].rc));
        return 0;
    }
    for (int j = 0; j < k; j++) {
        unsigned char m[SIZE];
        msg_fill(m, SIZE, CODE(0, j));
        int rc = mpq_put(q, m);
        if (rc != 0) {
            drv_finding_at("wrong-result", SITE(mpq_put), "mpq_put returned %d on an open queue that is not full, expected 0", rc);
            return 0;
        }
        if (watchers_wait(w, j + 1) != 0) {
            drv_finding_at("lost-wakeup", SITE(mpq_put),
                           "mpq_put added a message, but none of the %d mpq_get calls waiting for one returned: they "
                           "were never woken. After adding a message, put must wake a get that waits (signal the "
                           "condition variable that gets wait on)",
                           k - j);
            return 0;
        }
        watchers_settle(w);
        if (watchers_returned(w) > j + 1) {
            drv_finding_at("wrong-result", SITE(mpq_get),
                           "one message arrived, but %d of the mpq_get calls waiting for one returned: a get went on "
                           "with nothing to take. A woken get must check again, in a while loop, that the queue is not "
                           "empty",
                           watchers_returned(w) - j);
            return 0;
        }
        i = newly_returned(w, &known);
        long grc = atomic_load(&w->calls[i].rc);
        if (grc != 0 || !msg_is(w->msgs[i], SIZE, CODE(0, j))) {
            drv_finding_at("wrong-result", SITE(mpq_get), "a waiting mpq_get returned %ld and %s once message #%d arrived, expected 0 and that message",
                           grc, msg_name(w->msgs[i], SIZE, a, sizeof a), j + 1);
            return 0;
        }
    }
    watchers_join(w);
    mpq_destroy(q);
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
    if (cpu_ms * 10 > WINDOW_MS) {
        drv_sync_finding_in(t, "busy-wait",
                            "%s kept running while it waited: it used more than %d ms of CPU time in %d ms. It spins "
                            "(checks again and again) instead of sleeping. Wait on a process-shared condition variable "
                            "with pthread_cond_wait: the thread sleeps, using no CPU, until another thread or process "
                            "signals",
                            what, WINDOW_MS / 10, WINDOW_MS);
        return false;
    }
    if (w0 >= 0 && w1 >= 0 && wakes > 20) {
        drv_sync_finding_in(t, "busy-wait",
                            "%s woke up more than 20 times in %d ms while nothing changed: it polls (sleeps a little, "
                            "then looks again) instead of waiting to be woken. Wait on a process-shared condition "
                            "variable with pthread_cond_wait: the thread sleeps until somebody signals that the queue "
                            "changed",
                            what, WINDOW_MS);
        return false;
    }
    return true;
}

/* busy: a get blocked on an empty queue, then a put blocked on a full one,
 * must cost (almost) no CPU time. A call that does not wait at all costs
 * nothing here (put-blocks and get-blocks report it). */
static int scenario_busy(int argc, char **argv)
{
    (void)argc, (void)argv;
    unsigned char m[SIZE];
    mpqueue_t *q = create_or_report(1, SIZE);
    if (!q) return 0;
    watchers *w = watchers_start(q, 1, false, 0);
    watchers_settle(w);
    if (!watchers_returned(w)) {
        if (!cheap_while_blocked(w, "mpq_get on an empty queue")) return 0;
        msg_fill(m, SIZE, CODE(0, 0));
        if (mpq_put(q, m) != 0 || watchers_wait(w, 1) != 0) return 0;
    }
    watchers_join(w);
    if (!fill(q, 1, 1)) return 0;
    w = watchers_start(q, 1, true, 2);
    watchers_settle(w);
    if (watchers_returned(w)) return 0;
    if (!cheap_while_blocked(w, "mpq_put on a full queue")) return 0;
    if (mpq_get(q, m) != 0 || watchers_wait(w, 1) != 0) return 0;
    watchers_join(w);
    mpq_destroy(q);
    return 0;
}

/* --- close in threads ------------------------------------------------------------------------- */

/* After mpq_close, every one of the blocked calls of w must return -1. */
static void close_wakes_all(mpqueue_t *q, watchers *w, const char *what, const char *waiting_for)
{
    mpq_close(q);
    watchers_wait(w, w->k);
    int back = watchers_returned(w);
    if (back < w->k) {
        drv_finding_at("lost-wakeup", SITE(mpq_close),
                       "mpq_close woke %d of the %d %s calls waiting %s; %d still wait, for something that can never "
                       "happen now. close must wake every waiter (pthread_cond_broadcast, on every condition variable "
                       "callers wait on), and a woken caller must see that the queue is closed",
                       back, w->k, what, waiting_for, w->k - back);
        give_up();
    }
    for (int i = 0; i < w->k; i++) {
        long rc = atomic_load(&w->calls[i].rc);
        if (rc != -1) {
            drv_finding_at("wrong-result", SITE(mpq_close), "a %s call waiting %s returned %ld when the queue was closed, expected -1", what,
                           waiting_for, rc);
            return;
        }
    }
    watchers_join(w);
}

/* close-get K / close-put K: K calls wait on an empty (full) queue; close
 * wakes them all, -1. */
static int close_threads(int argc, char **argv, bool put)
{
    int k = (int)drv_arg(argc, argv, 1, 3);
    mpqueue_t *q = create_or_report(2, SIZE);
    if (!q || (put && !fill(q, 2, 2))) return 0;
    watchers *w = watchers_start(q, k, put, 3);
    watchers_settle(w);
    if (watchers_returned(w)) {
        drv_finding_at("wrong-result", put ? SITE(mpq_put) : SITE(mpq_get), "%s returned on a %s, open queue: it must wait until %s",
                       put ? "mpq_put" : "mpq_get", put ? "full" : "empty", put ? "there is room" : "a message arrives");
        return 0;
    }
    close_wakes_all(q, w, put ? "mpq_put" : "mpq_get", put ? "for room" : "for a message");
    return 0;
}

static int scenario_close_get(int argc, char **argv)
{
    return close_threads(argc, argv, false);
}

static int scenario_close_put(int argc, char **argv)
{
    return close_threads(argc, argv, true);
}

/* --- traffic: producers and consumers, as threads or as processes of threads ---------------------- */

/* What producers and consumers share: in MAP_SHARED memory, so that child
 * processes report into it too. */
typedef struct traffic {
    long producers, consumers, items; /* producers: producer threads in all */
    size_t cap, size;
    atomic_long net;      /* puts returned - gets begun: a lower bound of what the queue holds */
    atomic_long received; /* messages taken */
    atomic_long progress; /* puts and gets returned */
    atomic_int closing;   /* set right before mpq_close */
    atomic_int failed;    /* a finding was reported */
    atomic_uchar seen[];  /* [producer * items + s] */
} traffic;

typedef struct role {
    traffic *m;
    mpqueue_t *q;
    long id;
} role;

static void traffic_failed(traffic *m)
{
    atomic_store(&m->failed, 1);
}

/* Puts the producer's messages in order; reports a failed put and a queue
 * seen holding more than its capacity. */
static void *producer(void *p)
{
    role *r = p;
    traffic *m = r->m;
    unsigned char msg[MAX_MSG];
    for (long s = 0; s < m->items && !atomic_load_explicit(&m->failed, RELAXED); s++) {
        msg_fill(msg, m->size, CODE(r->id, s));
        int rc = mpq_put(r->q, msg);
        if (rc != 0) {
            drv_finding_at("wrong-result", SITE(mpq_put), "mpq_put returned %d on an open queue, expected 0 (producer %ld, message #%ld)", rc,
                           r->id + 1, s + 1);
            traffic_failed(m);
            break;
        }
        atomic_fetch_add_explicit(&m->progress, 1, RELAXED);
        long held = atomic_fetch_add_explicit(&m->net, 1, RELAXED) + 1;
        if (held > (long)m->cap) {
            drv_finding_at("invariant", SITE(mpq_put),
                           "at one moment the queue held at least %ld messages, more than its capacity %zu: an mpq_put "
                           "went ahead while the queue was full. A woken put must check again, in a while loop, that "
                           "there is room",
                           held, m->cap);
            traffic_failed(m);
            break;
        }
    }
    return NULL;
}

/* Checks one message a consumer took; false after a finding. */
static bool consumed(traffic *m, const unsigned char *msg, long *last)
{
    char a[128];
    bool torn;
    long pr, s;
    uint64_t code = msg_code(msg, m->size, &torn);
    if (!code_decode(code, &pr, &s) || pr >= m->producers || s >= m->items) {
        drv_finding_at("wrong-result", SITE(mpq_get),
                       "mpq_get gave %s: was it taken from an empty queue, or from a slot a put had not filled yet "
                       "(copied outside the lock)?",
                       msg_name(msg, m->size, a, sizeof a));
        return false;
    }
    if (torn) {
        drv_finding_at("wrong-result", SITE(mpq_get),
                       "mpq_get gave a torn message: its first bytes are message #%ld of producer %ld, the rest "
                       "belong to another message. A message must be copied in and out while the queue's lock is "
                       "held, so that no other put or get touches its slot meanwhile",
                       s + 1, pr + 1);
        return false;
    }
    if (atomic_exchange_explicit(&m->seen[pr * m->items + s], 1, RELAXED)) {
        drv_finding_at("wrong-result", SITE(mpq_get),
                       "message #%ld of producer %ld came out of the queue twice: two gets took the same slot, or a "
                       "slot was read after the lock was released (copy the message out while holding the lock)",
                       s + 1, pr + 1);
        return false;
    }
    if (s <= last[pr]) {
        drv_finding_at("wrong-result", SITE(mpq_get),
                       "a consumer got message #%ld of producer %ld after message #%ld of the same producer: messages "
                       "must leave in the order they were put",
                       s + 1, pr + 1, last[pr] + 1);
        return false;
    }
    last[pr] = s;
    return true;
}

/* Gets messages until the queue is closed and empty; reports a message
 * never put, torn, seen twice, out of its producer's order, and -1 too early. */
static void *consumer(void *p)
{
    role *r = p;
    traffic *m = r->m;
    long *last = malloc(sizeof *last * (size_t)m->producers);
    if (!last) abort();
    for (long i = 0; i < m->producers; i++) last[i] = -1;
    unsigned char msg[MAX_MSG];
    while (!atomic_load_explicit(&m->failed, RELAXED)) {
        atomic_fetch_sub_explicit(&m->net, 1, RELAXED);
        memset(msg, 0, m->size);
        int rc = mpq_get(r->q, msg);
        atomic_fetch_add_explicit(&m->progress, 1, RELAXED);
        if (rc != 0) {
            if (!atomic_load_explicit(&m->closing, RELAXED)) {
                drv_finding_at("wrong-result", SITE(mpq_get), "mpq_get returned %d before the queue was closed: while it is open, get must "
                                                              "wait for a message", rc);
                traffic_failed(m);
            }
            break;
        }
        if (!consumed(m, msg, last)) {
            traffic_failed(m);
            break;
        }
        atomic_fetch_add_explicit(&m->received, 1, RELAXED);
    }
    free(last);
    return NULL;
}

static traffic *traffic_new(long producers, long consumers, long items, size_t cap, size_t size)
{
    size_t bytes = sizeof(traffic) + (size_t)(producers * items);
    traffic *m = drv_shared_new(bytes);
    m->producers = producers;
    m->consumers = consumers;
    m->items = items;
    m->cap = cap;
    m->size = size < 8 ? 8 : size > MAX_MSG ? MAX_MSG : size;
    return m;
}

static bool all_received(void *p)
{
    traffic *m = p;
    return atomic_load_explicit(&m->received, RELAXED) == m->producers * m->items || atomic_load_explicit(&m->failed, RELAXED);
}

/* The first message that never came out, as "message #S of producer P". */
static void traffic_report_lost(traffic *m)
{
    long total = m->producers * m->items, got = atomic_load(&m->received), first = 0;
    while (first < total && atomic_load(&m->seen[first])) first++;
    drv_finding_at("wrong-result", SITE(mpq_get),
                   "%ld of the %ld messages never came out of the queue (the first: message #%ld of producer %ld); "
                   "every message put must be delivered exactly once",
                   total - got, total, first % m->items + 1, first / m->items + 1);
}

/* mpmc P C N CAP SIZE: P producer threads put N messages each, C consumer
 * threads get until the queue is closed and empty. Every message comes out
 * exactly once and whole, each producer's in order, and the queue never
 * holds more than CAP. */
static int scenario_mpmc(int argc, char **argv)
{
    long np = drv_arg(argc, argv, 1, 4), nc = drv_arg(argc, argv, 2, 4), n = drv_arg(argc, argv, 3, 1000);
    size_t cap = (size_t)drv_arg(argc, argv, 4, 8), size = (size_t)drv_arg(argc, argv, 5, 64);
    traffic *m = traffic_new(np, nc, n, cap, size);
    mpqueue_t *q = create_or_report(m->cap, m->size);
    if (!q) return 0;
    pthread_t *cons = calloc((size_t)nc, sizeof *cons), *prod = calloc((size_t)np, sizeof *prod);
    role *roles = calloc((size_t)(np + nc), sizeof *roles);
    if (!cons || !prod || !roles) abort();
    for (long i = 0; i < nc; i++) {
        roles[i] = (role){m, q, i};
        cons[i] = spawn(consumer, &roles[i]);
    }
    for (long i = 0; i < np; i++) {
        roles[nc + i] = (role){m, q, i};
        prod[i] = spawn(producer, &roles[nc + i]);
    }
    for (long i = 0; i < np; i++) pthread_join(prod[i], NULL);
    /* close once everything was taken: then the consumers all wait, and
     * close must wake each of them (whatever the schedule) */
    drv_sync_until(all_received, m, PATIENCE);
    if (atomic_load(&m->failed)) give_up();
    atomic_store_explicit(&m->closing, 1, RELAXED);
    mpq_close(q);
    for (long i = 0; i < nc; i++) pthread_join(cons[i], NULL);
    drv_out("received", "%ld", atomic_load(&m->received));
    if (!atomic_load(&m->failed) && atomic_load(&m->received) != np * n) traffic_report_lost(m);
    mpq_destroy(q);
    free(cons), free(prod), free(roles);
    return 0;
}

/* --- processes ---------------------------------------------------------------------------------- */

/* What a child reports to the parent, and what the parent asks of it. */
typedef struct kid {
    atomic_int settled;  /* its waiting calls are all asleep (or spinning) */
    atomic_int returned; /* calls that returned */
    atomic_int bad_rc;   /* a call returned something else than expected */
    atomic_int report;   /* the parent asks: report where your stuck calls are */
    atomic_int reported;
    atomic_int done;     /* the parent is done: exit */
    drv_call calls[MAX_THREADS];
} kid;

typedef struct family {
    kid kids[MAX_PROCS + 1]; /* [MAX_PROCS]: the parent's own threads */
    int nkids;
} family;

static family *F;

/* Ends the scenario's children (they exit when done is set) and waits for them. */
static void family_end(pid_t *pids, int n)
{
    for (int i = 0; i <= MAX_PROCS; i++) atomic_store(&F->kids[i].done, 1);
    for (int i = 0; i < n; i++) {
        int st;
        if (pids[i] > 0) drv_waitpid(pids[i], &st);
    }
}

static bool kid_done(void *p)
{
    kid *k = p;
    return atomic_load(&k->done) || atomic_load(&k->report);
}

/* In a child (or the parent, for its threads): waits until the parent
 * asks; if asked for a report, reports the first call of threads[] that is
 * still inside, at its own stack. */
static void kid_answer(kid *k, pthread_t *threads, int n, const char *kind, const char *msg)
{
    while (!kid_done(k)) drv_pwait(kid_done, k, 60000);
    if (atomic_load(&k->report) && !atomic_load(&k->done)) {
        int said = 1; /* 1: nothing stuck after all; 2: reported */
        for (int i = 0; i < n && said == 1; i++)
            if (!drv_call_returned(&k->calls[i])) {
                drv_sync_finding_in(threads[i], kind, "%s", msg);
                said = 2;
            }
        atomic_store(&k->reported, said);
    }
}

/* close-procs SIDE K T CLOSER: K child processes of T threads each, and T
 * threads of the parent, wait in mpq_get on an empty queue (SIDE 0) or in
 * mpq_put on a full one (SIDE 1); then the parent (CLOSER 0) or one more
 * child (CLOSER 1) calls mpq_close: every waiter of every process must
 * return -1. */
typedef struct waiter_arg {
    kid *k;
    int i;
    mpqueue_t *q;
    bool put;
} waiter_arg;

static void *close_waiter(void *p)
{
    waiter_arg *a = p;
    unsigned char m[SIZE];
    msg_fill(m, SIZE, CODE(7, a->i));
    drv_call_enter(&a->k->calls[a->i]);
    int rc = a->put ? mpq_put(a->q, m) : mpq_get(a->q, m);
    drv_call_leave(&a->k->calls[a->i], rc);
    if (rc != -1) atomic_store(&a->k->bad_rc, rc == 0 ? 1 : 2);
    atomic_fetch_add(&a->k->returned, 1);
    drv_progress();
    return NULL;
}

/* Starts t waiting calls in this process, lets them settle, publishes it. */
static void waiters_start(kid *k, pthread_t *th, waiter_arg *args, int t, mpqueue_t *q, bool put)
{
    for (int i = 0; i < t; i++) {
        args[i] = (waiter_arg){k, i, q, put};
        th[i] = spawn(close_waiter, &args[i]);
    }
    drv_calls_settle(k->calls, t, SETTLE);
    atomic_store(&k->settled, 1);
}

static const char STUCK_AFTER_CLOSE[] =
    "this call was still waiting after mpq_close was called in another process: it was never woken, or it "
    "woke up and did not see that the queue is closed. mpq_close must set `closed` in the shared memory and "
    "call pthread_cond_broadcast on every condition variable callers wait on; those must be process-shared "
    "(PTHREAD_PROCESS_SHARED), or a process waiting on one is never woken by another process";

static void close_child(int idx, int t, mpqueue_t *q, bool put)
{
    kid *k = &F->kids[idx];
    pthread_t th[MAX_THREADS];
    waiter_arg args[MAX_THREADS];
    waiters_start(k, th, args, t, q, put);
    kid_answer(k, th, t, "lost-wakeup", STUCK_AFTER_CLOSE);
    _exit(0);
}

static bool kids_settled(void *p)
{
    (void)p;
    for (int i = 0; i < F->nkids; i++)
        if (!atomic_load(&F->kids[i].settled)) return false;
    return true;
}

typedef struct count_arg {
    int want;
} count_arg;

static int family_returned(void)
{
    int n = atomic_load(&F->kids[MAX_PROCS].returned);
    for (int i = 0; i < F->nkids; i++) n += atomic_load(&F->kids[i].returned);
    return n;
}

static bool all_returned(void *p)
{
    return family_returned() >= ((count_arg *)p)->want;
}

static bool closer_closed(void *p)
{
    return atomic_load((atomic_int *)p) != 0;
}

/* Asks the first child whose calls are stuck to report where (its own
 * stack); when its calls all returned meanwhile, the next one. Returns the
 * child's index, or -1 when none reported. */
static int family_report_stuck(int t)
{
    for (int i = 0; i < F->nkids; i++)
        if (atomic_load(&F->kids[i].returned) < t) {
            atomic_store(&F->kids[i].report, 1);
            drv_pwait(closer_closed, &F->kids[i].reported, 10000);
            if (atomic_load(&F->kids[i].reported) == 2) return i;
        }
    return -1;
}

static int scenario_close_procs(int argc, char **argv)
{
    bool put = drv_arg(argc, argv, 1, 0) != 0;
    int nk = (int)drv_arg(argc, argv, 2, 3), t = (int)drv_arg(argc, argv, 3, 2);
    bool child_closes = drv_arg(argc, argv, 4, 0) != 0;
    if (nk > MAX_PROCS - 1) nk = MAX_PROCS - 1;
    if (t > MAX_THREADS) t = MAX_THREADS;
    F = drv_shared_new(sizeof *F);
    F->nkids = nk;
    mpqueue_t *q = create_or_report(2, SIZE);
    if (!q || !drv_mem_shared(q, NULL, 0) || (put && !fill(q, 2, 2))) return 0;
    pid_t pids[MAX_PROCS];
    atomic_int *closed = drv_shared_new(sizeof *closed);
    for (int i = 0; i < nk; i++) {
        char label[32];
        snprintf(label, sizeof label, "child %d", i + 1);
        pids[i] = drv_fork(label);
        if (pids[i] == 0) close_child(i, t, q, put);
    }
    pid_t closer = 0;
    if (child_closes) {
        closer = drv_fork("the closing child");
        if (closer == 0) {
            while (!closer_closed(&F->kids[MAX_PROCS].settled)) drv_pwait(closer_closed, &F->kids[MAX_PROCS].settled, 60000);
            mpq_close(q);
            atomic_store(closed, 1);
            _exit(0);
        }
    }
    /* the parent's own waiters, once every child exists */
    kid *mine = &F->kids[MAX_PROCS];
    pthread_t th[MAX_THREADS];
    waiter_arg args[MAX_THREADS];
    drv_pwait(kids_settled, NULL, 3 * SETTLE);
    for (int i = 0; i < t; i++) args[i] = (waiter_arg){mine, i, q, put};
    for (int i = 0; i < t; i++) th[i] = spawn(close_waiter, &args[i]);
    drv_calls_settle(mine->calls, t, SETTLE);
    int early = family_returned();
    if (early) {
        drv_finding_at("wrong-result", put ? SITE(mpq_put) : SITE(mpq_get), "%d of the %s calls made on a %s, open queue returned at once: %s",
                       early, put ? "mpq_put" : "mpq_get", put ? "full" : "empty",
                       put ? "put must wait while the queue is full" : "get must wait while the queue is empty");
        F->nkids = nk;
        family_end(pids, nk);
        if (closer > 0) drv_waitpid(closer, NULL);
        give_up();
    }
    if (child_closes) {
        atomic_store(&mine->settled, 1);
        drv_pwait(closer_closed, closed, 3000);
        drv_waitpid(closer, NULL);
    } else {
        mpq_close(q);
    }
    count_arg want = {(nk + 1) * t};
    drv_pwait(all_returned, &want, STUCK);
    int back = family_returned();
    drv_out("woken", "%d", back);
    if (back < want.want) {
        int parent_back = atomic_load(&mine->returned);
        int who = family_report_stuck(t);
        if (who < 0 && parent_back < t)
            for (int i = 0; i < t; i++)
                if (!drv_call_returned(&mine->calls[i])) {
                    drv_sync_finding_in(th[i], "lost-wakeup", "%s", STUCK_AFTER_CLOSE);
                    break;
                }
        drv_finding_at("lost-wakeup", SITE(mpq_close),
                       "mpq_close, called in %s, woke %d of the %d %s calls waiting in %d processes (%d of the %d "
                       "waiting in the parent): the others still wait, for something that can never happen now. "
                       "close must wake every waiter of every process",
                       child_closes ? "a child process" : "the parent", back, want.want, put ? "mpq_put" : "mpq_get", nk + 1,
                       parent_back, t);
        family_end(pids, nk);
        give_up();
    }
    int bad = atomic_load(&mine->bad_rc);
    for (int i = 0; i < nk; i++) bad = bad ? bad : atomic_load(&F->kids[i].bad_rc);
    if (bad)
        drv_finding_at("wrong-result", put ? SITE(mpq_put) : SITE(mpq_get),
                       "a waiting %s returned %s when the queue was closed, expected -1", put ? "mpq_put" : "mpq_get",
                       bad == 1 ? "0" : "neither 0 nor -1");
    for (int i = 0; i < t; i++) pthread_join(th[i], NULL);
    family_end(pids, nk);
    mpq_destroy(q);
    return 0;
}

/* --- shared: memory, locks, messages and wake-ups between processes ---------------------------- */

/* The queue and its locks must be shared with children; false after a finding. */
static bool queue_shared(mpqueue_t *q)
{
    char where[96];
    if (!drv_mem_shared(q, where, sizeof where)) {
        drv_finding_at("wrong-result", SITE(mpq_create),
                       "the queue mpq_create returned is in %s, which every process has its own copy of after fork: "
                       "a message put by a child would never reach the parent. Allocate the queue (its locks and its "
                       "messages) with mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)",
                       where);
        return false;
    }
    return drv_locks_check_shared() == 0;
}

typedef struct flag {
    atomic_int v;
} flag;

static bool flag_set(void *p)
{
    return atomic_load(&((flag *)p)->v) != 0;
}

/* A child that puts messages #from..#to-1 (SIZE bytes), or gets and
 * checks them (unless it reports to `done`: then only that it got one);
 * exit status 0, 1 (wrong message), 2 (a call failed). */
static _Noreturn void child_traffic(mpqueue_t *q, bool put, long from, long to, flag *done)
{
    bool check = done == NULL; /* a woken call's message may race a copy made outside the lock: tsan's business */
    unsigned char m[SIZE];
    for (long s = from; s < to; s++) {
        if (put) msg_fill(m, SIZE, CODE(0, s));
        int rc = put ? mpq_put(q, m) : mpq_get(q, m);
        if (rc != 0) _exit(2);
        if (check && !put && !msg_is(m, SIZE, CODE(0, s))) _exit(1);
        drv_progress();
    }
    if (done) atomic_store(&done->v, 1);
    _exit(0);
}

/* Runs a child doing child_traffic; its exit status (or -1). */
static int child_run(const char *label, mpqueue_t *q, bool put, long from, long to)
{
    pid_t c = drv_fork(label);
    if (c == 0) child_traffic(q, put, from, to, NULL);
    int st = 0;
    if (c < 0 || drv_waitpid(c, &st) < 0) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

typedef struct sleeper {
    pid_t pid;
    flag *done;
} sleeper;

/* The child has returned, or sleeps in the kernel ('S': a futex). */
static bool asleep_or_done(void *p)
{
    sleeper *s = p;
    return flag_set(s->done) || drv_proc_state(s->pid) == 'S';
}

/* A child whose one call must wait: it starts and the parent waits until
 * it is asleep; then the parent's opposite call must let it finish.
 * Returns false after a finding. */
static bool cross_wakeup(mpqueue_t *q, bool put)
{
    flag *done = drv_shared_new(sizeof *done);
    long s = put ? 100 : 2; /* the child's message number */
    pid_t c = drv_fork(put ? "the child waiting to put" : "the child waiting to get");
    if (c == 0) child_traffic(q, put, s, s + 1, done);
    sleeper sl = {c, done};
    drv_pwait(asleep_or_done, &sl, SETTLE);
    if (flag_set(done)) {
        drv_finding_at(put ? "invariant" : "wrong-result", put ? SITE(mpq_put) : SITE(mpq_get),
                       "in a child process, mpq_%s returned on a %s queue: it must wait until %s", put ? "put" : "get",
                       put ? "full" : "empty", put ? "another process takes a message" : "another process puts one");
        drv_waitpid(c, NULL);
        return false;
    }
    unsigned char m[SIZE];
    msg_fill(m, SIZE, CODE(0, 2));
    int rc = put ? mpq_get(q, m) : mpq_put(q, m);
    if (rc != 0) {
        drv_finding_at("wrong-result", put ? SITE(mpq_get) : SITE(mpq_put), "mpq_%s returned %d, expected 0", put ? "get" : "put", rc);
        kill(c, SIGKILL);
        drv_waitpid(c, NULL);
        return false;
    }
    if (drv_pwait(flag_set, done, PATIENCE) != 0) {
        drv_finding_at("lost-wakeup", put ? SITE(mpq_get) : SITE(mpq_put),
                       "the parent %s, but the mpq_%s waiting in a child process for %s was never woken: the condition "
                       "variable it waits on must be process-shared (pthread_condattr_setpshared(&attr, "
                       "PTHREAD_PROCESS_SHARED)) and in the shared memory, and this call must signal it",
                       put ? "took a message out of the full queue" : "put a message into the empty queue", put ? "put" : "get",
                       put ? "room" : "a message");
        kill(c, SIGKILL);
        drv_waitpid(c, NULL);
        return false;
    }
    int st = 0;
    drv_waitpid(c, &st);
    if (!WIFEXITED(st) || WEXITSTATUS(st)) {
        drv_finding_at("wrong-result", put ? SITE(mpq_put) : SITE(mpq_get), "once woken, the child's mpq_%s failed on an open queue",
                       put ? "put" : "get");
        return false;
    }
    return true;
}

/* shared: the queue and every lock in it work between processes; messages
 * cross from child to parent and back, in order; a call waiting in one
 * process is woken by the opposite call in another. */
static int scenario_shared(int argc, char **argv)
{
    (void)argc, (void)argv;
    mpqueue_t *q = create_or_report(4, SIZE);
    if (!q || !queue_shared(q)) return 0;
    drv_watch_start();
    int st = child_run("the putting child", q, true, 0, 4);
    if (st != 0) {
        drv_finding_at("wrong-result", SITE(mpq_put), "a child process's mpq_put failed on an open queue with room");
        return 0;
    }
    for (long s = 0; s < 4; s++)
        if (!get_expect(q, s, "in the parent, after a child process put 4 messages")) return 0;
    if (!fill(q, 3, 4)) return 0;
    st = child_run("the getting child", q, false, 0, 3);
    if (st != 0) {
        drv_finding_at("wrong-result", SITE(mpq_get), "a child process did not get the 3 messages the parent put, in order (%s)",
                       st == 1 ? "wrong message" : "mpq_get failed");
        return 0;
    }
    /* q is empty: a get waits in a child; then fill it: a put waits */
    if (!cross_wakeup(q, false)) return 0;
    if (!fill(q, 4, 4)) return 0;
    if (!cross_wakeup(q, true)) return 0;
    drv_watch_stop();
    mpq_destroy(q);
    return 0;
}

/* --- procs: producer and consumer processes, each with threads ------------------------------------ */

static bool traffic_moved(void *p)
{
    struct {
        traffic *m;
        long seen;
    } *a = p;
    return atomic_load(&a->m->progress) != a->seen || all_received(a->m);
}

typedef struct worker {
    role r;
    kid *k;
    int i;
    bool prod;
} worker;

/* A producer or consumer thread of a child, watched: the child knows which
 * of its threads are still inside the queue. */
static void *traffic_worker(void *p)
{
    worker *w = p;
    drv_call_enter(&w->k->calls[w->i]);
    if (w->prod) producer(&w->r);
    else consumer(&w->r);
    drv_call_leave(&w->k->calls[w->i], 0);
    atomic_fetch_add(&w->k->returned, 1);
    return NULL;
}

static bool kid_finished(void *p)
{
    kid *k = p;
    return kid_done(k) || atomic_load(&k->returned) == atomic_load(&k->settled);
}

static const char STUCK_TRAFFIC[] =
    "nothing moved for a while: no message was put or taken by any process, and this thread is still "
    "waiting inside the queue, here. Every process waits for another one (a deadlock, or a lost wake-up): "
    "each put and get must signal the condition variable the other side waits on, and every lock and "
    "condition variable must be process-shared (PTHREAD_PROCESS_SHARED) and in the shared memory";

/* In a child: t producer or consumer threads; when they are done, or when
 * the parent asks where they are stuck, the child ends. */
static _Noreturn void traffic_child(int idx, traffic *m, mpqueue_t *q, bool prod, int first, int t)
{
    kid *k = &F->kids[idx];
    pthread_t th[MAX_THREADS];
    worker w[MAX_THREADS];
    atomic_store(&k->settled, t); /* here: how many threads */
    for (int i = 0; i < t; i++) {
        w[i] = (worker){{m, q, first + i}, k, i, prod};
        th[i] = spawn(traffic_worker, &w[i]);
    }
    while (!kid_finished(k)) drv_pwait(kid_finished, k, 60000);
    if (atomic_load(&k->returned) == t) {
        for (int i = 0; i < t; i++) pthread_join(th[i], NULL);
        _exit(0);
    }
    kid_answer(k, th, t, "deadlock", STUCK_TRAFFIC);
    _exit(0);
}

/* procs P C T N CAP SIZE: P producer processes and C consumer processes of
 * T threads each; each producer thread puts N messages of SIZE bytes.
 * Every message comes out exactly once and whole, each producer thread's
 * in order. A run that stops moving is a deadlock: every process is
 * reported where it waits. */
static int scenario_procs(int argc, char **argv)
{
    int np = (int)drv_arg(argc, argv, 1, 2), nc = (int)drv_arg(argc, argv, 2, 2), t = (int)drv_arg(argc, argv, 3, 3);
    long n = drv_arg(argc, argv, 4, 500);
    size_t cap = (size_t)drv_arg(argc, argv, 5, 4), size = (size_t)drv_arg(argc, argv, 6, 64);
    if (np + nc > MAX_PROCS) np = nc = MAX_PROCS / 2;
    if (t > MAX_THREADS) t = MAX_THREADS;
    F = drv_shared_new(sizeof *F);
    traffic *m = traffic_new((long)np * t, (long)nc * t, n, cap, size);
    mpqueue_t *q = create_or_report(m->cap, m->size);
    if (!q || !queue_shared(q)) return 0;
    pid_t pids[MAX_PROCS];
    int k = 0;
    for (int i = 0; i < nc; i++, k++) {
        char label[32];
        snprintf(label, sizeof label, "consumer %d", i + 1);
        pids[k] = drv_fork(label);
        if (pids[k] == 0) traffic_child(k, m, q, false, i * t, t);
    }
    for (int i = 0; i < np; i++, k++) {
        char label[32];
        snprintf(label, sizeof label, "producer %d", i + 1);
        pids[k] = drv_fork(label);
        if (pids[k] == 0) traffic_child(k, m, q, true, i * t, t);
    }
    F->nkids = k;
    struct {
        traffic *m;
        long seen;
    } mv = {m, -1};
    bool stuck = false;
    while (!stuck && !all_received(m)) {
        mv.seen = atomic_load(&m->progress);
        stuck = drv_pwait(traffic_moved, &mv, STUCK) != 0;
    }
    if (!atomic_load(&m->failed) && atomic_load(&m->received) == m->producers * m->items) {
        atomic_store(&m->closing, 1);
        mpq_close(q);
        count_arg want = {k * t};
        stuck = drv_pwait(all_returned, &want, STUCK) != 0;
    }
    if (stuck && !atomic_load(&m->failed)) {
        int who = family_report_stuck(t);
        drv_out("stuck_in", "%d", who);
        if (who >= 0 && atomic_load(&m->received) == m->producers * m->items)
            drv_finding_at("lost-wakeup", SITE(mpq_close),
                           "every message was delivered, then the parent called mpq_close, but some consumer threads "
                           "of the child processes still wait: close must wake every waiter of every process");
        traffic_failed(m);
    }
    family_end(pids, k);
    drv_out("received", "%ld", atomic_load(&m->received));
    if (!atomic_load(&m->failed) && atomic_load(&m->received) != m->producers * m->items) traffic_report_lost(m);
    /* after a failure, threads of ended processes may still count as
     * waiters of the condition variables: pthread_cond_destroy would wait
     * for them forever */
    if (!atomic_load(&m->failed)) mpq_destroy(q);
    return 0;
}

int main(int argc, char **argv)
{
    static const drv_scenario scenarios[] = {
        {"fifo", scenario_fifo, "one thread: order, whole messages of several sizes, close drains"},
        {"put-blocks", scenario_put_blocks, "CAP K: K puts wait on a full queue; each get releases one"},
        {"get-blocks", scenario_get_blocks, "K: K gets wait on an empty queue; each put releases one"},
        {"busy", scenario_busy, "a blocked get, then a blocked put, cost no CPU time"},
        {"close-get", scenario_close_get, "K: close wakes K gets waiting on an empty queue"},
        {"close-put", scenario_close_put, "K: close wakes K puts waiting on a full queue"},
        {"mpmc", scenario_mpmc, "P C N CAP SIZE: producer and consumer threads, every message once, whole, in order"},
        {"shared", scenario_shared, "shared memory and locks; messages and wake-ups between processes"},
        {"close-procs", scenario_close_procs, "SIDE K T CLOSER: close wakes the waiters of every process"},
        {"procs", scenario_procs, "P C T N CAP SIZE: producer and consumer processes of T threads each"},
        {NULL, NULL, NULL},
    };
    return drv_main(argc, argv, scenarios);
}
