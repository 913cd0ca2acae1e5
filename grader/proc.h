/* proc.h - running programs we do not trust.
 *
 * proc_run starts argv in a new process group inside its own working directory,
 * with a clean environment, resource limits, captured and capped output, an
 * optional extra pipe (the driver's result channel) and a wall-clock deadline
 * after which the whole group is stopped (TERM, then KILL). It never returns
 * before every process of the group is gone. With `sandbox` it also takes
 * away what the platform allows (sandbox.h): a uid of its own as root, PID,
 * network and mount namespaces under a tiny init of ours (the program is not
 * PID 1, and everything it started dies with it). */
#ifndef GRADER_PROC_H
#define GRADER_PROC_H

#include "util.h"
#include <sys/types.h>

typedef struct proc_opts {
    char *const *argv;      /* argv[0] is a path */
    char *const *env;       /* complete environment, NULL-terminated */
    const char *cwd;        /* working directory (must exist) */
    const char *stdin_data; /* fed to stdin, or NULL for /dev/null */
    size_t stdin_len;
    int64_t timeout_ms; /* wall-clock deadline; 0 = none */
    size_t output_cap;  /* bytes kept per stream (default 1 MiB) */
    int result_fd;      /* >= 3: also capture this descriptor number in the child */
    const char *
        secret; /* non-NULL: readable once in the child on descriptor secret_fd (>= 3), */
    int secret_fd;       /* a pipe holding only it, never in the environment */
    long max_memory_mb;  /* RLIMIT_AS when > 0 (never for TSan) */
    long max_procs;      /* RLIMIT_NPROC when > 0; a sandboxed program without a uid or
                          * user namespace of its own gets this many above the tasks
                          * our uid already runs */
    long cpu_seconds;    /* RLIMIT_CPU when > 0 */
    long max_file_mb;    /* RLIMIT_FSIZE when > 0 */
    long max_open_files; /* RLIMIT_NOFILE when > 0 */
    /* Isolation (sandbox.h). As root the program runs under this worker's
     * dedicated uid, which gets cwd. In a mount namespace it sees the `hide`
     * directories empty, the `keep` ones read-only, cwd writable, a private
     * /tmp and everything else read-only. Paths: absolute, canonical,
     * NULL-terminated lists owned by the caller. */
    bool sandbox;
    pid_t uid_of; /* as root: run under this process's dedicated uid (0: ours) */
    const char *const *hide;
    const char *const *keep;
    /* Called after the deadline passed, before any signal is sent, with the
     * group's process ids; lets the caller take stacks. May be NULL. */
    void (*on_timeout)(void *ctx, const pid_t *pids, size_t n);
    void *ctx;
    /* Stop the program before its deadline, as at the deadline, once it is
     * hung (hang.h: every thread parked in a wait nothing can end). */
    bool watch_hangs;
} proc_opts;

typedef struct proc_result {
    int exit_code;  /* -1 when killed by a signal or not started */
    int signal;     /* the signal that killed it, else 0 */
    bool timed_out; /* the deadline passed, or the program was hung (then `hung` too) */
    bool hung;      /* stopped early: it could never have finished (hang.h) */
    bool started;   /* exec succeeded */
    int64_t duration_ms;
    double cpu_ms;         /* user + system CPU time of the whole group */
    sbuf out, err, result; /* captured streams */
    bool out_cut, err_cut, result_cut;
    bool flooded; /* stopped for printing far more than the cap */
    char *error;  /* why it could not start, or NULL */
} proc_result;

/* Runs and fills res (zero it first; release with proc_result_free).
 * Returns 0 when the program ran (whatever its status), -1 on our failure.
 * Sets SIGPIPE to SIG_IGN in the calling process if it was at its default. */
int proc_run(const proc_opts *o, proc_result *res);
void proc_result_free(proc_result *res);

/* Runs a trusted helper tool (compiler, symbolizer) and captures both streams
 * into *out. Returns its exit status, or -1 if it could not run or timed out. */
int proc_tool(char *const *argv, const char *cwd, int64_t timeout_ms, sbuf *out);

/* proc_tool for a tool reading untrusted input (the compiler, assembler and
 * linker on a student's file): run like a program, in the sandbox of
 * proc_run (the runs' own uid as root, PID, mount and network namespaces,
 * the `hide` directories empty, the `keep` ones read-only, cwd the only
 * writable place, a private /tmp) with limits on CPU time, address space,
 * file size and processes, and a clean environment (PATH and the locale
 * only). Its standard error then output go to *out. Returns its exit
 * status (128 + N when killed by signal N), PROC_TOOL_LIMIT when a limit
 * or the deadline stopped it (the input's doing), or -1 when it could not
 * run (the reason in *out). Safe to call from several threads: each call
 * supervises its tool from a process of its own. */
#define PROC_TOOL_LIMIT (-2)
int proc_tool_hidden(char *const *argv, const char *cwd, int64_t timeout_ms, sbuf *out,
                     const char *const *hide, const char *const *keep);

/* Forks a grading worker with a pipe back to us. In the parent: returns the
 * worker's pid (already trusted, see proc_trust) and sets *fd to the read
 * end. In the worker: returns 0, *fd is the write end and SIGINT is back to
 * its default. -1 (nothing started) when it cannot. */
pid_t proc_worker(int *fd);

/* Marks a child of ours (a grading worker) as trusted: proc_run never treats
 * it as part of an untrusted tree, and keeps its status if it reaps it. */
void proc_trust(pid_t pid, bool trusted);
void proc_note_exit(pid_t pid, int status);
/* waitpid for a trusted child: 1 reaped (*status set), 0 still running, -1 error. */
int proc_wait_trusted(pid_t pid, int *status, bool block);
/* Ends a trusted child of ours (a grading worker) past its deadline: it and
 * everything below it (its runs' whole trees) are stopped, killed and it is
 * reaped (*status, when not NULL); it is no longer trusted afterwards. Call
 * as a child subreaper (see proc_subreaper) so that nothing it started can
 * slip away while it dies. */
void proc_kill_worker(pid_t pid, int *status);
/* Stops and kills every untrusted child of ours (orphans of workers that
 * died, adopted as a subreaper) with everything below it, and reaps them;
 * trusted children are left alone (their statuses kept, see proc_note_exit). */
void proc_kill_orphans(void);
/* Makes this process a child subreaper: orphans of its workers' trees come
 * back to it (and proc_kill_worker finds them). */
void proc_subreaper(void);

/* Searches PATH for a program; returns a malloc'd path or NULL. */
char *which(const char *name);

/* A NULL-terminated string vector builder for argv / env. */
typedef struct strv {
    char **items;
    size_t len, cap;
} strv;
void strv_add(strv *v, const char *s);
void strv_addf(strv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *const *strv_get(strv *v); /* NULL-terminated view */
void strv_clear(strv *v);

#endif
