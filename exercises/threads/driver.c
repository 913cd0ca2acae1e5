/* driver.c - scenarios of the `threads` exercise.
 * Each scenario calls the student's run_in_threads and reports what it saw. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "grader_driver.h"
#include "threads.h"

static long square_plus_one(long x)
{
    return x * x + 1;
}

static long *make_args(size_t n)
{
    long *a = calloc(n ? n : 1, sizeof *a);
    for (size_t i = 0; i < n; i++) a[i] = (long)(i * 7 + 3);
    return a;
}

/* Checks results[i] == fn(args[i]) for all i; reports the first mismatch. */
static int check_results(const long *args, const long *results, size_t n, long (*fn)(long))
{
    size_t wrong = 0, first = 0;
    for (size_t i = 0; i < n; i++)
        if (results[i] != fn(args[i]) && !wrong++) first = i;
    drv_out("wrong", "%zu", wrong);
    if (wrong)
        drv_finding("wrong-result",
                    "%zu of %zu results were wrong; the first is results[%zu] = %ld, "
                    "expected fn(args[%zu]) = fn(%ld) = %ld",
                    wrong, n, first, results[first], first, args[first], fn(args[first]));
    return (int)wrong;
}

/* Calls run_in_threads and reports a non-zero return. */
static int call(task_fn fn, const long *args, long *results, size_t n)
{
    int rc = run_in_threads(fn, args, results, n);
    drv_out("rc", "%d", rc);
    if (rc != 0)
        drv_finding("wrong-result", "run_in_threads returned %d for n = %zu, expected 0", rc, n);
    return rc;
}

/* results N: every results[i] is fn(args[i]). */
static int scenario_results(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 16);
    long *args = make_args(n), *results = calloc(n, sizeof *results);
    for (size_t i = 0; i < n; i++) results[i] = -12345;
    if (call(square_plus_one, args, results, n) == 0) check_results(args, results, n, square_plus_one);
    free(args);
    free(results);
    return 0;
}

/* zero: n == 0 returns 0 and calls nothing. */
static atomic_long zero_calls;
static long count_call(long x)
{
    atomic_fetch_add(&zero_calls, 1);
    return x;
}

static int scenario_zero(int argc, char **argv)
{
    long sentinel = 77;
    int rc = run_in_threads(count_call, NULL, &sentinel, 0);
    drv_out("rc", "%d", rc);
    if (rc != 0) drv_finding("wrong-result", "run_in_threads(fn, NULL, results, 0) returned %d, expected 0", rc);
    if (atomic_load(&zero_calls))
        drv_finding("wrong-result", "with n == 0, fn was called %ld times", atomic_load(&zero_calls));
    if (sentinel != 77) drv_finding("wrong-result", "with n == 0, results[0] was written");
    drv_thread_stats s = drv_threads_stats();
    if (s.created) drv_finding("wrong-result", "with n == 0, %ld threads were created", s.created);
    return 0;
}

/* own-thread N: every call runs in a thread of its own, none in the caller.
 * A thread-local flag tells a fresh thread from one that already ran a call
 * (pthread_t values are reused once a thread is joined). */
static pthread_t caller_of_scenario;
static _Thread_local bool ran_a_call;
static atomic_long calls_made, calls_in_caller, calls_in_used_thread;
static long record_thread(long x)
{
    atomic_fetch_add(&calls_made, 1);
    if (pthread_equal(pthread_self(), caller_of_scenario)) atomic_fetch_add(&calls_in_caller, 1);
    else if (ran_a_call) atomic_fetch_add(&calls_in_used_thread, 1);
    ran_a_call = true;
    return x;
}

