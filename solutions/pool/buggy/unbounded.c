/* Forks one child per item, all at once: with 16 items that is 16 children
 * at the same time, whatever `workers` says.
 * expect-kinds: wrong-result
 * expect-fail: bounded
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool.h"

int pool_map(pool_fn fn, const long *in, long *out, size_t n, int workers)
{
    (void)workers;
    if (n == 0) return 0;
    pid_t *pids = calloc(n, sizeof *pids);
    int *fds = calloc(n, sizeof *fds);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        int p[2];
        if (pipe(p) < 0) return -1;
        pids[i] = fork();
        if (pids[i] == 0) {
            close(p[0]);
            long r = fn(in[i]);
            _exit(write(p[1], &r, sizeof r) == sizeof r ? 0 : 1);
        }
        close(p[1]);
        fds[i] = p[0];
    }
    for (size_t i = 0; i < n; i++) {
        if (read(fds[i], &out[i], sizeof out[i]) != sizeof out[i]) rc = -1;
        close(fds[i]);
        int st;
        waitpid(pids[i], &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) rc = -1;
    }
    free(pids);
    free(fds);
    return rc;
}
