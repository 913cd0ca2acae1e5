/* driver.c - scenarios of the `value` exercise.
 *
 * Lost updates between processes are invisible to ThreadSanitizer and
 * Helgrind, so the driver finds them itself: many runners (processes, or
 * threads in processes) update the value at once and the final value must be
 * exact. A lost update needs two runners really running at the same time, on
 * two CPUs; on a loaded machine that can take a while. So every runner times
 * its bursts of updates and publishes them, and the runners go on until
 * bursts of different runners are seen overlapping (each burst free of any
 * context switch) for OVERLAP_NS in total: proof that the interleavings
 * happened, not a timer. A correct solution stays exact however long this
 * takes; the deadline only bounds it. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "grader_driver.h"
#include "grader_proc.h"
#include "value.h"

/* Where a finding about one of the student's functions is shown, in the
 * student's file rather than here: its first line (drv_finding_at takes a
 * return address and looks one byte back). */
#define SITE(fn) ((const void *)((const char *)(void *)(fn) + 1))

#define MAX_RUNNERS 64
#define BURST 32
#define OVERLAP_NS 200000L /* 0.2 ms of updates running in parallel */

enum { ADD, COMPOUND };

/* One runner's latest burst, published with a sequence number (odd while
 * being written). */
typedef struct span {
    atomic_long seq, start, end;
} span;

/* What the runners share (MAP_SHARED). Overlap is counted per kind of pair
 * (add-add, add-compound, compound-compound): each kind of pair present must
 * have been seen running in parallel, since each loses updates differently. */
typedef struct arena {
    atomic_long count[MAX_RUNNERS]; /* updates each runner made */
    atomic_int style[MAX_RUNNERS];
    span spans[MAX_RUNNERS];
    atomic_long overlap_ns[3];
    atomic_int stop;
} arena;

static arena *R;
static shared_value_t *V;
static drv_pgate *start_gate;
static bool measure; /* run until overlap is proven (else a fixed count) */

static long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

static long switches(void)
{
    struct rusage r;
    getrusage(RUSAGE_THREAD, &r);
    return r.ru_nvcsw + r.ru_nivcsw;
}

/* True once every kind of pair among the runners has overlapped enough. */
static bool overlap_enough(int runners)
{
    int n[2] = {0, 0};
    for (int r = 0; r < runners; r++) n[atomic_load(&R->style[r])]++;
    bool need[3] = {n[ADD] > 1, n[ADD] && n[COMPOUND], n[COMPOUND] > 1};
    for (int k = 0; k < 3; k++)
        if (need[k] && atomic_load(&R->overlap_ns[k]) < OVERLAP_NS) return false;
    return true;
}

/* Publishes runner id's burst [b0, b1) and adds how long it overlapped the
 * latest burst of every other runner. */
static void overlap_note(int id, long b0, long b1, int runners)
{
    span *me = &R->spans[id];
    atomic_fetch_add(&me->seq, 1);
    atomic_store(&me->start, b0);
    atomic_store(&me->end, b1);
    atomic_fetch_add(&me->seq, 1);
    for (int q = 0; q < runners; q++) {
        span *o = &R->spans[q];
        long sq = atomic_load(&o->seq);
        if (q == id || (sq & 1)) continue;
        long s = atomic_load(&o->start), e = atomic_load(&o->end);
        if (atomic_load(&o->seq) != sq) continue;
        long lo = s > b0 ? s : b0, hi = e < b1 ? e : b1;
        if (hi <= lo) continue;
        atomic_fetch_add(&R->overlap_ns[atomic_load(&R->style[id]) + atomic_load(&R->style[q])], hi - lo);
        if (overlap_enough(runners)) atomic_store(&R->stop, 1);
    }
}

static void update(int style)
{
    if (style == ADD) {
        value_add(V, 1);
        return;
    }
    value_lock(V);
    long x = value_get(V);
    value_set(V, x + 1);
    value_unlock(V);
}

/* Runner id: at least `min` updates of the given style; with `measure`, on
 * until overlap is proven (or the deadline). Publishes its count. */
static void run_updates(int id, int style, long min, int runners)
{
    atomic_store(&R->style[id], style);
    long done = 0, deadline = now_ns() + drv_patience_ms(4000) * 1000000L;
    while (done < min || (measure && !atomic_load(&R->stop))) {
        long sw = switches(), b0 = now_ns();
        for (int k = 0; k < BURST; k++) update(style);
        long b1 = now_ns();
        done += BURST;
        if (measure && switches() == sw) overlap_note(id, b0, b1, runners);
        drv_progress();
        if (b1 > deadline) break;
    }
    atomic_store(&R->count[id], done);
}

