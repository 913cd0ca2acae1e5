/* driver.c - scenarios of the `procs` exercise.
 * fn, the driver's function the student's children run, records in shared
 * memory (the "board") what each child sees the moment fn begins: its name
 * as the system shows it (/proc/self/comm), what current_process_name()
 * says, its parent, and the student's line that called fn. The parent
 * compares once run_processes returns. A student's process that comes back
 * out of run_processes into this file is counted and ended at once; one that
 * ends with exit() runs the atexit handler registered here (the parent's
 * code) and is counted. A watchdog reports a hang as a deadlock. */
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "grader_driver.h"
#include "grader_proc.h"
#include "procs.h"

#define MAX_N  16
#define COMM   16 /* /proc/PID/comm: 15 bytes and a NUL */
#define MARKER "procs test: a line the parent printed before run_processes"

/* What the first call of fn for one index saw, in a child of the caller. */
typedef struct rec {
    atomic_int calls;           /* calls for this index, in any process */
    atomic_int pid;             /* the child that made the first direct call */
    atomic_int returned;        /* that index's process came back out of run_processes */
    _Atomic(const void *) site; /* the student's call of fn */
    char comm[COMM];            /* /proc/self/comm when fn began */
    char name[64];              /* current_process_name() when fn began */
    int named;                  /* 0: current_process_name() returned NULL */
} rec;

/* Shared by every process. */
typedef struct board {
    atomic_int calls;     /* every call of fn */
    atomic_int foreign;   /* calls in a process that is not a child of the caller */
    atomic_int returned;  /* processes other than the caller that came back out */
    atomic_int exited;    /* children that ran the parent's atexit handler */
    atomic_int exit_told; /* the exit() finding was sent (by the first such child) */
    rec r[MAX_N];
} board;

static board *B;
static pid_t parent_pid;
static char parent_comm[COMM]; /* the caller's own name, before anything ran */
static long my_index = -1;     /* per process: the index of the fn this process ran */
static bool tell_exit;         /* report a child's exit() as a finding */
static drv_pgate *gate;        /* when set, every direct call meets the others there */
static int order;              /* 1: child i ends after child i-1, -1: after child i+1 */
static size_t items;

static const char *const all_names[MAX_N] = {
    "reader",    "writer-1",  "a-very-long-process-name",
    "w",         "logger",    "worker-5",
    "worker-6",  "worker-7",  "worker-8",
    "worker-9",  "worker-10", "worker-11",
    "worker-12", "worker-13", "worker-14",
    "worker-15",
};
static int codes[MAX_N];    /* what fn returns for each index */
static int kill_sig[MAX_N]; /* or the signal that ends it (0: none) */
static long args[MAX_N];
static int status[MAX_N];

#define NO_STATUS (-999)

static long arg_of(size_t i)
{
    return 1000 + 7 * (long)i;
}

static long index_of(long arg)
{
    return (arg - 1000) % 7 == 0 && arg >= 1000 ? (arg - 1000) / 7 : -1;
}

/* The system's name of the calling process (its main thread), "" if unknown. */
static void comm_read(char out[COMM])
{
    out[0] = 0;
    int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t r = read(fd, out, COMM - 1);
    close(fd);
    out[r > 0 ? r : 0] = 0;
    out[strcspn(out, "\n")] = 0;
}

/* names[i] as the system shows it: cut to 15 bytes. */
static void comm_of(const char *name, char out[COMM])
{
    snprintf(out, COMM, "%s", name);
}

static bool ended(void *arg)
{
    long j = (long)(intptr_t)arg;
    int p = atomic_load(&B->r[j].pid);
    return p && drv_proc_ended(p);
}

/* Whether child j has been collected by the parent, or has ended while the
 * parent waits for another child by pid: then the order in which the parent
 * collects the children no longer depends on timing (wait() picks the
 * oldest of several ended children). */
