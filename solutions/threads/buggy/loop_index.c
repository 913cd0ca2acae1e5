/* Passes &i, the address of the loop variable, to every thread: each thread
 * reads i whenever it gets to run, by which time the loop has moved on.
 * expect-kinds: data-race
 * expect-fail: own-argument
 */
#include <pthread.h>
#include <stdlib.h>

#include "threads.h"

static task_fn the_fn;
static const long *the_args;
static long *the_results;

static void *worker(void *p)
{
    size_t i = *(size_t *)p;
    the_results[i] = the_fn(the_args[i]);
    return NULL;
}

int run_in_threads(task_fn fn, const long *args, long *results, size_t n)
{
    pthread_t *tids = malloc((n ? n : 1) * sizeof *tids);
    if (!tids) return -1;
    the_fn = fn;
    the_args = args;
    the_results = results;
    size_t i;
    for (i = 0; i < n; i++)
        if (pthread_create(&tids[i], NULL, worker, &i) != 0) break;
    for (size_t j = 0; j < i; j++) pthread_join(tids[j], NULL);
    free(tids);
    return i == n ? 0 : -1;
}