/* --- runners: processes, threads, both ------------------------------------------ */

typedef struct job {
    int id, style, runners;
    long min;
} job;

static void *thread_main(void *arg)
{
    job *j = arg;
    drv_pgate_wait(start_gate);
    run_updates(j->id, j->style, j->min, j->runners);
    return NULL;
}

/* In a child: `threads` threads (ids first..first+threads-1), or the child
 * itself when threads == 0. Never returns. */
static void child_main(int first, int threads, int style_of_odd, long min, int runners)
{
    drv_doing(NULL, style_of_odd == COMPOUND && (first & 1) ? "in a compound update: value_lock, value_get, value_set, value_unlock"
                                                             : "in value_add");
    if (threads == 0) {
        drv_pgate_wait(start_gate);
        run_updates(first, first & 1 ? style_of_odd : ADD, min, runners);
        _exit(0);
    }
    pthread_t t[MAX_RUNNERS];
    job jobs[MAX_RUNNERS];
    for (int i = 0; i < threads; i++) {
        int id = first + i;
        jobs[i] = (job){id, id & 1 ? style_of_odd : ADD, runners, min};
        if (pthread_create(&t[i], NULL, thread_main, &jobs[i])) _exit(4);
    }
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    _exit(0);
}

/* Starts `procs` children (each with `threads` threads, or none), lets them
 * update at once, waits for them. Returns the updates made, or -1. */
static long run_children(int procs, int threads, int style_of_odd, long min)
{
    int runners = procs * (threads ? threads : 1);
    for (int r = 0; r < runners; r++) atomic_store(&R->style[r], r & 1 ? style_of_odd : ADD);
    start_gate = drv_pgate_new(runners, 3000);
    pid_t pid[MAX_RUNNERS];
    for (int p = 0; p < procs; p++) {
        char label[32];
        snprintf(label, sizeof label, "worker %d", p + 1);
        pid[p] = drv_fork(label);
        if (pid[p] == 0) child_main(p * (threads ? threads : 1), threads, style_of_odd, min, runners);
    }
    long total = 0;
    for (int p = 0; p < procs; p++) {
        int st = 0;
        if (pid[p] > 0) drv_waitpid(pid[p], &st);
        /* 66: ThreadSanitizer reported something in that child (it says what) */
        if (pid[p] < 0 || (!WIFEXITED(st) || (WEXITSTATUS(st) && WEXITSTATUS(st) != 66))) total = -1;
    }
    for (int r = 0; total >= 0 && r < runners; r++) total += atomic_load(&R->count[r]);
    drv_pgate_free(start_gate);
    return total;
}

/* --- checks ------------------------------------------------------------------------- */

/* value_create(initial), with a finding when it fails. */
static shared_value_t *create(long initial)
{
    shared_value_t *v = value_create(initial);
    if (!v) drv_finding_at("wrong-result", SITE(value_create), "value_create(%ld) returned NULL", initial);
    return v;
}

/* Where the value lives, as a reason for lost updates ("" when shared). */
static const char *why_private(void)
{
    static char why[256];
    char where[96];
    why[0] = 0;
    if (!drv_mem_shared(V, where, sizeof where))
        snprintf(why, sizeof why,
                 ": value_create's memory is in %s, which every process has its own copy of after "
                 "fork, so each child changed its own copy; use mmap with MAP_SHARED | MAP_ANONYMOUS",
                 where);
    return why;
}

/* The final value must be initial + updates. Only native runs judge it:
 * under a sanitizer the runners do a fixed number of updates without proof
 * of overlap, and that run is about data races. */
static void check_total(long initial, long updates, const char *who)
{
    long got = value_get(V), want = initial + updates;
    drv_out("expected", "%ld", want);
    drv_out("actual", "%ld", got);
    static const char *const pairs[3] = {"overlap_add_add_us", "overlap_add_compound_us", "overlap_compound_compound_us"};
    for (int k = 0; k < 3; k++) drv_out(pairs[k], "%ld", atomic_load(&R->overlap_ns[k]) / 1000);
    if (got != want && measure)
        drv_finding_at("lost-update", SITE(value_add), "%s made %ld updates of +1 starting from %ld, so the value should be %ld, but it is %ld: %ld updates were lost%s",
                    who, updates, initial, want, got, want - got, why_private());
}