static bool collected(void *arg)
{
    long j = (long)(intptr_t)arg;
    int p = atomic_load(&B->r[j].pid);
    char st = p ? drv_proc_state(p) : 'R';
    if (st == 0) return true;
    pid_t target = 0;
    return (st == 'Z' || st == 'X') && drv_proc_in_wait(parent_pid, &target) &&
           target > 0 && target != p;
}

/* Records what the first direct call for index i sees. */
static void rec_fill(rec *r, const void *site)
{
    atomic_store(&r->site, site);
    comm_read(r->comm);
    const char *name = current_process_name();
    r->named = name != NULL;
    snprintf(r->name, sizeof r->name, "%s", name ? name : "");
    atomic_store(&r->pid, (int)getpid());
}

/* The fn handed to run_processes: records, meets the others at the gate,
 * ends in the order asked, then returns its code or dies by its signal. */
static int fn(long arg)
{
    const void *site = __builtin_return_address(0);
    long i = index_of(arg);
    bool direct = getppid() == parent_pid;
    my_index = i;
    atomic_fetch_add(&B->calls, 1);
    if (!direct) atomic_fetch_add(&B->foreign, 1);
    if (i < 0 || i >= MAX_N) return 0;
    rec *r = &B->r[i];
    atomic_fetch_add(&r->calls, 1);
    if (direct && !atomic_load(&r->pid)) rec_fill(r, site);
    drv_progress();
    if (!direct) return codes[i];
    int met = gate ? drv_pgate_wait(gate) : 0;
    if (order > 0 && i > 0) drv_pwait(ended, (void *)(intptr_t)(i - 1), 5000);
    if (order < 0 && met == 0 && (size_t)i + 1 < items)
        drv_pwait(collected, (void *)(intptr_t)(i + 1), 5000);
    if (kill_sig[i]) drv_die(kill_sig[i]);
    return codes[i];
}

/* atexit, registered in the caller: runs in every process that ends with
 * exit(), the caller's children included (they inherit it). */
static void on_exit_handler(void)
{
    if (getpid() == parent_pid || !B) return;
    atomic_fetch_add(&B->exited, 1);
    if (tell_exit && !atomic_exchange(&B->exit_told, 1))
        drv_finding(
            "wrong-result",
            "a child process ended with exit() here, instead of _exit(): exit() runs the "
            "parent's atexit handlers and flushes the stdio buffers the child inherited "
            "from the parent, so whatever the parent had printed but not yet written "
            "comes out once more for every child");
}

/* Fresh board, names, arguments and codes for n children. */
static void setup(size_t n)
{
    static bool registered;
    if (!B) B = drv_shared_new(sizeof *B);
    memset(B, 0, sizeof *B);
    parent_pid = getpid();
    if (!parent_comm[0]) comm_read(parent_comm);
    if (!registered) registered = atexit(on_exit_handler) == 0;
    items = n;
    for (size_t i = 0; i < MAX_N; i++) {
        args[i] = arg_of(i);
        codes[i] = (int)((i * 37 + 3) % 256);
        kill_sig[i] = 0;
        status[i] = NO_STATUS;
    }
    drv_procs_reset();
}

/* In a process of the student's that came back out of run_processes: count
 * it and end it here, as if it had run the rest of the caller's program. */
static _Noreturn void came_back(void)
{
    atomic_fetch_add(&B->returned, 1);
    if (my_index >= 0 && my_index < MAX_N) atomic_fetch_add(&B->r[my_index].returned, 1);
    _exit(0);
}

/* Where run_processes begins, as a call site (reports subtract one). */
static const void *rp_start(void)
{
    return (const void *)((uintptr_t)run_processes + 1);
}

/* The student's first fork, else the start of run_processes. */
static const void *fork_site(void)
{
    return drv_procs_fork_site() ? drv_procs_fork_site() : rp_start();
}

/* Calls run_processes under the watchdog; reports the return value if it is
 * not `want` (want < -1: anything goes). */