static int scenario_own_thread(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 16);
    long *args = make_args(n), *results = calloc(n, sizeof *results);
    caller_of_scenario = pthread_self();
    if (call(record_thread, args, results, n) != 0) return 0;
    size_t calls = (size_t)atomic_load(&calls_made);
    size_t in_caller = (size_t)atomic_load(&calls_in_caller);
    size_t shared = (size_t)atomic_load(&calls_in_used_thread);
    drv_thread_stats s = drv_threads_stats();
    drv_out("calls", "%zu", calls);
    drv_out("created", "%ld", s.created);
    if (calls != n) drv_finding("wrong-result", "fn was called %zu times for n = %zu", calls, n);
    if (in_caller)
        drv_finding("not-concurrent", "%zu of %zu calls ran in the calling thread itself, not in a new thread", in_caller, n);
    else if (shared)
        drv_finding("not-concurrent", "%zu of %zu calls ran in a thread that had already run another call: each call needs a new thread", shared, n);
    if (s.created != (long)n)
        drv_finding("wrong-result", "%ld threads were created for %zu calls, expected exactly one per call", s.created, n);
    return 0;
}

/* concurrent N: all n calls must be inside fn at once (a rendezvous). */
static drv_gate *gate;
static long meet(long x)
{
    drv_gate_wait(gate);
    return square_plus_one(x);
}

static int scenario_concurrent(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 8);
    long *args = make_args(n), *results = calloc(n, sizeof *results);
    gate = drv_gate_new((int)n);
    int rc = call(meet, args, results, n);
    drv_out("most", "%d", drv_gate_most(gate));
    if (drv_gate_broken(gate)) {
        /* a join that came before a later create is where the calls were serialized */
        const void *join = drv_threads_early_join();
        const char *story = DRV_MSG("start every thread before you join any of them");
        if (join)
            drv_finding_at("not-concurrent", join,
                           "at most %d of the %zu calls ran at the same time: this "
                           "pthread_join waits for one thread before the next is created; %s",
                           drv_gate_most(gate), n, story);
        else
            drv_finding("not-concurrent", "at most %d of the %zu calls ran at the same time: %s",
                        drv_gate_most(gate), n, story);
    }
    else if (rc == 0)
        check_results(args, results, n, square_plus_one);
    return 0;
}

/* joined N: every thread is joined before run_in_threads returns. The calls
 * meet at a gate first, so none can have finished early. */
static int scenario_joined(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 8);
    long *args = make_args(n), *results = calloc(n, sizeof *results);
    gate = drv_gate_new((int)n);
    int rc = run_in_threads(meet, args, results, n);
    drv_out("rc", "%d", rc);
    drv_thread_stats s = drv_threads_stats();
    drv_out("joined", "%ld", s.joined);
    drv_threads_check_joined("before run_in_threads returned");
    return 0;
}

/* create-fails N K: the K-th pthread_create fails; run_in_threads must return
 * -1 after joining the K-1 threads it started. */
static int scenario_create_fails(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 8);
    long k = drv_arg(argc, argv, 2, (long)n / 2 + 1);
    long *args = make_args(n), *results = calloc(n, sizeof *results);
    drv_threads_fail_at(k);
    int rc = run_in_threads(square_plus_one, args, results, n);
    drv_threads_fail_at(0);
    drv_thread_stats s = drv_threads_stats();
    drv_out("rc", "%d", rc);
    drv_out("created", "%ld", s.created);
    if (rc != -1)
        drv_finding("wrong-result",
                    "pthread_create failed (EAGAIN) for thread %ld of %zu, but run_in_threads "
                    "returned %d instead of -1",
                    k, n, rc);
    drv_threads_check_joined("after pthread_create failed");
    return 0;
}

int main(int argc, char **argv)
{
    static const drv_scenario scenarios[] = {
        {"results", scenario_results, "N: results[i] == fn(args[i])"},
        {"zero", scenario_zero, "n == 0"},
        {"own-thread", scenario_own_thread, "N: one new thread per call"},
        {"concurrent", scenario_concurrent, "N: all calls alive at once (rendezvous)"},
        {"joined", scenario_joined, "N: every thread joined before return"},
        {"create-fails", scenario_create_fails, "N K: the K-th pthread_create fails"},
        {NULL, NULL, NULL},
    };
    return drv_main(argc, argv, scenarios);
}
