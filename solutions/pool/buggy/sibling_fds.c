/* Creates every pipe before forking and never closes, in a child, the pipe
 * ends of the other workers: every sibling keeps every write end open. The
 * parent reads the pipes one after another until end-of-file, which for the
 * first pipe comes only when every sibling has ended; with many results the
 * siblings are all blocked on their own full pipes: a deadlock.
 * expect-kinds: deadlock
 * expect-fail: many
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool.h"

#define MAX_WORKERS 64

static void worker(pool_fn fn, const long *in, size_t n, size_t first, size_t step, int fd)
{
    for (size_t i = first; i < n; i += step) {
        long r = fn(in[i]);
        if (write(fd, &r, sizeof r) != sizeof r) _exit(1);
    }
    _exit(0);
}

/* Reads worker w's results (items w, w + k, ...) until end-of-file. */
static int read_results(int fd, long *out, size_t n, size_t w, size_t k)
{
    size_t i = w;
    long r;
    ssize_t got;
    while ((got = read(fd, &r, sizeof r)) == sizeof r) {
        if (i < n) out[i] = r;
        i += k;
    }
    return got == 0 && i >= n ? 0 : -1;
}

int pool_map(pool_fn fn, const long *in, long *out, size_t n, int workers)
{
    if (n == 0) return 0;
    size_t k = (size_t)workers < n ? (size_t)workers : n;
    if (k > MAX_WORKERS || workers < 1) return -1;
    int rd[MAX_WORKERS], wr[MAX_WORKERS];
    pid_t pid[MAX_WORKERS];
    for (size_t w = 0; w < k; w++) {
        int p[2];
        if (pipe(p) < 0) return -1;
        rd[w] = p[0];
        wr[w] = p[1];
    }
    for (size_t w = 0; w < k; w++) {
        pid[w] = fork();
        if (pid[w] < 0) return -1;
        if (pid[w] == 0) {
            close(rd[w]);
            worker(fn, in, n, w, k, wr[w]);
        }
    }
    for (size_t w = 0; w < k; w++) close(wr[w]);
    int rc = 0;
    for (size_t w = 0; w < k; w++) {
        if (read_results(rd[w], out, n, w, k) < 0) rc = -1;
        close(rd[w]);
    }
    for (size_t w = 0; w < k; w++) {
        int st;
        waitpid(pid[w], &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) rc = -1;
    }
    return rc;
}