static int call(size_t n, int want)
{
    drv_watch_start();
    int rc = run_processes(fn, all_names, args, status, n);
    if (getpid() != parent_pid) came_back();
    drv_watch_stop();
    drv_out("rc", "%d", rc);
    if (want >= -1 && rc != want)
        drv_finding_at(
            "wrong-result", fork_site(),
            "run_processes(fn, names, args, status, %zu) returned %d, expected %d", n, rc,
            want);
    return rc;
}

/* The student's line that called fn for index i (or the first fork). */
static const void *fn_site(size_t i)
{
    const void *s = i < MAX_N ? atomic_load(&B->r[i].site) : NULL;
    for (size_t j = 0; !s && j < items; j++) s = atomic_load(&B->r[j].site);
    return s ? s : fork_site();
}

/* Where current_process_name begins, as a call site (reports subtract one). */
static const void *name_fn_site(void)
{
    return (const void *)((uintptr_t)current_process_name + 1);
}

static const char *sig_name(int sig)
{
    return sig == SIGTERM   ? "SIGTERM"
           : sig == SIGKILL ? "SIGKILL"
           : sig == SIGUSR1 ? "SIGUSR1"
                            : "a signal";
}

static int expected_status(size_t i)
{
    return kill_sig[i] ? 128 + kill_sig[i] : codes[i];
}

/* How child i ended, as a phrase. */
static void how_ended(size_t i, char *out, size_t len)
{
    if (kill_sig[i])
        snprintf(out, len, "child %zu was killed by %s (signal %d)", i,
                 sig_name(kill_sig[i]), kill_sig[i]);
    else
        snprintf(out, len, "fn returned %d in child %zu", codes[i], i);
}

/* The index j != i whose expected status is s, or -1. */
static long status_owner(int s, size_t i, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (j != i && expected_status(j) == s) return (long)j;
    return -1;
}

/* Explains the first wrong status[i]; returns how many were wrong. */
static int check_statuses(size_t n)
{
    size_t wrong = 0, i = 0;
    for (size_t k = 0; k < n; k++)
        if (status[k] != expected_status(k) && !wrong++) i = k;
    drv_out("wrong", "%zu", wrong);
    if (!wrong) return 0;
    int got = status[i], want = expected_status(i), sig = kill_sig[i];
    char how[96];
    how_ended(i, how, sizeof how);
    const void *wait = drv_procs_wait_site() ? drv_procs_wait_site() : fork_site();
    long other = status_owner(got, i, n);
    if (got == NO_STATUS)
        drv_finding_at("wrong-result", wait,
                       "status[%zu] was never written (%zu of %zu statuses missing): %s",
                       i, wrong, n, how);
    else if (atomic_load(&B->r[i].returned))
        drv_finding_at(
            "wrong-result", fn_site(i),
            "status[%zu] is %d, expected %d: %s, but that child did not end when fn "
            "returned here; it came back out of run_processes into the caller's code, "
            "which ended it with status %d. End the child with _exit(fn(args[i]))",
            i, got, want, how, got);
    else if (!sig && got == want << 8)
        drv_finding_at(
            "wrong-result", wait,
            "status[%zu] is %d = %d << 8: that is the raw status waitpid stored, not "
            "the exit code (%s). Decode it: WEXITSTATUS(st) when WIFEXITED(st)",
            i, got, want, how);
    else if (sig && got == sig)
        drv_finding_at(
            "wrong-result", wait,
            "status[%zu] is %d: that is the raw status waitpid stored (%s), not a "
            "decoded one; expected 128 + %d = %d. Decode it: 128 + WTERMSIG(st) when "
            "WIFSIGNALED(st)",
            i, got, how, sig, want);
    else if (sig && got == 0)
        drv_finding_at(
            "wrong-result", wait,
            "status[%zu] is 0, but %s: expected 128 + %d = %d. WEXITSTATUS(st) means "
            "something only when WIFEXITED(st); for a child killed by a signal "
            "WIFSIGNALED(st) holds and WTERMSIG(st) is the signal",
            i, how, sig, want);
    else if (other >= 0)
        drv_finding_at(
            "wrong-result", wait,
            "statuses are out of order: status[%zu] is %d, the status of child %ld, "
            "instead of %d (%s; %zu of %zu statuses misplaced). The children end in "
            "their own order: wait for child i by its pid (waitpid(pid[i], ...)), or "
            "find the index of the pid that wait returned",
            i, got, other, want, how, wrong, n);
    else
        drv_finding_at("wrong-result", wait,
                       "status[%zu] is %d, expected %d (%s; %zu of %zu statuses wrong)",
                       i, got, want, how, wrong, n);
    return (int)wrong;
}

