/* proc.c - see proc.h.
 *
 * Containment: the child gets its own process group; the grader process is a
 * child subreaper, so descendants that escape the group (setsid, double fork)
 * are still ours to find and kill. At the end every descendant is stopped with
 * SIGSTOP (so a fork bomb cannot outrun us), then killed and reaped. */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_CAP (1u << 20)
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
    while ((r = waitpid(pid, status, block ? 0 : WNOHANG)) < 0 && errno == EINTR) {}
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
    typedef struct { pid_t pid, ppid; } pp;
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
        if (!close_paren || sscanf(close_paren + 2, "%c %d", &state, &ppid) != 2) continue;
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
static void kill_tree(pid_t root, pid_t pgid, int *root_status, bool *root_done, struct rusage *ru)
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

/* Runs in the forked child: never returns. fds: [0]=stdin [1]=stdout [2]=stderr
 * [3]=result (or -1); errfd reports exec failure. */
static void child_exec(const proc_opts *o, int fds[4], int errfd, pid_t parent)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);

    /* move our descriptors above any target number, then place them */
    int hi[4], hierr = fcntl(errfd, F_DUPFD_CLOEXEC, 1000);
    for (int i = 0; i < 4; i++) hi[i] = fds[i] >= 0 ? fcntl(fds[i], F_DUPFD, 1000) : -1;
    int target[4] = {0, 1, 2, o->result_fd};
    for (int i = 0; i < 4; i++)
        if (hi[i] >= 0) dup2(hi[i], target[i]);
    int keep = o->result_fd >= 3 ? o->result_fd : 2;
    syscall(SYS_close_range, (unsigned)keep + 1, (unsigned)hierr - 1, 0);
    syscall(SYS_close_range, (unsigned)hierr + 1, ~0U, 0);
    if (keep > 3) syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0);

    set_limit(RLIMIT_CORE, 0);
    if (o->cpu_seconds > 0) set_limit(RLIMIT_CPU, (rlim_t)o->cpu_seconds);
    if (o->max_file_mb > 0) set_limit(RLIMIT_FSIZE, (rlim_t)o->max_file_mb << 20);
    if (o->max_open_files > 0) set_limit(RLIMIT_NOFILE, (rlim_t)o->max_open_files);
    if (o->max_procs > 0) set_limit(RLIMIT_NPROC, (rlim_t)o->max_procs);
    if (o->limit_memory) set_limit(RLIMIT_AS, (rlim_t)4 << 30);

    if (o->cwd && chdir(o->cwd) < 0) {
        int e = errno;
        if (write(hierr, &e, sizeof e) < 0) _exit(127);
        _exit(127);
    }
    execve(o->argv[0], o->argv, o->env);
    int e = errno;
    if (write(hierr, &e, sizeof e) < 0) _exit(127);
    _exit(127);
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