/* Locks that cannot work between processes: reported; then the processes
 * are not started (they would hang). When the value itself is not in shared
 * memory, that is the story (the runs show it), not its locks. */
static bool locks_broken(void)
{
    return drv_mem_shared(V, NULL, 0) && drv_locks_check_shared() > 0;
}

static void setup(void)
{
    if (!R) R = drv_shared_new(sizeof *R);
    memset(R, 0, sizeof *R);
    measure = !strcmp(drv_tool(), "native");
    drv_watch_start();
}

/* basic: get, set and add in one process. */
static int scenario_basic(int argc, char **argv)
{
    (void)argc, (void)argv;
    if (!(V = create(5))) return 0;
    long a = value_get(V);
    value_set(V, -3);
    long b = value_get(V), c = value_add(V, 10), d = value_get(V);
    if (a != 5) drv_finding_at("wrong-result", SITE(value_get), "value_get right after value_create(5) returned %ld", a);
    else if (b != -3) drv_finding_at("wrong-result", SITE(value_set), "value_get after value_set(v, -3) returned %ld", b);
    else if (c != 7) drv_finding_at("wrong-result", SITE(value_add), "value_add(v, 10) on -3 returned %ld, expected the new value 7", c);
    else if (d != 7) drv_finding_at("wrong-result", SITE(value_add), "value_get after value_add(v, 10) on -3 returned %ld, expected 7", d);
    value_destroy(V);
    return 0;
}

/* reenter: the holder of value_lock calls value_get, value_set, value_add. */
static int scenario_reenter(int argc, char **argv)
{
    (void)argc, (void)argv;
    setup();
    if (!(V = create(0))) return 0;
    value_lock(V);
    drv_doing("self-deadlock", "value_get, called while it holds value_lock");
    long x = value_get(V);
    drv_doing("self-deadlock", "value_set, called while it holds value_lock");
    value_set(V, x + 41);
    drv_doing("self-deadlock", "value_add, called while it holds value_lock");
    long y = value_add(V, 1);
    drv_doing(NULL, NULL);
    value_unlock(V);
    long z = value_get(V);
    if (y != 42 || z != 42)
        drv_finding_at("wrong-result", SITE(value_unlock), "holding value_lock: get gave %ld, then set(%ld) and add(1) gave %ld; after value_unlock, get gave %ld (expected 42)",
                    x, x + 41, y, z);
    drv_watch_stop();
    value_destroy(V);
    return 0;
}

/* shared: a child's value_set is seen by the parent and the parent's by a
 * child; the lock is one that works between processes. */
static int scenario_shared(int argc, char **argv)
{
    (void)argc, (void)argv;
    setup();
    if (!(V = create(0))) return 0;
    if (locks_broken()) return 0;
    pid_t c = drv_fork("child 1");
    if (c == 0) {
        value_set(V, 42);
        _exit(0);
    }
    int st;
    drv_waitpid(c, &st);
    long got = value_get(V);
    if (got != 42)
        drv_finding_at("wrong-result", SITE(value_create), "a child process called value_set(v, 42) and ended, but then the parent read %ld%s",
                    got, *why_private() ? why_private() : "");
    value_set(V, 7);
    c = drv_fork("child 2");
    if (c == 0) _exit(value_get(V) == 7 ? 0 : 1);
    drv_waitpid(c, &st);
    if (got == 42 && WIFEXITED(st) && WEXITSTATUS(st) == 1)
        drv_finding_at("wrong-result", SITE(value_create), "the parent called value_set(v, 7), but a child forked afterwards read another value%s",
                    why_private());
    drv_watch_stop();
    value_destroy(V);
    return 0;
}

static bool ended_or_sleeping(void *arg)
{
    pid_t p = (pid_t)(long)arg;
    char s = drv_proc_state(p);
    return s == 0 || s == 'Z' || s == 'S';
}