/* statuses N: each child ends with its own code, in the order they were
 * started (child i after child i-1): status[i] is fn's return value. */
static int scenario_statuses(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 6);
    setup(n);
    codes[0] = 3, codes[1] = 0, codes[2] = 42, codes[3] = 255;
    order = 1;
    if (call(n, 0) == 0) check_statuses(n);
    order = 0;
    return 0;
}

/* signals: children killed by signals between children that exit normally,
 * ending in the order they were started. */
static int scenario_signals(int argc, char **argv)
{
    (void)argc, (void)argv;
    size_t n = 4;
    setup(n);
    codes[0] = 7, codes[3] = 0;
    kill_sig[1] = SIGTERM, kill_sig[2] = SIGKILL;
    order = 1;
    if (call(n, 0) == 0) check_statuses(n);
    order = 0;
    return 0;
}

/* order N: the N children meet inside fn, then end in reverse order (child i
 * only after the parent collected child i+1, or waits for another child by
 * pid): statuses must still land at their index. */
static int scenario_order(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 4);
    setup(n);
    gate = drv_pgate_new((int)n, 2000);
    order = -1;
    if (call(n, 0) == 0) check_statuses(n);
    order = 0;
    drv_pgate_free(gate);
    gate = NULL;
    return 0;
}

/* zero: n == 0 returns 0, forks nothing, calls nothing, writes nothing. */
static int scenario_zero(int argc, char **argv)
{
    (void)argc, (void)argv;
    setup(0);
    call(0, 0);
    if (atomic_load(&B->calls))
        drv_finding_at("wrong-result", fn_site(0), "with n == 0, fn was called %d times",
                       atomic_load(&B->calls));
    if (drv_procs_stats().forked)
        drv_finding_at("wrong-result", drv_procs_fork_site(),
                       "with n == 0, %ld children were forked", drv_procs_stats().forked);
    if (status[0] != NO_STATUS)
        drv_finding_at("wrong-result", rp_start(), "with n == 0, status[0] was written");
    return 0;
}

/* concurrent N: all N children are inside fn at the same time (a rendezvous
 * in shared memory: proof by meeting, not by timing). */
static int scenario_concurrent(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 6);
    setup(n);
    gate = drv_pgate_new((int)n, 2000);
    call(n, 0);
    int most = drv_pgate_most(gate);
    drv_out("most", "%d", most);
    if (drv_pgate_broken(gate)) {
        const void *wait = drv_procs_early_wait();
        const char *story =
            "fork every child first, then wait for them all in a second loop";
        if (wait)
            drv_finding_at(
                "not-concurrent", wait,
                "only %d of the %zu children %s alive at the same time: this wait "
                "collects one child before the next is forked; %s",
                most, n, most == 1 ? "was" : "were", story);
        else
            drv_finding_at(
                "not-concurrent", fork_site(),
                "only %d of the %zu children %s inside fn at the same time: %s", most, n,
                most == 1 ? "was" : "were", story);
    }
    drv_pgate_free(gate);
    gate = NULL;
    return 0;
}

