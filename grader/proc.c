/* proc.c - see proc.h.
 *
 * Containment: the child gets its own process group; the grader process is a
 * child subreaper, so descendants that escape the group (setsid, double fork)
 * are still ours to find and kill. At the end every descendant is stopped with
 * SIGSTOP (so a fork bomb cannot outrun us), then killed and reaped. */
#include "proc.h"
#include "hang.h"
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* Linux 5.3; before it, we poll the child's end */
#endif

#define DEFAULT_CAP  (1u << 20)
#define FLOOD_FACTOR 64 /* a stream this many times over its cap stops the run */

void strv_add(strv *v, const char *s)
{
    *VEC_PUSH(v) = xstrdup(s);
}

void strv_addf(strv *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    *VEC_PUSH(v) = xvasprintf(fmt, ap);
    va_end(ap);
}

char *const *strv_get(strv *v)
{
    vec_grow((void **)&v->items, &v->cap, v->len + 1, sizeof *v->items);
    v->items[v->len] = NULL;
    return v->items;
}

void strv_clear(strv *v)
{
    for (size_t i = 0; i < v->len; i++) free(v->items[i]);
    free(v->items);
    memset(v, 0, sizeof *v);
}

pid_t proc_worker(int *fd)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        signal(SIGINT, SIG_DFL);
        *fd = p[1];
        return 0;
    }
    close(p[1]);
    proc_trust(pid, true);
    *fd = p[0];
    return pid;
}

/* Statuses of trusted children reaped by accident (see reap). */
typedef struct noted_exit {
    pid_t pid;
    int status;
} noted_exit;
static noted_exit noted[256];
static size_t nnoted;

void proc_note_exit(pid_t pid, int status)
{
    if (nnoted < ARRAY_LEN(noted)) noted[nnoted++] = (noted_exit){pid, status};
}

int proc_wait_trusted(pid_t pid, int *status, bool block)
{
    for (size_t i = 0; i < nnoted; i++)
        if (noted[i].pid == pid) {
            *status = noted[i].status;
            noted[i] = noted[--nnoted];
            return 1;
        }
    pid_t r;
    while ((r = waitpid(pid, status, block ? 0 : WNOHANG)) < 0 && errno == EINTR) {
    }
    return r == pid ? 1 : r == 0 ? 0 : -1;
}

void proc_result_free(proc_result *res)
{
    sbuf_free(&res->out);
    sbuf_free(&res->err);
    sbuf_free(&res->result);
    free(res->error);
    res->error = NULL;
}

/* --- the process tree ------------------------------------------------------ */

/* Our own children that are not part of any untrusted tree (grading workers). */
static pid_t trusted[256];
static size_t ntrusted;

void proc_trust(pid_t pid, bool yes)
{
    for (size_t i = 0; i < ntrusted; i++)
        if (trusted[i] == pid) {
            if (!yes) trusted[i] = trusted[--ntrusted];
            return;
        }
    if (yes && ntrusted < ARRAY_LEN(trusted)) trusted[ntrusted++] = pid;
}

static bool is_trusted(pid_t pid)
{
    for (size_t i = 0; i < ntrusted; i++)
        if (trusted[i] == pid) return true;
    return false;
}

/* Every live descendant of root, and every process reparented to us (we are a
 * subreaper) other than those in `skip` (our other, trusted children).
 * Returns a malloc'd array (caller frees). */
static pid_t *tree_pids(pid_t root, size_t *n)
{
    typedef struct {
        pid_t pid, ppid;
    } pp;
    pp *all = NULL;
    size_t len = 0, cap = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        pid_t pid = (pid_t)atoi(e->d_name);
        if (pid <= 0) continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t r = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (r <= 0) continue;
        buf[r] = 0;
        char *close_paren = strrchr(buf, ')');
        int ppid;
        char state;
        if (!close_paren || sscanf(close_paren + 2, "%c %d", &state, &ppid) != 2)
            continue;
        if (state == 'Z' && ppid != getpid()) continue;
        vec_grow((void **)&all, &cap, len + 1, sizeof *all);
        all[len++] = (pp){pid, (pid_t)ppid};
    }
    if (d) closedir(d);
    pid_t *out = xmalloc(sizeof *out * (len + 1));
    size_t m = 0;
    out[m++] = root;
    /* breadth-first over the parent links; our own direct children other than
     * root are orphans adopted from root's tree (the grader runs one untrusted
     * program at a time per process) */
    for (size_t i = 0; i < len; i++)
        if (all[i].ppid == getpid() && all[i].pid != root && !is_trusted(all[i].pid))
            out[m++] = all[i].pid;
    for (size_t k = 0; k < m; k++)
        for (size_t i = 0; i < len; i++)
            if (all[i].ppid == out[k]) {
                bool seen = false;
                for (size_t j = 0; j < m && !seen; j++) seen = out[j] == all[i].pid;
                if (!seen && m < len + 1) out[m++] = all[i].pid;
            }
    free(all);
    *n = m;
    return out;
}

