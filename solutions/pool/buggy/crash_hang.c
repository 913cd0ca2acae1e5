/* All workers send (index, result) pairs through one pipe, and the parent
 * reads exactly n pairs. It never closes its own copy of the write end, so
 * when a worker dies before sending its share, the parent waits forever.
 * expect-kinds: deadlock
 * expect-fail: worker-crash
 */
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool.h"

struct pair {
    size_t index;
    long value;
};

int pool_map(pool_fn fn, const long *in, long *out, size_t n, int workers)
{
    if (n == 0) return 0;
    size_t k = (size_t)workers < n ? (size_t)workers : n;
    int p[2];
    if (pipe(p) < 0) return -1;
    for (size_t w = 0; w < k; w++) {
        if (fork() == 0) {
            close(p[0]);
            for (size_t i = w; i < n; i += k) {
                struct pair r = {i, fn(in[i])};
                if (write(p[1], &r, sizeof r) != sizeof r) _exit(1);
            }
            _exit(0);
        }
    }
    for (size_t got = 0; got < n; got++) {
        struct pair r;
        if (read(p[0], &r, sizeof r) != sizeof r) break;
        out[r.index] = r.value;
    }
    close(p[0]);
    close(p[1]);
    int rc = 0;
    for (size_t w = 0; w < k; w++) {
        int st;
        wait(&st);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) rc = -1;
    }
    return rc;
}