/* Whether a name from current_process_name() is names[i] (whole or cut). */
static bool name_ok(const rec *r, size_t i)
{
    char cut[COMM];
    comm_of(all_names[i], cut);
    return r->named && (!strcmp(r->name, all_names[i]) || !strcmp(r->name, cut));
}

/* The index whose name (as the system shows it) is comm, or -1. */
static long comm_owner(const char *comm, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        char cut[COMM];
        comm_of(all_names[j], cut);
        if (!strcmp(cut, comm)) return (long)j;
    }
    return -1;
}

/* Explains a wrong system name of child i, seen when fn began. */
static void report_comm(const rec *r, size_t i, size_t n, const char *now_parent)
{
    char want[COMM];
    comm_of(all_names[i], want);
    const char *cut = strlen(all_names[i]) > 15
                          ? " (a name longer than 15 bytes must be cut: prctl "
                            "cuts it, pthread_setname_np refuses it)"
                          : "";
    long other = comm_owner(r->comm, n);
    if (strcmp(now_parent, parent_comm) && drv_procs_name_site())
        drv_finding_at(
            "wrong-result", drv_procs_name_site(),
            "when fn began in child %zu the system showed it as \"%s\", not \"%s\": "
            "this call named the parent process (now \"%s\"), and each child only "
            "inherited the name the parent had when it forked. Name the child in "
            "the child (where fork returned 0), before it calls fn",
            i, r->comm, want, now_parent);
    else if (!strcmp(r->comm, parent_comm))
        drv_finding_at(
            "wrong-result", atomic_load(&r->site),
            "when fn was called here, child %zu was still shown by the system as "
            "\"%s\", the name of the parent it was forked from, not \"%s\": the child "
            "must name itself (prctl(PR_SET_NAME, names[i])) before it calls fn%s",
            i, r->comm, want, cut);
    else if (other >= 0)
        drv_finding_at(
            "wrong-result", atomic_load(&r->site),
            "when fn was called here, child %zu was shown by the system as \"%s\", the "
            "name of child %ld, not \"%s\": child i takes names[i]",
            i, r->comm, other, want);
    else
        drv_finding_at(
            "wrong-result", atomic_load(&r->site),
            "when fn was called here, child %zu was shown by the system as \"%s\", not "
            "\"%s\"%s",
            i, r->comm, want, cut);
}

/* names N: when fn begins in child i, /proc/self/comm is names[i] cut to 15
 * bytes and current_process_name() is names[i] (whole or cut). */
static int scenario_names(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 5);
    setup(n);
    if (call(n, 0) != 0) return 0;
    char now[COMM];
    comm_read(now);
    for (size_t i = 0; i < n; i++) {
        rec *r = &B->r[i];
        char want[COMM];
        comm_of(all_names[i], want);
        if (!atomic_load(&r->pid)) {
            drv_finding_at("wrong-result", fork_site(),
                           "fn(args[%zu]) never ran in a child of the caller", i);
            return 0;
        }
        if (strcmp(r->comm, want)) {
            report_comm(r, i, n, now);
            return 0;
        }
        if (!name_ok(r, i)) {
            const char *story =
                !r->named ? "returned NULL (a local array returned by a function "
                            "is gone once it returns: keep the name in a static "
                            "array)"
                : !strcmp(r->name, "main") ? "still said \"main\""
                                           : "returned another name";
            drv_finding_at(
                "wrong-result", name_fn_site(),
                "in child %zu, named \"%s\", current_process_name() %s%s%s%s when fn "
                "began: it must give the name the process gave itself (keep it in a "
                "static variable set in the child, or ask the system with "
                "prctl(PR_GET_NAME))",
                i, want, story, r->named && strcmp(r->name, "main") ? " (\"" : "",
                r->named && strcmp(r->name, "main") ? r->name : "",
                r->named && strcmp(r->name, "main") ? "\")" : "");
            return 0;
        }
    }
    return 0;
}