/* Reaps every exited child of ours without blocking; records root's status. */
static void reap(pid_t root, int *root_status, bool *root_done, struct rusage *ru)
{
    for (;;) {
        int st;
        struct rusage r;
        pid_t p = wait4(-1, &st, WNOHANG | __WALL, &r);
        if (p <= 0) break;
        if (is_trusted(p)) {
            /* a worker of ours ended while we waited for a program: keep its
             * status for whoever waits for it */
            proc_note_exit(p, st);
            continue;
        }
        ru->ru_utime.tv_sec += r.ru_utime.tv_sec;
        ru->ru_utime.tv_usec += r.ru_utime.tv_usec;
        ru->ru_stime.tv_sec += r.ru_stime.tv_sec;
        ru->ru_stime.tv_usec += r.ru_stime.tv_usec;
        if (p == root) {
            *root_status = st;
            *root_done = true;
        }
    }
}

/* Stops, kills and reaps the whole tree. */
static void kill_tree(pid_t root, pid_t pgid, int *root_status, bool *root_done,
                      struct rusage *ru)
{
    kill(-pgid, SIGKILL);
    for (int round = 0; round < 50; round++) {
        size_t n;
        pid_t *pids = tree_pids(root, &n);
        size_t live = 0;
        for (size_t i = 0; i < n; i++) {
            if (pids[i] == root && *root_done) continue;
            if (kill(pids[i], SIGSTOP) == 0) live++;
        }
        for (size_t i = 0; i < n; i++)
            if (!(pids[i] == root && *root_done)) kill(pids[i], SIGKILL);
        free(pids);
        reap(root, root_status, root_done, ru);
        if (!live && *root_done) break;
        usleep(2000);
    }
    while (!*root_done) {
        int st;
        struct rusage r;
        if (wait4(root, &st, __WALL, &r) == root) {
            *root_status = st;
            *root_done = true;
        } else if (errno != EINTR)
            break;
    }
    reap(root, root_status, root_done, ru);
}

void proc_kill_worker(pid_t pid, int *status)
{
    int st = 0;
    bool done = proc_wait_trusted(pid, &st, false) == 1;
    proc_trust(pid, false);
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    kill_tree(pid, pid, &st, &done, &ru);
    if (status) *status = st;
}

void proc_kill_orphans(void)
{
    int st = 0;
    bool done = false;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (int round = 0; round < 50; round++) {
        size_t n;
        pid_t *pids = tree_pids(
            -1, &n); /* [0] is no process: only our untrusted children and below */
        for (size_t i = 1; i < n; i++) kill(pids[i], SIGSTOP);
        for (size_t i = 1; i < n; i++) kill(pids[i], SIGKILL);
        free(pids);
        reap(-1, &st, &done, &ru);
        if (n <= 1) break;
        usleep(2000);
    }
}

void proc_subreaper(void)
{
    prctl(PR_SET_CHILD_SUBREAPER, 1);
}

static void signal_tree(pid_t root, pid_t pgid, int sig)
{
    kill(-pgid, sig);
    size_t n;
    pid_t *pids = tree_pids(root, &n);
    for (size_t i = 0; i < n; i++) kill(pids[i], sig);
    free(pids);
}

/* --- the child side --------------------------------------------------------- */

static void set_limit(int res, rlim_t v)
{
    struct rlimit rl = {v, v};
    setrlimit(res, &rl);
}

/* What the child tells the parent when it could not start the program. */
typedef struct start_error {
    int err;       /* errno */
    char step[60]; /* "" for exec itself */
} start_error;

static _Noreturn void child_fail(int fd, const char *step)
{
    start_error e;
    memset(&e, 0, sizeof e);
    e.err = errno;
    snprintf(e.step, sizeof e.step, "%s", step ? step : "");
    if (write(fd, &e, sizeof e) < 0) _exit(127);
    _exit(127);
}

/* Gives up root for the run's own uid (groups first, the uid last). */
static void drop_root(uid_t uid, int errfd)
{
    if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
        setresuid(uid, uid, uid) < 0)
        child_fail(errfd, "switching to the run's user");
}

/* Closes every descriptor from `from` up to `to` (inclusive) but the kept ones. */
static void close_but(unsigned from, unsigned to, const int *kept, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned k = (unsigned)kept[i];
        if (kept[i] < 0 || k < from || k > to) continue;
        if (k > from) close_but(from, k - 1, kept, n);
        if (k < to) close_but(k + 1, to, kept, n);
        return;
    }
    if (from <= to) syscall(SYS_close_range, from, to, 0);
}

/* Moves the pipes to 0, 1, 2, the result number and the secret's number;
 * closes everything else but *errfd (moved above them). */
