/* test_proc.c - proc_run (exit status, signals, deadlines that kill a whole
 * tree, output caps, stdin, the result descriptor, the exact environment)
 * and proc_tool. Programs are /bin/sh scripts. */
#include "proc.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static char *tmpdir;
static char *const base_env[] = {"PATH=/usr/bin:/bin", NULL};

static void make_dir(void)
{
    tmpdir = dir_temp("proc-test");
}

static void remove_dir(void)
{
    dir_remove(tmpdir);
    free(tmpdir);
}

/* Runs `sh -c script` with opts o (argv, env and cwd filled in when unset). */
static proc_result run_sh(const char *script, proc_opts o)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    if (!o.argv) o.argv = argv;
    if (!o.env) o.env = base_env;
    if (!o.cwd) o.cwd = tmpdir;
    if (!o.timeout_ms) o.timeout_ms = 10000;
    proc_result r = {0};
    cr_assert_eq(proc_run(&o, &r), 0, "%s", r.error ? r.error : "");
    return r;
}

static void expect_out(const proc_result *r, const char *want)
{
    cr_assert_str_eq(sbuf_str(&r->out), want);
}

/* The pid a script wrote into FILE in the test directory. */
static pid_t pid_from(const char *file)
{
    char *p = path_join(tmpdir, file);
    char *text = file_read(p, NULL);
    cr_assert_not_null(text, "%s was not written", file);
    pid_t pid = (pid_t)atoi(text);
    cr_assert_gt(pid, 1);
    free(text), free(p);
    return pid;
}

static bool gone(pid_t pid)
{
    return kill(pid, 0) < 0 && errno == ESRCH;
}

/* The exit status comes back as the exit code; no signal, no timeout. */
Test(proc, exit_code, .init = make_dir, .fini = remove_dir)
{
    proc_result r = run_sh("exit 7", (proc_opts){0});
    cr_assert(r.started);
    cr_assert_eq(r.exit_code, 7);
    cr_assert_eq(r.signal, 0);
    cr_assert_not(r.timed_out);
    proc_result_free(&r);
}

/* A program killed by a signal reports it, with exit code -1. */
Test(proc, killed_by_signal, .init = make_dir, .fini = remove_dir)
{
    proc_result r = run_sh("kill -SEGV $$; sleep 5", (proc_opts){0});
    cr_assert_eq(r.signal, SIGSEGV);
    cr_assert_eq(r.exit_code, -1);
    cr_assert_lt(r.duration_ms, 4000);
    proc_result_free(&r);
}

/* stdout and stderr are captured apart. */
Test(proc, streams_apart, .init = make_dir, .fini = remove_dir)
{
    proc_result r = run_sh("echo out; echo err >&2; echo more", (proc_opts){0});
    expect_out(&r, "out\nmore\n");
    cr_assert_str_eq(sbuf_str(&r.err), "err\n");
    proc_result_free(&r);
}

typedef struct seen {
    int calls;
    bool had_escapee;
} seen;

static void on_timeout(void *ctx, const pid_t *pids, size_t n)
{
    seen *s = ctx;
    s->calls++;
    char *p = path_join(tmpdir, "escapee");
    char *text = file_read(p, NULL);
    for (size_t i = 0; text && i < n; i++) s->had_escapee |= pids[i] == (pid_t)atoi(text);
    free(text), free(p);
}

/* At the deadline the whole tree goes, even a child in its own session that ignores
 * SIGTERM. */
Test(proc, timeout_kills_setsid_child, .init = make_dir, .fini = remove_dir)
{
    seen s = {0};
    proc_opts o = {.timeout_ms = 700, .on_timeout = on_timeout, .ctx = &s};
    proc_result r = run_sh(
        "setsid sh -c 'trap \"\" TERM; echo $$ > escapee; exec sleep 30' & sleep 30", o);
    pid_t escapee = pid_from("escapee");
    cr_assert(r.timed_out);
    cr_assert_eq(r.signal, SIGTERM);
    cr_assert_eq(s.calls, 1);
    cr_assert(s.had_escapee, "on_timeout got the setsid child among the pids");
    cr_assert(gone(escapee), "the setsid child %d survived", (int)escapee);
    cr_assert_lt(r.duration_ms, 5000);
    proc_result_free(&r);
}