/* The parent's current_process_name() is "main": reports it otherwise. */
static bool main_name_ok(const char *when)
{
    const char *name = current_process_name();
    if (name && !strcmp(name, "main")) return true;
    drv_finding_at(
        "wrong-result", name_fn_site(),
        "in the parent, which never named itself, current_process_name() returned "
        "%s%s%s %s, expected \"main\" (like multiprocessing.current_process().name in "
        "the main process)",
        name ? "\"" : "NULL", name ? name : "", name ? "\"" : "", when);
    return false;
}

/* main N: the caller, which never named itself, is "main" before and after
 * run_processes, and run_processes leaves its system name alone. */
static int scenario_main(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 3);
    setup(n);
    if (!main_name_ok("before run_processes was called")) return 0;
    call(n, -2);
    char now[COMM];
    comm_read(now);
    if (strcmp(now, parent_comm)) {
        const void *site = drv_procs_name_site() ? drv_procs_name_site() : fork_site();
        drv_finding_at(
            "wrong-result", site,
            "run_processes renamed the parent itself: the system shows it as \"%s\" "
            "now, it was \"%s\". Only the children take the names: name each one in "
            "the child (where fork returned 0)",
            now, parent_comm);
        return 0;
    }
    main_name_ok("after run_processes returned");
    return 0;
}

/* Reports the first index whose process came back out of run_processes. */
static void report_returned(size_t n)
{
    int back = atomic_load(&B->returned);
    drv_out("returned", "%d", back);
    if (!back) return;
    size_t i = 0;
    while (i + 1 < n && !atomic_load(&B->r[i].returned)) i++;
    drv_finding_at(
        "wrong-result", fn_site(i),
        "%d process%s other than the caller came back out of run_processes into the "
        "caller's code (the first: child %zu, after fn returned here): a child must end "
        "right after fn, with _exit(fn(args[i])); otherwise it runs the rest of "
        "run_processes (its loops: forking, waiting) and then the caller's program",
        back, back == 1 ? "" : "es", i);
}

/* returns N: no child comes back out of run_processes. */
static int scenario_returns(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 4);
    setup(n);
    call(n, 0);
    report_returned(n);
    return 0;
}

/* grandchildren N: fn runs exactly N times, each time in a child of the
 * caller, never in a process forked by a child. */
static int scenario_grandchildren(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 4);
    setup(n);
    call(n, 0);
    int calls = atomic_load(&B->calls), foreign = atomic_load(&B->foreign);
    drv_out("calls", "%d", calls);
    drv_out("foreign", "%d", foreign);
    size_t i = 0;
    while (i + 1 < n && atomic_load(&B->r[i].calls) < 2) i++;
    if (foreign)
        drv_finding_at(
            "wrong-result", fn_site(i),
            "fn ran %d times for %zu children: %d of those calls ran in grandchildren "
            "(processes forked by the children). After fn returned here, the child "
            "went back into the fork loop and forked the remaining children itself: "
            "end each child right after fn, with _exit(fn(args[i]))",
            calls, n, foreign);
    else if ((size_t)calls != n)
        drv_finding_at("wrong-result", fork_site(),
                       "fn ran %d times for %zu children, expected once each", calls, n);
    return 0;
}

/* How many lines of the file fd are MARKER. */
static int marker_count(int fd)
{
    char buf[65536];
    ssize_t len = pread(fd, buf, sizeof buf - 1, 0);
    if (len <= 0) return 0;
    buf[len] = 0;
    int k = 0;
    for (char *p = buf; (p = strstr(p, MARKER "\n")); p += sizeof MARKER) k++;
    return k;
}

/* stdio N: the parent prints a line that stays in its stdio buffer, then
 * calls run_processes: the line comes out once, and no child runs the
 * parent's atexit handlers (exit() instead of _exit()). */
