/* driver.c - scenarios of the `pool` exercise.
 * Each scenario calls the student's pool_map with a fn of the driver's, which
 * runs in the student's worker processes and records what it sees in shared
 * memory (the "board"). A watchdog reports a hang as a deadlock, naming where
 * every process is blocked. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grader_driver.h"
#include "grader_proc.h"
#include "pool.h"

#define MAX_PIDS 64 /* items whose process is recorded */

/* What the calls of fn saw, shared by every process. */
typedef struct board {
    atomic_int calls, in_parent, inside, most_inside;
    atomic_int pid[MAX_PIDS];
} board;

static board *B;
static pid_t parent_pid;
static drv_pgate *gate;       /* when set, every call meets the others there */
static size_t crash_item = (size_t)-1;
static int crash_how;         /* 0: killed by SIGSEGV, 1: exits with status 3 */
static bool reverse_order;    /* item i ends only after the worker of item i+1 ended */
static size_t items;

static long expected(long x)
{
    return 3 * x + 1;
}

static size_t index_of(long x)
{
    return (size_t)((x - 3) / 7);
}

static bool ended(void *arg)
{
    int p = atomic_load(&B->pid[(size_t)arg]);
    return p && drv_proc_ended(p);
}

/* The fn handed to pool_map: records who runs it, meets the others at the
 * gate, crashes when told to. */
static long fn(long x)
{
    size_t i = index_of(x);
    atomic_fetch_add(&B->calls, 1);
    if (getpid() == parent_pid) atomic_fetch_add(&B->in_parent, 1);
    if (i < MAX_PIDS) atomic_store(&B->pid[i], (int)getpid());
    int in = atomic_fetch_add(&B->inside, 1) + 1, most = atomic_load(&B->most_inside);
    while (in > most && !atomic_compare_exchange_weak(&B->most_inside, &most, in)) {}
    int met = gate ? drv_pgate_wait(gate) : 0;
    if (i == crash_item) {
        if (crash_how == 0) drv_die(SIGSEGV);
        _exit(3);
    }
    if (reverse_order && met == 0 && i + 1 < items && i + 1 < MAX_PIDS)
        drv_pwait(ended, (void *)(i + 1), 3000);
    atomic_fetch_sub(&B->inside, 1);
    drv_progress();
    return expected(x);
}

static long *make_in(size_t n)
{
    long *a = calloc(n ? n : 1, sizeof *a);
    if (!a) abort();
    for (size_t i = 0; i < n; i++) a[i] = (long)(i * 7 + 3);
    return a;
}

static long *make_out(size_t n)
{
    long *a = calloc(n ? n : 1, sizeof *a);
    if (!a) abort();
    for (size_t i = 0; i < n; i++) a[i] = -12345;
    return a;
}

/* Fresh board and observers for one call. */
static void setup(size_t n)
{
    if (!B) B = drv_shared_new(sizeof *B);
    memset(B, 0, sizeof *B);
    parent_pid = getpid();
    items = n;
    drv_procs_reset();
}

/* Calls pool_map under the watchdog; reports the return value if it is not
 * `want` (want < -1: anything goes). */
static int call(const long *in, long *out, size_t n, int workers, int want)
{
    drv_watch_start();
    int rc = pool_map(fn, in, out, n, workers);
    drv_watch_stop();
    drv_out("rc", "%d", rc);
    if (want >= -1 && rc != want)
        drv_finding("wrong-result", "pool_map(fn, in, out, %zu, %d) returned %d, expected %d", n, workers, rc, want);
    return rc;
}

/* The item whose result out[j] holds, or -1. */
static long result_item(long y)
{
    return (y - 10) % 21 == 0 && y >= 10 ? (y - 10) / 21 : -1;
}

/* Reports the first wrong out[i], saying so when results are only out of order. */
static int check_results(const long *in, const long *out, size_t n)
{
    size_t wrong = 0, first = 0;
    for (size_t i = 0; i < n; i++)
        if (out[i] != expected(in[i]) && !wrong++) first = i;
    drv_out("wrong", "%zu", wrong);
    if (!wrong) return 0;
    long other = result_item(out[first]);
    if (other >= 0 && (size_t)other < n)
        drv_finding("wrong-result",
                    "results are out of order: out[%zu] holds fn(in[%ld]) instead of fn(in[%zu]) "
                    "(%zu of %zu results misplaced); a result must go to the index of its item, "
                    "whatever order the workers finish in",
                    first, other, first, wrong, n);
    else
        drv_finding("wrong-result", "%zu of %zu results were wrong; the first is out[%zu] = %ld, expected fn(%ld) = %ld",
                    wrong, n, first, out[first], in[first], expected(in[first]));
    return (int)wrong;
}

