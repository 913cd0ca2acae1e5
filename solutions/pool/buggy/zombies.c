/* Collects every result but never waits for its children: each one stays a
 * zombie, and a worker that crashed goes unnoticed (pool_map returns 0).
 * expect-kinds: zombie
 * expect-fail: no-zombies worker-crash
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool.h"

struct worker {
    pid_t pid;
    int fd;                 /* read end of its result pipe; -1 once closed */
    size_t next;            /* index of the next result it sends */
    char part[sizeof(long)]; /* a result that arrived in pieces */
    size_t have;
};

/* Writes all n bytes (a pipe may take fewer at a time). 0, or -1. */
static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* In the child: computes items first, first + step, ... and sends each
 * result. Never returns. */
static void worker_run(pool_fn fn, const long *in, size_t n, size_t first, size_t step, int fd)
{
    for (size_t i = first; i < n; i += step) {
        long r = fn(in[i]);
        if (write_all(fd, &r, sizeof r) < 0) _exit(1);
    }
    _exit(0);
}

/* Starts worker w of k. The child closes the read ends it inherited (its
 * own and those of the workers started before it). 0, or -1. */
static int worker_start(struct worker *ws, size_t w, size_t k, pool_fn fn, const long *in, size_t n)
{
    int p[2];
    if (pipe(p) < 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        for (size_t j = 0; j < w; j++) close(ws[j].fd);
        worker_run(fn, in, n, w, k, p[1]);
    }
    close(p[1]);
    ws[w] = (struct worker){.pid = pid, .fd = p[0], .next = w};
    return 0;
}

/* Reads what worker w sent so far; closes its pipe at end-of-file. */
static void worker_read(struct worker *w, long *out, size_t n, size_t k)
{
    char chunk[4096];
    ssize_t r = read(w->fd, chunk, sizeof chunk);
    if (r < 0 && errno == EINTR) return;
    if (r <= 0) {
        close(w->fd);
        w->fd = -1;
        return;
    }
    for (ssize_t i = 0; i < r; i++) {
        w->part[w->have++] = chunk[i];
        if (w->have < sizeof w->part) continue;
        if (w->next < n) memcpy(&out[w->next], w->part, sizeof(long));
        w->next += k;
        w->have = 0;
    }
}

/* Reads every worker's pipe until each one is closed. */
static void collect(struct worker *ws, size_t k, long *out, size_t n, struct pollfd *pf, size_t *who)
{
    for (;;) {
        size_t m = 0;
        for (size_t w = 0; w < k; w++)
            if (ws[w].fd >= 0) pf[m] = (struct pollfd){.fd = ws[w].fd, .events = POLLIN}, who[m++] = w;
        if (m == 0) return;
        if (poll(pf, m, -1) < 0) {
            if (errno == EINTR) continue;
            for (size_t j = 0; j < m; j++) close(pf[j].fd), ws[who[j]].fd = -1;
            return;
        }
        for (size_t j = 0; j < m; j++)
            if (pf[j].revents) worker_read(&ws[who[j]], out, n, k);
    }
}

/* Waits for the first k workers; -1 if one of them did not exit with 0. */
static int reap(struct worker *ws, size_t k)
{
    int rc = 0;
    for (size_t w = 0; w < k; w++) {
        int st;
        while (waitpid(ws[w].pid, &st, 0) < 0)
            if (errno != EINTR) break;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) rc = -1;
    }
    return rc;
}

/* After a failed fork: stops the workers already started. */
static void abandon(struct worker *ws, size_t started)
{
    for (size_t w = 0; w < started; w++) {
        kill(ws[w].pid, SIGKILL);
        close(ws[w].fd);
    }
    reap(ws, started);
}

int pool_map(pool_fn fn, const long *in, long *out, size_t n, int workers)
{
    if (n == 0) return 0;
    if (workers < 1) return -1;
    size_t k = (size_t)workers < n ? (size_t)workers : n;
    struct worker *ws = calloc(k, sizeof *ws);
    struct pollfd *pf = calloc(k, sizeof *pf);
    size_t *who = calloc(k, sizeof *who);
    int rc = ws && pf && who ? 0 : -1;
    size_t started = 0;
    while (rc == 0 && started < k)
        if (worker_start(ws, started, k, fn, in, n) == 0) started++;
        else rc = -1;
    if (rc < 0) {
        abandon(ws, started);
    } else {
        collect(ws, k, out, n, pf, who);
    }
    free(ws);
    free(pf);
    free(who);
    return rc;
}