/* When the program ends, a background child it left behind is killed too. */
Test(proc, leftover_child_killed, .init = make_dir, .fini = remove_dir)
{
    proc_result r = run_sh("sleep 30 & echo $! > left; echo bye", (proc_opts){0});
    cr_assert_not(r.timed_out);
    cr_assert_eq(r.exit_code, 0);
    expect_out(&r, "bye\n");
    cr_assert_lt(r.duration_ms, 5000);
    cr_assert(gone(pid_from("left")));
    proc_result_free(&r);
}

/* Output beyond the cap is dropped and flagged; exactly the cap is not a cut. */
Test(proc, output_cap, .init = make_dir, .fini = remove_dir)
{
    proc_result r =
        run_sh("printf %0100d 0; printf %0100d 0 >&2", (proc_opts){.output_cap = 100});
    cr_assert_eq(r.out.len, 100);
    cr_assert_not(r.out_cut);
    cr_assert_not(r.err_cut);
    proc_result_free(&r);
    r = run_sh("printf 'abc%0100d' 0", (proc_opts){.output_cap = 99});
    cr_assert_eq(r.out.len, 99);
    cr_assert(r.out_cut);
    cr_assert(str_starts(r.out.data, "abc000"));
    cr_assert_not(r.err_cut);
    proc_result_free(&r);
}

/* A program that floods its output far past the cap is stopped before its deadline. */
Test(proc, flood_stopped, .init = make_dir, .fini = remove_dir)
{
    proc_result r =
        run_sh("while :; do echo 0123456789012345678901234567890123456789; done",
               (proc_opts){.output_cap = 1000});
    cr_assert_not(r.timed_out);
    cr_assert_eq(r.signal, SIGKILL);
    cr_assert_eq(r.out.len, 1000);
    cr_assert(r.out_cut);
    proc_result_free(&r);
}

/* stdin data reaches the program byte for byte, NULs included. */
Test(proc, stdin_small, .init = make_dir, .fini = remove_dir)
{
    char *argv[] = {"/bin/cat", NULL};
    proc_result r =
        run_sh(NULL, (proc_opts){.argv = argv, .stdin_data = "abc\0def", .stdin_len = 7});
    cr_assert_eq(r.out.len, 7);
    cr_assert_eq(memcmp(r.out.data, "abc\0def", 7), 0);
    proc_result_free(&r);
}

/* stdin larger than a pipe buffer is fed while the output is read. */
Test(proc, stdin_large, .init = make_dir, .fini = remove_dir)
{
    size_t n = 300000;
    char *data = xmalloc(n);
    for (size_t i = 0; i < n; i++) data[i] = (char)('a' + i % 26);
    char *argv[] = {"/bin/cat", NULL};
    proc_result r =
        run_sh(NULL, (proc_opts){.argv = argv, .stdin_data = data, .stdin_len = n});
    cr_assert_eq(r.out.len, n);
    cr_assert_eq(memcmp(r.out.data, data, n), 0);
    proc_result_free(&r);
    free(data);
}

/* Without stdin data the program reads /dev/null (EOF at once). */
Test(proc, stdin_default_empty, .init = make_dir, .fini = remove_dir)
{
    char *argv[] = {"/bin/cat", NULL};
    proc_result r = run_sh(NULL, (proc_opts){.argv = argv, .timeout_ms = 3000});
    cr_assert_not(r.timed_out);
    cr_assert_eq(r.out.len, 0);
    proc_result_free(&r);
}

/* The result descriptor is captured on its own, at the number asked for. */
Test(proc, result_fd_capture, .init = make_dir, .fini = remove_dir)
{
    proc_result r =
        run_sh("echo line1 >&3; echo out; echo line2 >&3", (proc_opts){.result_fd = 3});
    cr_assert_str_eq(sbuf_str(&r.result), "line1\nline2\n");
    expect_out(&r, "out\n");
    proc_result_free(&r);
    r = run_sh("echo five >&5", (proc_opts){.result_fd = 5});
    cr_assert_str_eq(sbuf_str(&r.result), "five\n");
    cr_assert_eq(r.exit_code, 0);
    proc_result_free(&r);
}

/* The program gets no descriptor but 0-2 and the result descriptor. */
Test(proc, no_leaked_descriptors, .init = make_dir, .fini = remove_dir)
{
    proc_result r = run_sh("ls /proc/$$/fd", (proc_opts){0});
    expect_out(&r, "0\n1\n2\n");
    proc_result_free(&r);
    r = run_sh("ls /proc/$$/fd", (proc_opts){.result_fd = 4});
    expect_out(&r, "0\n1\n2\n4\n");
    proc_result_free(&r);
}