/* excludes: while the parent holds value_lock, a child's value_add waits. */
static int scenario_excludes(int argc, char **argv)
{
    (void)argc, (void)argv;
    setup();
    if (!(V = create(0))) return 0;
    if (locks_broken()) return 0;
    value_lock(V);
    value_set(V, 100);
    pid_t c = drv_fork("child 1");
    if (c == 0) {
        value_add(V, 1);
        _exit(0);
    }
    drv_pwait(ended_or_sleeping, (void *)(long)c, 3000);
    bool went_ahead = drv_proc_ended(c);
    value_set(V, 200);
    value_unlock(V);
    int st;
    drv_waitpid(c, &st);
    long got = value_get(V);
    if (went_ahead)
        drv_finding_at(SITE(value_add), "lost-update",
                    "a child's value_add(v, 1) finished while the parent held value_lock, so the "
                    "parent's value_set(v, 200) then overwrote it (the value is %ld, not 201): "
                    "value_add must wait for the same lock value_lock takes",
                    got);
    else if (got != 201)
        drv_finding_at("lost-update", SITE(value_add), "after value_set(v, 200) and value_unlock, a child's waiting value_add(v, 1) should give 201, but the value is %ld", got);
    drv_watch_stop();
    value_destroy(V);
    return 0;
}

/* processes P K: P processes call value_add at the same time. */
static int scenario_processes(int argc, char **argv)
{
    int procs = (int)drv_arg(argc, argv, 1, 4);
    long k = drv_arg(argc, argv, 2, 20000);
    setup();
    if (!(V = create(0))) return 0;
    if (locks_broken()) return 0;
    long n = run_children(procs, 0, ADD, k);
    if (n >= 0) check_total(0, n, "processes calling value_add at the same time");
    drv_watch_stop();
    value_destroy(V);
    return 0;
}

/* compound P K: half of the P processes call value_add, half make compound
 * updates (value_lock, value_get, value_set, value_unlock). */
static int scenario_compound(int argc, char **argv)
{
    int procs = (int)drv_arg(argc, argv, 1, 4);
    long k = drv_arg(argc, argv, 2, 20000);
    setup();
    if (!(V = create(0))) return 0;
    if (locks_broken()) return 0;
    long n = run_children(procs, 0, COMPOUND, k);
    if (n >= 0) check_total(0, n, "processes making value_add and compound updates at the same time");
    drv_watch_stop();
    value_destroy(V);
    return 0;
}

/* threads T K: T threads of one process call value_add at the same time. */
static int scenario_threads(int argc, char **argv)
{
    int threads = (int)drv_arg(argc, argv, 1, 4);
    long k = drv_arg(argc, argv, 2, 20000);
    setup();
    if (!(V = create(0))) return 0;
    start_gate = drv_pgate_new(threads, 3000);
    pthread_t t[MAX_RUNNERS];
    job jobs[MAX_RUNNERS];
    for (int i = 0; i < threads; i++) {
        jobs[i] = (job){i, ADD, threads, k};
        pthread_create(&t[i], NULL, thread_main, &jobs[i]);
    }
    long n = 0;
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL), n += atomic_load(&R->count[i]);
    check_total(0, n, "threads calling value_add at the same time");
    drv_pgate_free(start_gate);
    drv_procs_coverage();
    drv_watch_stop();
    value_destroy(V);
    return 0;
}

/* mixed P T K: P processes of T threads each; half of the threads make
 * compound updates, half call value_add. */
static int scenario_mixed(int argc, char **argv)
{
    int procs = (int)drv_arg(argc, argv, 1, 2);
    int threads = (int)drv_arg(argc, argv, 2, 2);
    long k = drv_arg(argc, argv, 3, 20000);
    setup();
    if (!(V = create(0))) return 0;
    if (locks_broken()) return 0;
    long n = run_children(procs, threads, COMPOUND, k);
    if (n >= 0) check_total(0, n, "threads of several processes making value_add and compound updates at the same time");
    drv_procs_coverage();
    drv_watch_stop();
    value_destroy(V);
    return 0;
}

int main(int argc, char **argv)
{
    static const drv_scenario scenarios[] = {
        {"basic", scenario_basic, "get, set, add in one process"},
        {"reenter", scenario_reenter, "get, set, add while holding value_lock"},
        {"shared", scenario_shared, "updates seen across fork, locks that work between processes"},
        {"excludes", scenario_excludes, "value_add waits while another process holds value_lock"},
        {"processes", scenario_processes, "P K: P processes of value_add"},
        {"compound", scenario_compound, "P K: value_add and compound updates in P processes"},
        {"threads", scenario_threads, "T K: T threads of value_add"},
        {"mixed", scenario_mixed, "P T K: P processes of T threads, both kinds of update"},
        {NULL, NULL, NULL},
    };
    return drv_main(argc, argv, scenarios);
}
