/* test_sandbox.c - proc_run with `sandbox`: the program's uid, its PID and
 * network namespaces, what it sees of the file system, its process limit,
 * and that nothing it starts outlives it. Each test holds whatever the
 * platform allows (sandbox_probe) and checks only that. Programs are /bin/sh
 * scripts. */
#include "proc.h"
#include "sandbox.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *tmpdir; /* the run's working directory */
static char *hidden; /* a directory the program must not see */
static char *kept;   /* a directory it may read, not write */
static char *const base_env[] = {"PATH=/usr/bin:/bin", NULL};

static void make_dirs(void)
{
    tmpdir = dir_temp("sandbox-test");
    hidden = dir_temp("sandbox-hidden");
    kept = dir_temp("sandbox-kept");
    cr_assert(tmpdir && hidden && kept);
    char *secret = path_join(hidden, "secret");
    char *readme = path_join(kept, "readme");
    cr_assert_eq(file_write(secret, "solution\n", 9), 0);
    cr_assert_eq(file_write(readme, "hello\n", 6), 0);
    chmod(kept, 0755);
    chmod(readme, 0644);
    free(secret), free(readme);
}

static void remove_dirs(void)
{
    char *dirs[] = {tmpdir, hidden, kept};
    for (size_t i = 0; i < 3; i++) dir_remove(dirs[i]), free(dirs[i]);
}

/* Runs `sh -c script` sandboxed, with hidden and kept as they are named. */
static proc_result run_boxed(const char *script, proc_opts o)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    char *h = path_abs(hidden), *k = path_abs(kept);
    const char *hide[] = {h, NULL}, *keep[] = {k, NULL};
    o.argv = argv;
    o.env = base_env;
    o.cwd = tmpdir;
    o.sandbox = true;
    o.hide = hide;
    o.keep = keep;
    if (!o.timeout_ms) o.timeout_ms = 10000;
    proc_result r = {0};
    cr_assert_eq(proc_run(&o, &r), 0, "%s", r.error ? r.error : "");
    cr_assert(r.started, "%s", r.error ? r.error : "did not start");
    free(h), free(k);
    return r;
}

static const sandbox_caps *caps(void)
{
    return sandbox_probe();
}

/* Processes whose command line holds marker (a unique argument). */
static int count_marked(const char *marker)
{
    int n = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (atoi(e->d_name) <= 0) continue;
        char *path = xasprintf("/proc/%s/cmdline", e->d_name);
        size_t len = 0;
        char *text = file_read(path, &len);
        for (size_t i = 0; text && i + 1 < len; i++)
            if (!text[i]) text[i] = ' ';
        if (text && strstr(text, marker)) n++;
        free(text), free(path);
    }
    if (d) closedir(d);
    return n;
}

/* The probe always answers and says what it does. */
Test(sandbox, describe)
{
    char *d = sandbox_describe();
    cr_assert(d && *d);
    if (caps()->root) cr_assert(strstr(d, "dedicated uid"), "%s", d);
    free(d);
}

/* As root the program runs under this process's dedicated uid and owns its
 * directory; otherwise under ours. */
Test(sandbox, own_uid, .init = make_dirs, .fini = remove_dirs)
{
    proc_result r = run_boxed("id -u; id -g; stat -c %u .", (proc_opts){0});
    unsigned want = caps()->root ? (unsigned)sandbox_uid() : (unsigned)getuid();
    char *expect = caps()->root ? xasprintf("%u\n%u\n%u\n", want, want, want) : NULL;
    if (expect)
        cr_assert_str_eq(sbuf_str(&r.out), expect);
    else
        cr_assert(str_starts(sbuf_str(&r.out), xasprintf("%u\n", want)), "%s",
                  sbuf_str(&r.out));
    cr_assert_eq(r.exit_code, 0);
    free(expect);
    proc_result_free(&r);
}

