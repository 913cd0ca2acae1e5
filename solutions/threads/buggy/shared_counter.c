/* Threads pick their index from a shared counter with an unlocked `next++`:
 * two threads can read the same value, so a call runs twice and another never.
 * expect-kinds: data-race
 * expect-fail: tsan own-argument
 */
#include <pthread.h>
#include <stdlib.h>

#include "threads.h"

static task_fn the_fn;
static const long *the_args;
static long *the_results;
static size_t next;

static void *worker(void *p)
{
    (void)p;
    size_t i = next++;
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
    next = 0;
    size_t started = 0;
    for (; started < n; started++)
        if (pthread_create(&tids[started], NULL, worker, NULL) != 0) break;
    for (size_t j = 0; j < started; j++) pthread_join(tids[j], NULL);
    free(tids);
    return started == n ? 0 : -1;
}