static void place_descriptors(const proc_opts *o, int fds[5], int *errfd)
{
    int hi[5], hierr = fcntl(*errfd, F_DUPFD_CLOEXEC, 1000);
    for (int i = 0; i < 5; i++) hi[i] = fds[i] >= 0 ? fcntl(fds[i], F_DUPFD, 1000) : -1;
    int target[5] = {0, 1, 2, o->result_fd, o->secret_fd};
    for (int i = 0; i < 5; i++)
        if (hi[i] >= 0 && target[i] >= 0) dup2(hi[i], target[i]);
    int kept[2] = {hi[3] >= 0 ? o->result_fd : -1, hi[4] >= 0 ? o->secret_fd : -1};
    close_but(3, (unsigned)hierr - 1, kept, 2);
    syscall(SYS_close_range, (unsigned)hierr + 1, ~0U, 0);
    *errfd = hierr;
}

/* The rlimits of a run: no core files, and what o asks for. */
static void set_limits(const proc_opts *o, long procs)
{
    set_limit(RLIMIT_CORE, 0);
    if (o->cpu_seconds > 0) set_limit(RLIMIT_CPU, (rlim_t)o->cpu_seconds);
    if (o->max_file_mb > 0) set_limit(RLIMIT_FSIZE, (rlim_t)o->max_file_mb << 20);
    if (o->max_open_files > 0) set_limit(RLIMIT_NOFILE, (rlim_t)o->max_open_files);
    if (procs > 0) set_limit(RLIMIT_NPROC, (rlim_t)procs);
    if (o->max_memory_mb > 0) set_limit(RLIMIT_AS, (rlim_t)o->max_memory_mb << 20);
}

/* Runs in the forked child: never returns. fds: [0]=stdin [1]=stdout [2]=stderr
 * [3]=result (or -1); errfd reports a failure to start; parent: the pid our
 * parent has here (to close the PR_SET_PDEATHSIG race); uid: the run's own
 * user when we are root, else (uid_t)-1; procs: RLIMIT_NPROC or 0. */
static _Noreturn void child_exec(const proc_opts *o, int fds[5], int errfd, pid_t parent,
                                 uid_t uid, long procs)
{
    /* a session of its own puts a sandboxed program's whole tree in one
     * scheduler autogroup: a fork bomb gets one share of the CPU */
    if (!o->sandbox || setsid() < 0) setpgid(0, 0);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    place_descriptors(o, fds, &errfd);
    set_limits(o, procs);
    if (uid != (uid_t)-1) drop_root(uid, errfd);
    if (o->sandbox) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    /* after the uid changed: a change of credentials clears it */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
    if (o->cwd && chdir(o->cwd) < 0) child_fail(errfd, "");
    execve(o->argv[0], o->argv, o->env);
    child_fail(errfd, "");
}

/* The init of the run's PID namespace (its PID 1): starts the program, reaps
 * whatever gets reparented to it, and when the program ends writes its wait
 * status to stfd and exits, which kills everything left in the namespace.
 * It has no signal handler, so the program cannot signal it (PID 1 ignores
 * what it does not handle); the grader still can stop and kill it. lifefd:
 * the parent's end of a pipe, to see whether it died before PR_SET_PDEATHSIG
 * took hold. Never returns. */
static _Noreturn void init_main(const proc_opts *o, int fds[5], int errfd, int stfd,
                                int lifefd, uid_t uid, long procs)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    setpgid(0,
            0); /* before the program starts, whatever the parent's setpgid raced with */
    struct pollfd pf = {lifefd, POLLIN, 0};
    if (poll(&pf, 1, 0) != 0) _exit(127); /* the parent is gone */
    pid_t prog = fork();
    if (prog == 0) child_exec(o, fds, errfd, getppid(), uid, procs);
    if (prog < 0) child_fail(errfd, "starting the program");
    /* only the status pipe stays: the parent sees EOF when the program execs */
    if (dup2(stfd, 3) < 0) _exit(127);
    syscall(SYS_close_range, 0u, 2u, 0);
    syscall(SYS_close_range, 4u, ~0U, 0);
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, __WALL);
        if (p == prog) {
            if (write(3, &st, sizeof st) < 0) _exit(126);
            _exit(0);
        }
        if (p < 0 && errno == ECHILD) _exit(0);
    }
}

char *which(const char *name)
{
    const char *path = getenv("PATH");
    if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
    char *copy = xstrdup(path), *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char *p = path_join(d, name);
        if (access(p, X_OK) == 0) {
            free(copy);
            return p;
        }
        free(p);
    }
    free(copy);
    return NULL;
}

/* --- the parent side -------------------------------------------------------- */

typedef struct stream {
    int fd;
    sbuf *buf;
    bool *cut;
    size_t total;
} stream;

/* Reads what is available; returns false at EOF or error. */
static bool stream_read(stream *s, size_t cap)
{
    char chunk[65536];
    ssize_t r = read(s->fd, chunk, sizeof chunk);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (r <= 0) return false;
    s->total += (size_t)r;
    size_t room = s->buf->len < cap ? cap - s->buf->len : 0;
    if ((size_t)r > room) *s->cut = true;
    sbuf_add(s->buf, chunk, (size_t)r < room ? (size_t)r : room);
    return true;
}