/* Exit statuses and signals come through our init unchanged. */
Test(sandbox, status_through_init, .init = make_dirs, .fini = remove_dirs)
{
    proc_result r = run_boxed("exit 7", (proc_opts){0});
    cr_assert_eq(r.exit_code, 7);
    proc_result_free(&r);
    r = run_boxed("kill -SEGV $$; sleep 5", (proc_opts){0});
    cr_assert_eq(r.signal, SIGSEGV);
    cr_assert_lt(r.duration_ms, 4000);
    proc_result_free(&r);
}

/* In a PID namespace the program is not PID 1 and sees only its own processes. */
Test(sandbox, pid_namespace, .init = make_dirs, .fini = remove_dirs)
{
    if (!caps()->pid) cr_skip_test("no PID namespace here: %s", caps()->why);
    proc_result r = run_boxed("echo $$; ls /proc | grep -c '^[0-9]'", (proc_opts){0});
    int pid = 0, n = 0;
    cr_assert_eq(sscanf(sbuf_str(&r.out), "%d %d", &pid, &n), 2, "%s", sbuf_str(&r.out));
    cr_assert_eq(pid, 2, "the program should be PID 2 under our init");
    cr_assert_leq(n, 6, "it sees %d processes", n);
    proc_result_free(&r);
}

/* In a network namespace only loopback exists, and it is up. */
Test(sandbox, loopback_only, .init = make_dirs, .fini = remove_dirs)
{
    if (!caps()->net) cr_skip_test("no network namespace here: %s", caps()->why);
    proc_result r = run_boxed("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; "
                              "grep -c . /proc/net/route",
                              (proc_opts){0});
    cr_assert_str_eq(sbuf_str(&r.out), "lo\n1\n", "%s", sbuf_str(&r.out));
    proc_result_free(&r);
}

/* Hidden directories are empty, kept ones readable and read-only, the working
 * directory writable, /tmp private. */
Test(sandbox, file_system_view, .init = make_dirs, .fini = remove_dirs)
{
    if (!caps()->mount) cr_skip_test("no mount namespace here: %s", caps()->why);
    char *script = xasprintf(
        "ls -A %s 2>/dev/null | wc -l; cat %s/readme; touch %s/new 2>/dev/null && "
        "echo wrote-kept; echo mine > here && cat here; echo x > /tmp/sandbox-canary && "
        "ls /tmp | grep -c canary",
        hidden, kept, kept);
    proc_result r = run_boxed(script, (proc_opts){0});
    cr_assert_str_eq(sbuf_str(&r.out), "0\nhello\nmine\n1\n", "%s%s", sbuf_str(&r.out),
                     sbuf_str(&r.err));
    cr_assert_not(file_exists("/tmp/sandbox-canary"), "the program's /tmp is the host's");
    char *secret = path_join(hidden, "secret");
    cr_assert(file_exists(secret), "hiding must not remove anything");
    free(secret), free(script);
    proc_result_free(&r);
}

/* Outside its directories the file system is read-only, even where
 * everybody may write. */
Test(sandbox, read_only_elsewhere, .init = make_dirs, .fini = remove_dirs)
{
    if (!caps()->readonly) cr_skip_test("no read-only mounts here: %s", caps()->why);
    const char *home = getenv("HOME");
    bool use_home =
        geteuid() != 0 && home && strcmp(home, "/") && access(home, W_OK) == 0;
    char *open_dir = use_home
                         ? xasprintf("%s/sandbox-rw-%d", home, (int)getpid())
                         : xasprintf("%s/tests/out/sandbox-rw-%d",
                                     getenv("GRADER_ROOT") ? getenv("GRADER_ROOT") : ".",
                                     (int)getpid());
    cr_assert_eq(dir_make(open_dir), 0);
    chmod(open_dir, 0777);
    char *abs = path_abs(open_dir);
    char *script = xasprintf("echo x > %s/file || echo refused", abs);
    proc_result r = run_boxed(script, (proc_opts){0});
    cr_assert(strstr(sbuf_str(&r.out), "refused"), "%s", sbuf_str(&r.out));
    char *file = path_join(abs, "file");
    cr_assert_not(file_exists(file));
    dir_remove(open_dir);
    free(file), free(abs), free(open_dir), free(script);
    proc_result_free(&r);
}