/* The environment is exactly the one passed, nothing added. */
Test(proc, exact_environment, .init = make_dir, .fini = remove_dir)
{
    char *argv[] = {"/usr/bin/env", NULL};
    char *const env[] = {"A=1", "B=two words", NULL};
    proc_result r = run_sh(NULL, (proc_opts){.argv = argv, .env = env});
    expect_out(&r, "A=1\nB=two words\n");
    proc_result_free(&r);
    char *const none[] = {NULL};
    r = run_sh(NULL, (proc_opts){.argv = argv, .env = none});
    expect_out(&r, "");
    proc_result_free(&r);
}

/* The program runs in the working directory given. */
Test(proc, working_directory, .init = make_dir, .fini = remove_dir)
{
    char *argv[] = {"/bin/pwd", NULL};
    proc_result r = run_sh(NULL, (proc_opts){.argv = argv});
    char *abs = path_abs(tmpdir);
    char *want = xasprintf("%s\n", abs);
    expect_out(&r, want);
    free(abs), free(want);
    proc_result_free(&r);
}

/* A program that cannot start is reported, not run. */
Test(proc, cannot_start, .init = make_dir, .fini = remove_dir)
{
    char *argv[] = {"/nonexistent/prog", NULL};
    proc_result r = run_sh(NULL, (proc_opts){.argv = argv});
    cr_assert_not(r.started);
    cr_assert_eq(r.exit_code, -1);
    cr_assert_str_eq(r.error, "cannot run /nonexistent/prog: No such file or directory");
    proc_result_free(&r);
    r = run_sh("true", (proc_opts){.cwd = "/nonexistent"});
    cr_assert_not(r.started);
    cr_assert(strstr(r.error, "No such file or directory"), "%s", r.error);
    proc_result_free(&r);
}

/* A file-size limit stops a program that writes past it. */
Test(proc, file_size_limit, .init = make_dir, .fini = remove_dir)
{
    proc_result r =
        run_sh("exec head -c 3000000 /dev/zero > big", (proc_opts){.max_file_mb = 1});
    cr_assert_eq(r.signal, SIGXFSZ);
    proc_result_free(&r);
}

/* proc_tool returns the exit status with both streams in one buffer. */
Test(proc, tool_status_and_output)
{
    char *argv[] = {"sh", "-c", "echo a; echo b >&2; exit 3", NULL};
    sbuf out = {0};
    cr_assert_eq(proc_tool(argv, NULL, 5000, &out), 3);
    cr_assert(strstr(sbuf_str(&out), "a\n") && strstr(sbuf_str(&out), "b\n"), "%s",
              sbuf_str(&out));
    sbuf_free(&out);
}

/* A missing tool or one past its deadline gives -1 and says why. */
Test(proc, tool_missing_and_timeout)
{
    char *missing[] = {"no-such-tool-for-grader", NULL};
    sbuf out = {0};
    cr_assert_eq(proc_tool(missing, NULL, 5000, &out), -1);
    cr_assert_str_eq(sbuf_str(&out),
                     "no-such-tool-for-grader is not installed (run: make setup)");
    sbuf_free(&out);
    char *slow[] = {"sleep", "5", NULL};
    int64_t start = now_ms();
    cr_assert_eq(proc_tool(slow, NULL, 200, &out), -1);
    cr_assert_lt(now_ms() - start, 3000);
    cr_assert(str_ends(sbuf_str(&out), "timed out"), "%s", sbuf_str(&out));
    sbuf_free(&out);
}

/* which finds programs on PATH; strv builds NULL-terminated vectors. */
Test(proc, which_and_strv)
{
    char *sh = which("sh");
    cr_assert_not_null(sh);
    cr_assert(str_ends(sh, "/sh"));
    free(sh);
    cr_assert_null(which("no-such-tool-for-grader"));
    strv v = {0};
    strv_add(&v, "a");
    strv_addf(&v, "-j%d", 4);
    char *const *items = strv_get(&v);
    cr_assert_str_eq(items[0], "a");
    cr_assert_str_eq(items[1], "-j4");
    cr_assert_null(items[2]);
    strv_clear(&v);
    cr_assert_eq(v.len, 0);
}
