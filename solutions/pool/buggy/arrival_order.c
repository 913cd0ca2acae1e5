/* Every worker writes its results to one shared pipe, and the parent stores
 * them in the order they arrive: out[0] gets whichever result came first.
 * expect-kinds: wrong-result
 * expect-fail: results
 */
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool.h"

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
                long r = fn(in[i]);
                if (write(p[1], &r, sizeof r) != sizeof r) _exit(1);
            }
            _exit(0);
        }
    }
    close(p[1]);
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        if (read(p[0], &out[i], sizeof out[i]) != sizeof out[i]) rc = -1;
    close(p[0]);
    for (size_t w = 0; w < k; w++) {
        int st;
        wait(&st);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) rc = -1;
    }
    return rc;
}