static int make_pipe(int p[2])
{
    return pipe2(p, O_CLOEXEC);
}

/* Tasks (processes and threads) whose real uid is ours, system-wide. */
static long user_tasks(void)
{
    long n = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    char want[32];
    snprintf(want, sizeof want, "Uid:\t%u\t", (unsigned)getuid());
    while (d && (e = readdir(d))) {
        if (atoi(e->d_name) <= 0) continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%.256s/status", e->d_name);
        char *text = file_read(path, NULL);
        const char *threads =
            text && strstr(text, want) ? strstr(text, "\nThreads:") : NULL;
        if (threads) n += atol(threads + 9);
        free(text);
    }
    if (d) closedir(d);
    return n;
}

/* A program that stops reading its stdin must not kill us with SIGPIPE when
 * we write more: the write fails instead. (Programs start with every signal
 * at its default.) */
static void ignore_sigpipe(void)
{
    struct sigaction old;
    if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
        signal(SIGPIPE, SIG_IGN);
}

/* Everything a run needs on both sides of the fork, decided before it. */
typedef struct launch {
    int in[2], out[2], err[2], rfd[2], ex[2], st[2], life[2], sec[2];
    int devnull;
    int flags;  /* namespaces (sandbox_clone_flags) */
    uid_t uid;  /* the run's own user as root, else (uid_t)-1 */
    long procs; /* RLIMIT_NPROC, 0 for none */
    char *cwd;  /* canonical working directory (the writable one) */
    sandbox_view view;
    const char *write[2];
} launch;

/* Closes every descriptor l still owns and frees its strings. */
static void launch_close(launch *l)
{
    int *fds[] = {l->in, l->out, l->err, l->rfd, l->ex, l->st, l->life, l->sec};
    for (size_t i = 0; i < ARRAY_LEN(fds); i++)
        for (int k = 0; k < 2; k++)
            if (fds[i][k] >= 0) close(fds[i][k]), fds[i][k] = -1;
    if (l->devnull >= 0) close(l->devnull), l->devnull = -1;
    free(l->cwd);
    l->cwd = NULL;
}

/* Decides the isolation of a run: namespaces, uid, process limit, view. */
static void launch_sandbox(const proc_opts *o, launch *l)
{
    l->uid = (uid_t)-1;
    l->procs = o->max_procs > 0 ? o->max_procs : 0;
    l->cwd = o->cwd ? path_abs(o->cwd) : NULL;
    if (!o->sandbox) return;
    const sandbox_caps *c = sandbox_probe();
    l->flags = sandbox_clone_flags(c, true);
    if (c->root) {
        l->uid = o->uid_of > 0 ? sandbox_uid_of(o->uid_of) : sandbox_uid();
        if (l->cwd && (chown(l->cwd, l->uid, l->uid) < 0 || chmod(l->cwd, 0700) < 0))
            l->uid = (uid_t)-1;
    } else if (!(l->flags & CLONE_NEWUSER) && l->procs) {
        l->procs += user_tasks(); /* RLIMIT_NPROC counts every task of our uid */
    }
    l->write[0] = l->cwd;
    l->view = (sandbox_view){.hide = o->hide,
                             .keep = o->keep,
                             .write = l->write,
                             .private_tmp = true,
                             .readonly = c->readonly};
}

/* The pipes of a run (stdin only with data; the init's status and lifeline
 * only in a PID namespace). 0, or -1 with errno set. */
static int launch_pipes(const proc_opts *o, launch *l)
{
    bool init = l->flags & CLONE_NEWPID;
    if (make_pipe(l->out) || make_pipe(l->err) || make_pipe(l->ex) ||
        (o->result_fd >= 3 && make_pipe(l->rfd)) || (o->stdin_data && make_pipe(l->in)) ||
        (init && (make_pipe(l->st) || make_pipe(l->life))))
        return -1;
    if (!o->stdin_data) l->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (o->secret && o->secret_fd >= 3) {
        /* the whole secret waits in the pipe; the write end is closed, so
         * the program reads it once and then EOF */
        size_t n = strlen(o->secret);
        if (make_pipe(l->sec) || write(l->sec[1], o->secret, n) != (ssize_t)n) return -1;
        close(l->sec[1]);
        l->sec[1] = -1;
    }
    return 0;
}

/* The child side of proc_run: into the sandbox, then the init or the program. */
static _Noreturn void launch_child(const proc_opts *o, launch *l, uid_t outer_uid,
                                   gid_t outer_gid, pid_t parent)
{
    int fds[5] = {o->stdin_data ? l->in[0] : l->devnull, l->out[1], l->err[1], l->rfd[1],
                  l->sec[0]};
    const char *step = NULL;
    if (l->flags && sandbox_enter(l->flags, outer_uid, outer_gid, &l->view, &step) < 0)
        child_fail(l->ex[1], step);
    if (l->flags & CLONE_NEWPID)
        init_main(o, fds, l->ex[1], l->st[1], l->life[0], l->uid, l->procs);
    child_exec(o, fds, l->ex[1], l->flags ? getppid() : parent, l->uid, l->procs);
}

