/* threads.c - your solution to the `threads` exercise.
 *
 * Implement run_in_threads as described in threads.h and README.md.
 * Grade it with:   grader grade threads .
 */
#include <pthread.h>
#include <stdlib.h>

#include "threads.h"

int run_in_threads(task_fn fn, const long *args, long *results, size_t n)
{
    (void)fn;
    (void)args;
    (void)results;
    (void)n;
    /* TODO: start one thread per call, then join them all. */
    return -1;
}
