/* pool.c - your solution to the `pool` exercise.
 *
 * Implement pool_map as described in pool.h and README.md.
 * Grade it with:   grader grade pool .
 */
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool.h"

int pool_map(pool_fn fn, const long *in, long *out, size_t n, int workers)
{
    (void)fn;
    (void)in;
    (void)out;
    (void)n;
    (void)workers;
    /* TODO: fork the workers, hand each its items, collect the results
     * through pipes, wait for every child. */
    return -1;
}