/* The parent's view of one run in progress. */
typedef struct running {
    const proc_opts *o;
    proc_result *res;
    pid_t pid; /* our child: the program, or the init of its namespace */
    bool init;
    int status;
    bool done, flood;
    struct rusage ru;
    stream ss[3];
    size_t nstreams;
    bool open_fd[3];
    int in_fd;
    int pidfd; /* readable when pid ends (-1 without pidfd_open) */
    size_t in_off, cap;
} running;

/* Waits until the program exec'd or failed to; fills res->started/error. */
static void await_start(running *r, launch *l)
{
    start_error e;
    memset(&e, 0, sizeof e);
    ssize_t got;
    while ((got = read(l->ex[0], &e, sizeof e)) < 0 && errno == EINTR) {
    }
    r->res->started = got == 0;
    if (got == 0) return;
    if (e.step[0])
        r->res->error = xasprintf("the sandbox could not be set up (%s: %s)", e.step,
                                  strerror(e.err));
    else
        r->res->error = xasprintf("cannot run %s: %s", r->o->argv[0], strerror(e.err));
}

/* Feeds stdin while the program reads it. */
static void feed_stdin(running *r)
{
    const proc_opts *o = r->o;
    ssize_t w = write(r->in_fd, o->stdin_data + r->in_off, o->stdin_len - r->in_off);
    if (w > 0) r->in_off += (size_t)w;
    if ((w < 0 && errno != EAGAIN && errno != EINTR) || r->in_off == o->stdin_len) {
        close(r->in_fd);
        r->in_fd = -1;
    }
}

/* One poll round over the streams, stdin and the child's end (at most
 * wait_ms). */
static void pump(running *r, int wait_ms)
{
    struct pollfd pf[5];
    int idx[5], np = 0;
    for (size_t i = 0; i < r->nstreams; i++)
        if (r->open_fd[i])
            pf[np] = (struct pollfd){r->ss[i].fd, POLLIN, 0}, idx[np++] = (int)i;
    if (r->in_fd >= 0) pf[np] = (struct pollfd){r->in_fd, POLLOUT, 0}, idx[np++] = 3;
    if (r->pidfd >= 0 && !r->done)
        pf[np] = (struct pollfd){r->pidfd, POLLIN, 0}, idx[np++] = 4;
    if (np == 0 && wait_ms > 5) wait_ms = 5; /* no pidfd: poll the child's end */
    poll(pf, (nfds_t)np, wait_ms);
    for (int k = 0; k < np; k++) {
        if (!pf[k].revents) continue;
        int i = idx[k];
        if (i == 4) continue; /* reaped by the caller */
        if (i == 3) {
            feed_stdin(r);
        } else if (!stream_read(&r->ss[i], r->cap)) {
            r->open_fd[i] = false;
        } else if (r->ss[i].total > r->cap * FLOOD_FACTOR && !r->flood) {
            r->flood = true; /* stop a program that floods its output */
            kill_tree(r->pid, r->pid, &r->status, &r->done, &r->ru);
        }
    }
}

static bool streams_open(const running *r)
{
    for (size_t i = 0; i < r->nstreams; i++)
        if (r->open_fd[i]) return true;
    return r->in_fd >= 0;
}

/* Stops every process of the tree (SIGSTOP), scanning again until a scan
 * finds nobody new: a fork bomb cannot outrun it. */
static void freeze_tree(pid_t root)
{
    pid_t *stopped = NULL;
    size_t nstopped = 0, cap = 0;
    for (int round = 0; round < 100; round++) {
        size_t n, fresh = 0;
        pid_t *pids = tree_pids(root, &n);
        for (size_t i = 0; i < n; i++) {
            bool seen = false;
            for (size_t j = 0; j < nstopped && !seen; j++) seen = stopped[j] == pids[i];
            if (seen || kill(pids[i], SIGSTOP) < 0) continue;
            vec_grow((void **)&stopped, &cap, nstopped + 1, sizeof *stopped);
            stopped[nstopped++] = pids[i];
            fresh++;
        }
        free(pids);
        if (!fresh) break;
        usleep(1000);
    }
    free(stopped);
}

/* The deadline passed: the tree is stopped, its stacks taken (on_timeout),
 * then TERM, a grace second, KILL. */
