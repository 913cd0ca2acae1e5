/* Uses a fixed pool of four threads that share the calls between them:
 * fewer threads than calls, so calls share threads and at most four run
 * at once.
 * expect-kinds: not-concurrent
 * expect-fail: own-thread concurrent
 */
#include <pthread.h>
#include <stdlib.h>

#include "threads.h"

#define POOL 4

struct job {
    task_fn fn;
    const long *args;
    long *results;
    size_t n, first;
};

static void *run_jobs(void *p)
{
    struct job *j = p;
    for (size_t i = j->first; i < j->n; i += POOL) j->results[i] = j->fn(j->args[i]);
    return NULL;
}

int run_in_threads(task_fn fn, const long *args, long *results, size_t n)
{
    pthread_t tids[POOL];
    struct job jobs[POOL];
    size_t started = 0;
    for (size_t k = 0; k < POOL && k < n; k++, started++) {
        jobs[k] = (struct job){fn, args, results, n, k};
        if (pthread_create(&tids[k], NULL, run_jobs, &jobs[k]) != 0) break;
    }
    for (size_t k = 0; k < started; k++) pthread_join(tids[k], NULL);
    return started == (n < POOL ? n : POOL) ? 0 : -1;
}