int proc_run(const proc_opts *o, proc_result *res)
{
    int in[2] = {-1, -1}, out[2], err[2], rfd[2] = {-1, -1}, ex[2];
    size_t cap = o->output_cap ? o->output_cap : DEFAULT_CAP;
    if (make_pipe(out) || make_pipe(err) || make_pipe(ex) ||
        (o->result_fd >= 3 && make_pipe(rfd)) || (o->stdin_data && make_pipe(in))) {
        res->error = xasprintf("cannot create pipes: %s", strerror(errno));
        return -1;
    }
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    int64_t start = now_ms();
    pid_t parent = getpid();
    int devnull = -1;
    if (!o->stdin_data) devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        res->error = xasprintf("cannot fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int fds[4] = {o->stdin_data ? in[0] : devnull, out[1], err[1], rfd[1]};
        child_exec(o, fds, ex[1], parent);
    }
    setpgid(pid, pid); /* also in the parent, so kill(-pid) works at once */
    close(out[1]);
    close(err[1]);
    close(ex[1]);
    if (rfd[1] >= 0) close(rfd[1]);
    if (in[0] >= 0) close(in[0]);
    if (devnull >= 0) close(devnull);

    int exec_errno = 0;
    ssize_t got;
    while ((got = read(ex[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {}
    close(ex[0]);
    res->started = got == 0;

    stream ss[3] = {{out[0], &res->out, &res->out_cut, 0},
                    {err[0], &res->err, &res->err_cut, 0},
                    {rfd[0], &res->result, &res->result_cut, 0}};
    size_t nstreams = rfd[0] >= 0 ? 3 : 2;
    for (size_t i = 0; i < nstreams; i++) fcntl(ss[i].fd, F_SETFL, O_NONBLOCK);
    size_t in_off = 0;
    if (in[1] >= 0) {
        fcntl(in[1], F_SETFL, O_NONBLOCK);
        if (!o->stdin_len) {
            close(in[1]);
            in[1] = -1;
        }
    }

    int status = 0;
    bool done = false, flood = false;
    struct rusage ru = {0};
    int64_t deadline = o->timeout_ms > 0 ? start + o->timeout_ms : 0;
    bool open_fd[3] = {true, true, nstreams == 3};
    int64_t drain_until = 0;
    for (;;) {
        struct pollfd pf[4];
        int idx[4], np = 0;
        for (size_t i = 0; i < nstreams; i++)
            if (open_fd[i]) pf[np] = (struct pollfd){ss[i].fd, POLLIN, 0}, idx[np++] = (int)i;
        if (in[1] >= 0) pf[np] = (struct pollfd){in[1], POLLOUT, 0}, idx[np++] = 3;
        int wait = 50;
        int64_t now = now_ms();
        if (deadline && deadline - now < wait) wait = (int)(deadline - now > 0 ? deadline - now : 0);
        if (np == 0 && done) break;
        poll(pf, (nfds_t)np, wait);
        for (int k = 0; k < np; k++) {
            if (!pf[k].revents) continue;
            int i = idx[k];
            if (i == 3) {
                ssize_t w = write(in[1], o->stdin_data + in_off, o->stdin_len - in_off);
                if (w > 0) in_off += (size_t)w;
                if ((w < 0 && errno != EAGAIN && errno != EINTR) || in_off == o->stdin_len) {
                    close(in[1]);
                    in[1] = -1;
                }
            } else if (!stream_read(&ss[i], cap)) {
                open_fd[i] = false;
            } else if (ss[i].total > cap * FLOOD_FACTOR && !flood) {
                flood = true; /* stop a program that floods its output */
                kill_tree(pid, pid, &status, &done, &ru);
            }
        }
        if (!done) reap(pid, &status, &done, &ru);
        if (done && !drain_until) {
            /* the program ended: nothing of its tree may outlive it */
            kill_tree(pid, pid, &status, &done, &ru);
            drain_until = now_ms() + 2000;
            if (in[1] >= 0) close(in[1]), in[1] = -1;
        }
        if (drain_until && now_ms() > drain_until) break;
        if (!done && deadline && now_ms() >= deadline) {
            res->timed_out = true;
            if (o->on_timeout) {
                size_t n;
                pid_t *pids = tree_pids(pid, &n);
                o->on_timeout(o->ctx, pids, n);
                free(pids);
            }
            signal_tree(pid, pid, SIGTERM);
            int64_t grace = now_ms() + 1000;
            while (!done && now_ms() < grace) {
                for (size_t i = 0; i < nstreams; i++)
                    if (open_fd[i]) stream_read(&ss[i], cap);
                reap(pid, &status, &done, &ru);
                usleep(10000);
            }
            kill_tree(pid, pid, &status, &done, &ru);
            deadline = 0;
        }
    }
    for (size_t i = 0; i < nstreams; i++) close(ss[i].fd);
    if (in[1] >= 0) close(in[1]);

    res->duration_ms = now_ms() - start;
    res->cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
                  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
    if (!res->started) {
        res->error = xasprintf("cannot run %s: %s", o->argv[0], strerror(exec_errno));
        res->exit_code = -1;
        return 0;
    }
    if (flood) res->out_cut = true;
    if (WIFEXITED(status)) res->exit_code = WEXITSTATUS(status);
    else {
        res->exit_code = -1;
        res->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
    return 0;
}

static int proc_tool_exec(char *const *argv, char *const *env, const char *cwd, int64_t timeout_ms, sbuf *out);

int proc_tool(char *const *argv, const char *cwd, int64_t timeout_ms, sbuf *out)
{
    extern char **environ;
    char *path = strchr(argv[0], '/') ? xstrdup(argv[0]) : which(argv[0]);
    if (!path) {
        sbuf_printf(out, "%s is not installed (run: make setup)", argv[0]);
        return -1;
    }
    strv v = {0};
    strv_add(&v, path);
    for (size_t i = 1; argv[i]; i++) strv_add(&v, argv[i]);
    free(path);
    int rc = proc_tool_exec(strv_get(&v), environ, cwd, timeout_ms, out);
    strv_clear(&v);
    return rc;
}

/* Trusted tools need no containment, and must not disturb a proc_run in
 * progress (they may run from its on_timeout hook): a plain fork, one pipe
 * for both streams, and waitpid on that child only. */
static int proc_tool_exec(char *const *argv, char *const *env, const char *cwd, int64_t timeout_ms, sbuf *out)
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
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
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