static void deadline_passed(running *r)
{
    const proc_opts *o = r->o;
    r->res->timed_out = true;
    freeze_tree(r->pid);
    if (o->on_timeout) {
        size_t n;
        pid_t *pids = tree_pids(r->pid, &n);
        /* our init is no thread of the student's */
        if (r->init)
            o->on_timeout(o->ctx, pids + 1, n - 1);
        else
            o->on_timeout(o->ctx, pids, n);
        free(pids);
    }
    signal_tree(r->pid, r->pid, SIGTERM);
    signal_tree(r->pid, r->pid, SIGCONT); /* the TERM arrives as they wake */
    int64_t grace = now_ms() + 1000;
    while (!r->done && now_ms() < grace) {
        for (size_t i = 0; i < r->nstreams; i++)
            if (r->open_fd[i]) stream_read(&r->ss[i], r->cap);
        reap(r->pid, &r->status, &r->done, &r->ru);
        usleep(10000);
    }
    kill_tree(r->pid, r->pid, &r->status, &r->done, &r->ru);
}

/* Whether the program is hung (hang.h), sampled now and then. */
static bool hung_now(running *r, hang_watch *w)
{
    int64_t now = now_ms();
    if (!r->o->watch_hangs || r->done || !hang_watch_due(w, now)) return false;
    size_t n;
    pid_t *pids = tree_pids(r->pid, &n);
    bool hung = hang_watch_sample(w, pids, n, now);
    free(pids);
    return hung;
}

/* Reads output until the program and its streams are done, or the deadline
 * (or the moment it is seen hung, which ends it the same way). */
static void supervise(running *r, int64_t start)
{
    int64_t deadline = r->o->timeout_ms > 0 ? start + r->o->timeout_ms : 0;
    int64_t drain_until = 0;
    hang_watch watch = {.next = start + HANG_SAMPLE_MS};
    for (;;) {
        int wait = 50;
        int64_t now = now_ms();
        if (deadline && deadline - now < wait)
            wait = (int)(deadline - now > 0 ? deadline - now : 0);
        if (!streams_open(r) && r->done) break;
        pump(r, wait);
        if (!r->done) reap(r->pid, &r->status, &r->done, &r->ru);
        if (r->done && !drain_until) {
            /* the program ended: nothing of its tree may outlive it */
            kill_tree(r->pid, r->pid, &r->status, &r->done, &r->ru);
            drain_until = now_ms() + 2000;
            if (r->in_fd >= 0) close(r->in_fd), r->in_fd = -1;
        }
        if (drain_until && now_ms() > drain_until) break;
        if (!r->done && deadline && (now_ms() >= deadline || hung_now(r, &watch))) {
            r->res->hung = now_ms() < deadline;
            deadline_passed(r);
            deadline = 0;
        }
    }
}

/* The program's wait status: what our init wrote, else our child's own. */
static int final_status(running *r, int stfd)
{
    int st;
    if (r->init && stfd >= 0 && read(stfd, &st, sizeof st) == (ssize_t)sizeof st)
        return st;
    return r->status;
}