/* results N W: out[i] == fn(in[i]) for every i, in order. */
static int scenario_results(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 20);
    int w = (int)drv_arg(argc, argv, 2, 4);
    long *in = make_in(n), *out = make_out(n);
    setup(n);
    if (call(in, out, n, w, 0) == 0) check_results(in, out, n);
    drv_procs_coverage();
    free(in);
    free(out);
    return 0;
}

/* children N W: every fn call runs in a child process, none in the parent. */
static int scenario_children(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 12);
    int w = (int)drv_arg(argc, argv, 2, 3);
    long *in = make_in(n), *out = make_out(n);
    setup(n);
    call(in, out, n, w, -2);
    int parent = atomic_load(&B->in_parent);
    drv_out("in_parent", "%d", parent);
    drv_out("forked", "%ld", drv_procs_stats().forked);
    if (parent)
        drv_finding("not-concurrent",
                    "%d of the %zu calls of fn ran in the parent process itself, not in a worker: "
                    "every item must be computed in a child made with fork()",
                    parent, n);
    else if (!drv_procs_stats().forked)
        drv_finding("not-concurrent", "no child process was forked: the items must be computed in children");
    free(in);
    free(out);
    return 0;
}

/* concurrent N W: the first min(N, W) calls are inside fn at the same time
 * (a rendezvous in shared memory: proof by meeting, not by timing). */
static int scenario_concurrent(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 8);
    int w = (int)drv_arg(argc, argv, 2, 4);
    int k = (size_t)w < n ? w : (int)n;
    long *in = make_in(n), *out = make_out(n);
    setup(n);
    gate = drv_pgate_new(k, 2000);
    int rc = call(in, out, n, w, 0);
    int most = drv_pgate_most(gate);
    drv_out("most", "%d", most);
    if (drv_pgate_broken(gate)) {
        const void *wait = drv_procs_early_wait();
        const char *story = DRV_MSG("fork all the workers before waiting for any of them");
        if (wait)
            drv_finding_at("not-concurrent", wait, most == 1
                           ? DRV_MSG("only %d of the %d workers was inside fn at the same time: this wait collects one worker before the next is forked; %s")
                           : DRV_MSG("only %d of the %d workers were inside fn at the same time: this wait collects one worker before the next is forked; %s"),
                           most, k, story);
        else
            drv_finding("not-concurrent", most == 1 ? DRV_MSG("only %d of the %d workers was inside fn at the same time: %s")
                        : DRV_MSG("only %d of the %d workers were inside fn at the same time: %s"), most, k, story);
    } else if (rc == 0) {
        check_results(in, out, n);
    }
    drv_pgate_free(gate);
    gate = NULL;
    free(in);
    free(out);
    return 0;
}

/* bounded N W: never more than W children exist at once, never more than W
 * calls are inside fn at once. */
static int scenario_bounded(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 16);
    int w = (int)drv_arg(argc, argv, 2, 4);
    long *in = make_in(n), *out = make_out(n);
    setup(n);
    call(in, out, n, w, 0);
    int alive = drv_procs_most_alive(), inside = atomic_load(&B->most_inside);
    drv_out("most_alive", "%d", alive);
    drv_out("most_inside", "%d", inside);
    if (alive > w)
        drv_finding_at("wrong-result", drv_procs_fork_site(),
                       "%d child processes existed at the same time (forked, not yet waited for), "
                       "but workers = %d: a pool forks at most `workers` children and gives each "
                       "several items",
                       alive, w);
    else if (inside > w)
        drv_finding("wrong-result", "%d calls of fn ran at the same time, but workers = %d", inside, w);
    free(in);
    free(out);
    return 0;
}

/* few N W (N < W): results, exactly N children all working at once (and
 * finishing in reverse order). */
static int scenario_few(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 2);
    int w = (int)drv_arg(argc, argv, 2, 4);
    long *in = make_in(n), *out = make_out(n);
    setup(n);
    gate = drv_pgate_new((int)n, 2000);
    reverse_order = true;
    int rc = call(in, out, n, w, 0);
    reverse_order = false;
    long forked = drv_procs_stats().forked;
    drv_out("forked", "%ld", forked);
    if (forked > (long)n)
        drv_finding_at("wrong-result", drv_procs_fork_site(),
                       "%ld children were forked for %zu items with workers = %d: with fewer items "
                       "than workers, fork only n",
                       forked, n, w);
    else if (drv_pgate_broken(gate))
        drv_finding("not-concurrent", drv_pgate_most(gate) == 1 ? DRV_MSG("only %d of the %zu items was computed at the same time")
                    : DRV_MSG("only %d of the %zu items were computed at the same time"), drv_pgate_most(gate), n);
    else if (rc == 0)
        check_results(in, out, n);
    drv_pgate_free(gate);
    gate = NULL;
    free(in);
    free(out);
    return 0;
}