static int scenario_stdio(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 4);
    setup(n);
    drv_watch_start(); /* its helper is forked (and stdio flushed) before the line */
    int out = memfd_create("stdout", 0), saved = dup(1);
    if (out < 0 || saved < 0) {
        drv_out("error", "no memfd for stdout");
        return 2;
    }
    fflush(stdout);
    dup2(out, 1);
    setvbuf(stdout, NULL, _IOFBF, 4096);
    printf("%s\n", MARKER);
    tell_exit = true;
    call(n, 0);
    tell_exit = false;
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    int k = marker_count(out), exited = atomic_load(&B->exited);
    close(out);
    drv_out("copies", "%d", k);
    drv_out("exited", "%d", exited);
    if (k > 1)
        drv_finding_at(
            "wrong-result", fn_site(0),
            "a line the parent printed before calling run_processes (still in its stdio "
            "buffer, not yet written) came out %d times instead of once: %d of the %zu "
            "children wrote the parent's buffered output again when they ended after "
            "fn returned here. End a child with _exit(code), which leaves the stdio "
            "buffers it inherited alone",
            k, k - 1, n);
    else if (k == 0)
        drv_finding_at(
            "wrong-result", fn_site(0),
            "a line the parent printed before calling run_processes never came out: "
            "run_processes must leave the parent's stdio alone");
    return 0;
}

/* fork-fails N K: the K-th fork fails; run_processes returns -1 after
 * waiting for the children already started: no zombie, no descriptor. */
static int scenario_fork_fails(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 5);
    long k = drv_arg(argc, argv, 2, 3);
    drv_fds *before = drv_fds_snapshot();
    setup(n);
    drv_procs_fail_at(k);
    int rc = call(n, -2);
    drv_procs_fail_at(0);
    if (rc != -1)
        drv_finding_at("wrong-result", fork_site(),
                       "fork failed (EAGAIN) for child %ld, but run_processes returned "
                       "%d instead of -1",
                       k - 1, rc);
    else if (drv_procs_stats().forked < k - 1)
        drv_finding_at(
            "wrong-result", fork_site(),
            "run_processes returned -1, but only %ld of the %ld children before the "
            "failing fork were started: start children with fork until one fails",
            drv_procs_stats().forked, k - 1);
    drv_procs_check_reaped(
        "after fork failed (wait for the children already started, then return -1)");
    drv_fds_check(before, "after fork failed");
    drv_fds_free(before);
    return 0;
}

/* clean N: after run_processes returns, no child is left and no descriptor
 * it opened is still open. */
static int scenario_clean(int argc, char **argv)
{
    size_t n = (size_t)drv_arg(argc, argv, 1, 4);
    drv_fds *before = drv_fds_snapshot();
    setup(n);
    call(n, 0);
    drv_procs_check_reaped("when run_processes returned");
    drv_fds_check(before, "when run_processes returned");
    drv_fds_free(before);
    return 0;
}

int main(int argc, char **argv)
{
    static const drv_scenario scenarios[] = {
        {"statuses", scenario_statuses, "N: status[i] == fn's return value"},
        {"signals", scenario_signals, "children killed by signals: 128 + signal"},
        {"order", scenario_order, "N: children end in reverse order"},
        {"zero", scenario_zero, "n == 0"},
        {"concurrent", scenario_concurrent, "N: all N children meet inside fn"},
        {"names", scenario_names, "N: each child named before fn runs"},
        {"main", scenario_main, "N: the parent is \"main\" and keeps its name"},
        {"returns", scenario_returns, "N: no child comes back out of run_processes"},
        {"grandchildren", scenario_grandchildren,
         "N: fn runs once per child, in children only"},
        {"stdio", scenario_stdio, "N: the parent's buffered output is written once"},
        {"fork-fails", scenario_fork_fails, "N K: the K-th fork fails"},
        {"clean", scenario_clean, "N: no child, no descriptor left"},
        {NULL, NULL, NULL},
    };
    return drv_main(argc, argv, scenarios);
}