/* Exit code or signal, durations and cut flags into r->res. */
static void fill_result(running *r, int status, int64_t start)
{
    proc_result *res = r->res;
    res->duration_ms = now_ms() - start;
    res->cpu_ms = (double)(r->ru.ru_utime.tv_sec + r->ru.ru_stime.tv_sec) * 1000.0 +
                  (double)(r->ru.ru_utime.tv_usec + r->ru.ru_stime.tv_usec) / 1000.0;
    if (!res->started) {
        res->exit_code = -1;
        return;
    }
    if (r->flood) res->out_cut = res->flooded = true;
    if (WIFEXITED(status))
        res->exit_code = WEXITSTATUS(status);
    else {
        res->exit_code = -1;
        res->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
}

/* Parent: closes the child's ends and sets up the streams. */
static void running_init(running *r, launch *l, const proc_opts *o, proc_result *res,
                         pid_t pid)
{
    int *child_ends[] = {&l->out[1], &l->err[1],  &l->ex[1],   &l->rfd[1], &l->in[0],
                         &l->st[1],  &l->life[0], &l->devnull, &l->sec[0]};
    for (size_t i = 0; i < ARRAY_LEN(child_ends); i++)
        if (*child_ends[i] >= 0) close(*child_ends[i]), *child_ends[i] = -1;
    *r = (running){.o = o,
                   .res = res,
                   .pid = pid,
                   .init = l->flags & CLONE_NEWPID,
                   .in_fd = l->in[1],
                   .cap = o->output_cap ? o->output_cap : DEFAULT_CAP,
                   .pidfd = (int)syscall(SYS_pidfd_open, pid, 0)};
    l->in[1] = -1;
    r->ss[0] = (stream){l->out[0], &res->out, &res->out_cut, 0};
    r->ss[1] = (stream){l->err[0], &res->err, &res->err_cut, 0};
    r->ss[2] = (stream){l->rfd[0], &res->result, &res->result_cut, 0};
    r->nstreams = l->rfd[0] >= 0 ? 3 : 2;
    for (size_t i = 0; i < r->nstreams; i++) {
        fcntl(r->ss[i].fd, F_SETFL, O_NONBLOCK);
        r->open_fd[i] = true;
    }
    if (r->in_fd >= 0) {
        fcntl(r->in_fd, F_SETFL, O_NONBLOCK);
        if (!o->stdin_len) close(r->in_fd), r->in_fd = -1;
    }
}

int proc_run(const proc_opts *o, proc_result *res)
{
    launch l = {.in = {-1, -1},
                .out = {-1, -1},
                .err = {-1, -1},
                .rfd = {-1, -1},
                .ex = {-1, -1},
                .st = {-1, -1},
                .life = {-1, -1},
                .sec = {-1, -1},
                .devnull = -1};
    launch_sandbox(o, &l);
    if (launch_pipes(o, &l) < 0) {
        res->error = xasprintf("cannot create pipes: %s", strerror(errno));
        launch_close(&l);
        return -1;
    }
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    ignore_sigpipe();
    int64_t start = now_ms();
    pid_t parent = getpid();
    uid_t outer_uid = getuid();
    gid_t outer_gid = getgid();
    pid_t pid = sandbox_fork(l.flags);
    if (pid < 0) {
        res->error = xasprintf("cannot fork: %s", strerror(errno));
        launch_close(&l);
        return -1;
    }
    if (pid == 0) launch_child(o, &l, outer_uid, outer_gid, parent);
    /* also in the parent, so kill(-pid) works at once (a sandboxed program
     * makes a session of its own instead) */
    if (!o->sandbox || (l.flags & CLONE_NEWPID)) setpgid(pid, pid);
    running r;
    running_init(&r, &l, o, res, pid);
    await_start(&r, &l);
    supervise(&r, start);
    for (size_t i = 0; i < r.nstreams; i++) close(r.ss[i].fd);
    if (r.in_fd >= 0) close(r.in_fd);
    if (r.pidfd >= 0) close(r.pidfd);
    fill_result(&r, final_status(&r, l.st[0]), start);
    launch_close(&l);
    return 0;
}

static int proc_tool_exec(char *const *argv, char *const *env, const char *cwd,
                          int64_t timeout_ms, sbuf *out);

/* argv with argv[0] found on PATH (caller clears); -1 if it is nowhere. */
static int tool_argv(char *const *argv, strv *v, sbuf *out)
{
    char *path = strchr(argv[0], '/') ? xstrdup(argv[0]) : which(argv[0]);
    if (!path) {
        sbuf_printf(out, "%s is not installed (run: make setup)", argv[0]);
        return -1;
    }
    strv_add(v, path);
    for (size_t i = 1; argv[i]; i++) strv_add(v, argv[i]);
    free(path);
    return 0;
}

int proc_tool(char *const *argv, const char *cwd, int64_t timeout_ms, sbuf *out)
{
    extern char **environ;
    strv v = {0};
    int rc = tool_argv(argv, &v, out) < 0
                 ? -1
                 : proc_tool_exec(strv_get(&v), environ, cwd, timeout_ms, out);
    strv_clear(&v);
    return rc;
}

/* The limits of a tool on untrusted input: generous for any honest build,
 * small enough that a huge or endless input stops it fast. */
#define BOX_CPU_SECONDS 60
#define BOX_MEMORY_MB   2048
#define BOX_FILE_MB     64
#define BOX_PROCS       64
#define BOX_OPEN_FILES  256

/* What the box's runner tells the caller before the tool's output. */
typedef struct box_status {
    int rc; /* exit status, -1 (not run) or PROC_TOOL_LIMIT */
    size_t len;
} box_status;

/* The environment of a boxed tool: ours for finding programs and speaking
 * the same language, nothing else. */
static void box_env(strv *env, const char *cwd)
{
    static const char *const pass[] = {"PATH", "LANG", "LC_ALL", "LC_MESSAGES",
                                       "LC_CTYPE"};
    for (size_t i = 0; i < ARRAY_LEN(pass); i++) {
        const char *v = getenv(pass[i]);
        if (v) strv_addf(env, "%s=%s", pass[i], v);
    }
    strv_addf(env, "HOME=%s", cwd);
    strv_addf(env, "TMPDIR=%s", cwd);
}

/* Whether a tool that failed said it ran out of a limit of ours. */
static bool said_limit(const sbuf *out)
{
    static const char *const says[] = {"out of memory",
                                       "memory exhausted",
                                       "Cannot allocate memory",
                                       "CPU time limit exceeded",
                                       "File size limit exceeded",
                                       "Resource temporarily unavailable",
                                       "std::bad_alloc"};
    for (size_t i = 0; i < ARRAY_LEN(says); i++)
        if (strstr(sbuf_str(out), says[i])) return true;
    return false;
}

/* In the box's runner (a forked process of its own, so that proc_run's
 * reaping never meets another thread's children): runs the tool like a
 * program and sends its status and output on fd. Never returns. */
static _Noreturn void box_runner(char *const *argv, const char *cwd, int64_t timeout_ms,
                                 const char *const *hide, const char *const *keep, int fd)
{
    strv env = {0};
    box_env(&env, cwd);
    proc_opts o = {.argv = argv,
                   .env = strv_get(&env),
                   .cwd = cwd,
                   .timeout_ms = timeout_ms,
                   .max_memory_mb = BOX_MEMORY_MB,
                   .max_procs = BOX_PROCS,
                   .cpu_seconds = BOX_CPU_SECONDS,
                   .max_file_mb = BOX_FILE_MB,
                   .max_open_files = BOX_OPEN_FILES,
                   .sandbox = true,
                   .uid_of = getppid(),
                   .hide = hide,
                   .keep = keep};
    proc_result r;
    memset(&r, 0, sizeof r);
    sbuf out = {0};
    box_status st = {.rc = -1};
    if (proc_run(&o, &r) == 0 && r.started) {
        sbuf_add(&out, sbuf_str(&r.err), r.err.len);
        sbuf_add(&out, sbuf_str(&r.out), r.out.len);
        bool limit = r.timed_out || r.flooded || r.signal == SIGXCPU ||
                     r.signal == SIGXFSZ || r.signal == SIGKILL ||
                     (r.exit_code != 0 && said_limit(&out));
        st.rc = limit ? PROC_TOOL_LIMIT : r.exit_code >= 0 ? r.exit_code : 128 + r.signal;
    } else {
        sbuf_printf(&out, "%s", r.error ? r.error : "the tool could not be started");
    }
    st.len = out.len;
    bool sent = write(fd, &st, sizeof st) == (ssize_t)sizeof st;
    for (size_t off = 0; sent && off < out.len;) {
        ssize_t w = write(fd, out.data + off, out.len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    _exit(sent ? 0 : 1);
}

/* Reads the runner's answer from fd until EOF or the deadline. */
static int box_answer(int fd, pid_t pid, int64_t deadline, sbuf *out)
{
    sbuf got = {0};
    for (;;) {
        int64_t left = deadline - now_ms();
        struct pollfd pf = {fd, POLLIN, 0};
        if (left <= 0) {
            kill(pid, SIGKILL); /* its PR_SET_PDEATHSIG children follow */
            break;
        }
        if (poll(&pf, 1, (int)(left < 1000 ? left : 1000)) <= 0) continue;
        char chunk[65536];
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (got.len < (20u << 20)) sbuf_add(&got, chunk, (size_t)r);
    }
    box_status st = {.rc = -1};
    if (got.len >= sizeof st) memcpy(&st, got.data, sizeof st);
    if (got.len >= sizeof st)
        sbuf_add(out, got.data + sizeof st, got.len - sizeof st);
    else
        sbuf_printf(out, "the sandbox of the tool ended without an answer");
    sbuf_free(&got);
    return st.rc;
}

int proc_tool_hidden(char *const *argv, const char *cwd, int64_t timeout_ms, sbuf *out,
                     const char *const *hide, const char *const *keep)
{
    sandbox_probe(); /* once, here, rather than in every runner */
    strv v = {0};
    char *dir = cwd ? path_abs(cwd) : NULL;
    if (!dir || tool_argv(argv, &v, out) < 0) {
        if (!dir) sbuf_printf(out, "no working directory for %s", argv[0]);
        strv_clear(&v);
        free(dir);
        return -1;
    }
    int p[2];
    int rc = -1;
    int64_t budget = timeout_ms > 0 ? timeout_ms : 60000;
    if (pipe2(p, O_CLOEXEC) == 0) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            box_runner(strv_get(&v), dir, budget, hide, keep, p[1]);
        }
        close(p[1]);
        /* the runner stops the tool at its deadline; ours leaves it time
         * for that and the kill */
        if (pid > 0) rc = box_answer(p[0], pid, now_ms() + budget + 15000, out);
        close(p[0]);
        while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        if (pid < 0) sbuf_printf(out, "cannot fork: %s", strerror(errno));
    }
    strv_clear(&v);
    free(dir);
    return rc;
}

/* Trusted tools need no containment, and must not disturb a proc_run in
 * progress (they may run from its on_timeout hook): a plain fork, one pipe
 * for both streams, and waitpid on that child only. */
static int proc_tool_exec(char *const *argv, char *const *env, const char *cwd,
                          int64_t timeout_ms, sbuf *out)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        dup2(p[1], 1);
        dup2(p[1], 2);
        if (cwd && chdir(cwd) < 0) _exit(127);
        execve(argv[0], argv, env);
        _exit(127);
    }
    close(p[1]);
    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 60000);
    bool timed_out = false;
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            timed_out = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            break;
        }
        struct pollfd pf = {p[0], POLLIN, 0};
        if (poll(&pf, 1, (int)(left < 1000 ? left : 1000)) <= 0) continue;
        char chunk[65536];
        ssize_t r = read(p[0], chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (out->len < (16u << 20)) sbuf_add(out, chunk, (size_t)r);
    }
    close(p[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        sbuf_printf(out, "%s timed out", argv[0]);
        return -1;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && !out->len) {
        sbuf_printf(out, "cannot run %s", argv[0]);
        return -1;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