/* zero W: n == 0 returns 0, forks nothing, calls nothing. */
static int scenario_zero(int argc, char **argv)
{
    int w = (int)drv_arg(argc, argv, 1, 4);
    long sentinel = 77;
    setup(0);
    call(NULL, &sentinel, 0, w, 0);
    if (atomic_load(&B->calls)) drv_finding("wrong-result", "with n == 0, fn was called %d times", atomic_load(&B->calls));
    if (drv_procs_stats().forked)
        drv_finding_at("wrong-result", drv_procs_fork_site(), "with n == 0, %ld children were forked",
                       drv_procs_stats().forked);
    if (sentinel != 77) drv_finding("wrong-result", "with n == 0, out[0] was written");
    return 0;
}

/* order W: W items, one per worker, meet and then finish in reverse order
 * (item i ends only after the worker of item i+1 has ended): results must
 * still land at their own index. */
static int scenario_order(int argc, char **argv)
{
    int w = (int)drv_arg(argc, argv, 1, 4);
    size_t n = (size_t)w;
    long *in = make_in(n), *out = make_out(n);
    setup(n);
    gate = drv_pgate_new(w, 2000);
    reverse_order = true;
    if (call(in, out, n, w, 0) == 0) check_results(in, out, n);
    reverse_order = false;
    drv_pgate_free(gate);
    gate = NULL;
    free(in);
    free(out);
    return 0;
}

/* crash N W K HOW: the item K crashes its worker (HOW 0: SIGSEGV, 1: exit
 * status 3). pool_map returns -1, promptly, leaving no child and no
 * descriptor behind. */
static int scenario_crash(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 12);
    int w = (int)drv_arg(argc, argv, 2, 3);
    crash_item = (size_t)drv_arg(argc, argv, 3, 5);
    crash_how = (int)drv_arg(argc, argv, 4, 0);
    long *in = make_in(n), *out = make_out(n);
    drv_fds *before = drv_fds_snapshot();
    setup(n);
    int rc = call(in, out, n, w, -2);
    if (rc != -1)
        drv_finding("wrong-result", "the worker computing in[%zu] %s, but pool_map returned %d instead of -1",
                    crash_item, crash_how ? DRV_MSG("exited with status 3") : DRV_MSG("was killed by SIGSEGV"), rc);
    drv_procs_check_reaped("after a worker crashed");
    drv_fds_check(before, "after a worker crashed");
    drv_fds_free(before);
    free(in);
    free(out);
    return 0;
}

/* fork-fails N W K: the K-th fork fails; pool_map returns -1 and leaves no
 * child and no descriptor behind. */
static int scenario_fork_fails(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 8);
    int w = (int)drv_arg(argc, argv, 2, 4);
    long k = drv_arg(argc, argv, 3, 3);
    long *in = make_in(n), *out = make_out(n);
    drv_fds *before = drv_fds_snapshot();
    setup(n);
    drv_procs_fail_at(k);
    int rc = call(in, out, n, w, -2);
    drv_procs_fail_at(0);
    if (rc != -1)
        drv_finding_at("wrong-result", drv_procs_fork_site(),
                       "fork failed (EAGAIN) for worker %ld, but pool_map returned %d instead of -1", k, rc);
    drv_procs_check_reaped("after fork failed");
    drv_fds_check(before, "after fork failed");
    drv_fds_free(before);
    free(in);
    free(out);
    return 0;
}

/* clean N W: after pool_map returns, no child is left and every descriptor
 * it opened is closed. */
static int scenario_clean(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 12);
    int w = (int)drv_arg(argc, argv, 2, 3);
    long *in = make_in(n), *out = make_out(n);
    drv_fds *before = drv_fds_snapshot();
    setup(n);
    call(in, out, n, w, 0);
    drv_procs_check_reaped("when pool_map returned");
    drv_fds_check(before, "when pool_map returned");
    drv_fds_free(before);
    free(in);
    free(out);
    return 0;
}

int main(int argc, char **argv)
{
    static const drv_scenario scenarios[] = {
        {"results", scenario_results, "N W: out[i] == fn(in[i])"},
        {"children", scenario_children, "N W: every call in a child"},
        {"concurrent", scenario_concurrent, "N W: min(N, W) calls meet inside fn"},
        {"bounded", scenario_bounded, "N W: never more than W children"},
        {"few", scenario_few, "N W: N < W items"},
        {"zero", scenario_zero, "W: n == 0"},
        {"order", scenario_order, "W: W items finishing in reverse order"},
        {"crash", scenario_crash, "N W K HOW: item K crashes its worker"},
        {"fork-fails", scenario_fork_fails, "N W K: the K-th fork fails"},
        {"clean", scenario_clean, "N W: no child, no descriptor left"},
        {NULL, NULL, NULL},
    };
    return drv_main(argc, argv, scenarios);
}