/* kill(-1, SIGKILL) reaches the program's own processes only. */
Test(sandbox, kill_all_stays_inside, .init = make_dirs, .fini = remove_dirs)
{
    if (!caps()->root && !caps()->pid)
        cr_skip_test("neither a uid nor a PID namespace of its own here");
    pid_t bystander = fork();
    if (bystander == 0) {
        execl("/bin/sleep", "sleep", "20", (char *)NULL);
        _exit(127);
    }
    proc_trust(bystander, true); /* proc_run kills untrusted children of ours */
    proc_result r = run_boxed("kill -9 -1; echo survived", (proc_opts){0});
    cr_assert_eq(kill(bystander, 0), 0, "a process outside the sandbox was killed");
    kill(bystander, SIGKILL);
    int st;
    proc_wait_trusted(bystander, &st, true);
    proc_trust(bystander, false);
    proc_result_free(&r);
}

/* A daemon (setsid, double fork) is gone when the program has ended. */
Test(sandbox, daemon_killed, .init = make_dirs, .fini = remove_dirs)
{
    char marker[64];
    snprintf(marker, sizeof marker, "31.%d7", (int)getpid());
    char *script =
        xasprintf("(setsid sh -c 'sleep %s' &) ; sleep 0.2; echo started", marker);
    proc_result r = run_boxed(script, (proc_opts){0});
    cr_assert_str_eq(sbuf_str(&r.out), "started\n");
    cr_assert_lt(r.duration_ms, 5000);
    cr_assert_eq(count_marked(marker), 0, "the daemon survived the run");
    free(script);
    proc_result_free(&r);
}

/* At the deadline the program gets TERM; our init is not among the pids
 * handed to on_timeout. */
static void on_timeout(void *ctx, const pid_t *pids, size_t n)
{
    char *self = path_abs("/proc/self/exe");
    for (size_t i = 0; i < n; i++) {
        char *link = xasprintf("/proc/%d/exe", (int)pids[i]);
        char *exe = path_abs(link);
        if (exe && self && !strcmp(exe, self)) (*(int *)ctx)++;
        free(exe), free(link);
    }
    free(self);
}

Test(sandbox, timeout_without_init, .init = make_dirs, .fini = remove_dirs)
{
    int init_seen = 0;
    proc_result r = run_boxed(
        "sleep 30",
        (proc_opts){.timeout_ms = 500, .on_timeout = on_timeout, .ctx = &init_seen});
    cr_assert(r.timed_out);
    cr_assert_eq(r.signal, SIGTERM);
    cr_assert_eq(init_seen, 0, "on_timeout got our init");
    cr_assert_lt(r.duration_ms, 4000);
    proc_result_free(&r);
}

/* RLIMIT_NPROC stops a fork bomb, and leaves room whatever else the user runs. */
Test(sandbox, process_limit, .init = make_dirs, .fini = remove_dirs)
{
    proc_result r = run_boxed(
        "trap 'echo $i' EXIT; i=0; while [ $i -lt 60 ]; do sleep 5 & i=$((i+1)); done",
        (proc_opts){.max_procs = 20, .timeout_ms = 8000});
    int n = atoi(sbuf_str(&r.out));
    cr_assert_geq(n, 5, "the limit should leave the program room (%d started: %s)", n,
                  sbuf_str(&r.err));
    cr_assert_lt(n, 40, "%d background processes started under a limit of 20 (%s)", n,
                 sbuf_str(&r.err));
    proc_result_free(&r);
}

/* Megabytes of stdin for a program that never reads it: the program ends,
 * we do not die of SIGPIPE. */
Test(sandbox, unread_stdin, .init = make_dirs, .fini = remove_dirs)
{
    size_t n = 16u << 20;
    char *data = xmalloc(n);
    proc_result r =
        run_boxed("exec 0<&-; exit 3", (proc_opts){.stdin_data = data, .stdin_len = n});
    cr_assert_eq(r.exit_code, 3);
    cr_assert_lt(r.duration_ms, 5000);
    proc_result_free(&r);
    free(data);
}
