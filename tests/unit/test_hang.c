/* test_hang.c - proc_run's watch for hung programs (hang.h): a program whose
 * every thread waits for another is stopped in seconds, as at its deadline;
 * one that sleeps on a timer, or is woken later by a timed wait, runs to its
 * end. The waiting programs are python3 threads (their locks are futexes). */
#include "proc.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static char *tmpdir;
static char *const base_env[] = {"PATH=/usr/bin:/bin", NULL};

static void make_dir(void)
{
    tmpdir = dir_temp("hang-test");
}

static void remove_dir(void)
{
    dir_remove(tmpdir);
    free(tmpdir);
}

/* Runs `sh -c script` watched for hangs, with a deadline of timeout_ms. */
static proc_result run_watched(const char *script, int64_t timeout_ms)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    proc_opts o = {.argv = argv,
                   .env = base_env,
                   .cwd = tmpdir,
                   .timeout_ms = timeout_ms,
                   .watch_hangs = true};
    proc_result r = {0};
    cr_assert_eq(proc_run(&o, &r), 0, "%s", r.error ? r.error : "");
    return r;
}

#define SELF_LOCK                                                                        \
    "python3 -c 'import threading; l = threading.Lock(); l.acquire(); l.acquire()'"

Test(hang, self_deadlock_stopped_early, .init = make_dir, .fini = remove_dir)
{
    proc_result r = run_watched(SELF_LOCK, 30000);
    cr_assert(r.timed_out && r.hung, "a thread waiting for itself is hung");
    cr_assert_lt(r.duration_ms, 8000, "stopped after %lld ms", (long long)r.duration_ms);
    proc_result_free(&r);
}

Test(hang, pipe_reader_of_a_hung_writer, .init = make_dir, .fini = remove_dir)
{
    /* cat reads a pipe only the hung python could write to; sh waits */
    proc_result r = run_watched(SELF_LOCK " | cat", 30000);
    cr_assert(r.timed_out && r.hung);
    cr_assert_lt(r.duration_ms, 8000, "stopped after %lld ms", (long long)r.duration_ms);
    proc_result_free(&r);
}

Test(hang, timed_wake_runs_to_its_end, .init = make_dir, .fini = remove_dir)
{
    /* the main thread waits with no timeout, but a timer thread (a timed
     * wait) releases it after 3 s: never hung */
    proc_result r =
        run_watched("python3 -c 'import threading; l = threading.Lock(); l.acquire(); "
                    "threading.Timer(3, l.release).start(); l.acquire(); print(\"ok\")'",
                    30000);
    cr_assert(!r.timed_out && !r.hung);
    cr_assert_str_eq(sbuf_str(&r.out), "ok\n");
    proc_result_free(&r);
}

Test(hang, sleeper_runs_to_its_end, .init = make_dir, .fini = remove_dir)
{
    proc_result r = run_watched("sleep 3; echo done", 30000);
    cr_assert(!r.timed_out && !r.hung);
    cr_assert_str_eq(sbuf_str(&r.out), "done\n");
    proc_result_free(&r);
}

Test(hang, unwatched_waits_for_its_deadline, .init = make_dir, .fini = remove_dir)
{
    char *argv[] = {"/bin/sh", "-c", SELF_LOCK, NULL};
    proc_opts o = {.argv = argv, .env = base_env, .cwd = tmpdir, .timeout_ms = 3000};
    proc_result r = {0};
    cr_assert_eq(proc_run(&o, &r), 0);
    cr_assert(r.timed_out && !r.hung);
    cr_assert_geq(r.duration_ms, 3000);
    proc_result_free(&r);
}
