/* Computes every item in the parent, one after another, and forks
 * `workers` children that do nothing, so that it looks like a pool.
 * expect-kinds: not-concurrent
 * expect-fail: in-children concurrent
 */
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool.h"

int pool_map(pool_fn fn, const long *in, long *out, size_t n, int workers)
{
    if (n == 0) return 0;
    size_t k = (size_t)workers < n ? (size_t)workers : n;
    for (size_t w = 0; w < k; w++)
        if (fork() == 0) _exit(0);
    for (size_t i = 0; i < n; i++) out[i] = fn(in[i]);
    for (size_t w = 0; w < k; w++) wait(NULL);
    return 0;
}
