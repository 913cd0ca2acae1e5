/* Forks a worker, collects its results and waits for it before forking the
 * next one: correct results, but only one worker ever runs at a time.
 * expect-kinds: not-concurrent
 * expect-fail: concurrent small
 */
#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool.h"

int pool_map(pool_fn fn, const long *in, long *out, size_t n, int workers)
{
    if (n == 0) return 0;
    size_t k = (size_t)workers < n ? (size_t)workers : n;
    int rc = 0;
    for (size_t w = 0; w < k; w++) {
        int p[2];
        if (pipe(p) < 0) return -1;
        pid_t pid = fork();
        if (pid < 0) return -1;
        if (pid == 0) {
            close(p[0]);
            for (size_t i = w; i < n; i += k) {
                long r = fn(in[i]);
                if (write(p[1], &r, sizeof r) != sizeof r) _exit(1);
            }
            _exit(0);
        }
        close(p[1]);
        for (size_t i = w; i < n; i += k)
            if (read(p[0], &out[i], sizeof out[i]) != sizeof out[i]) rc = -1;
        close(p[0]);
        int st;
        waitpid(pid, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) rc = -1;
    }
    return rc;
}
