/* Checks n < 0 and workers < 1 but not n == 0: the workers are created,
 * find nothing to do and are joined. The result (0) is right, but the
 * threads were created for nothing.
 * expect-kinds: wrong-result
 * expect-fail: zero
 */
#include <pthread.h>
#include <stdlib.h>

#include "parallel.h"

struct shared {
    pthread_mutex_t lock;
    work_fn work;
    long next, n, total;
    int stop;
};

static void *worker(void *arg)
{
    struct shared *sh = arg;
    long mine = 0;
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        long i = sh->stop || sh->next >= sh->n ? -1 : sh->next++;
        pthread_mutex_unlock(&sh->lock);
        if (i < 0) break;
        mine += sh->work(i);
    }
    pthread_mutex_lock(&sh->lock);
    sh->total += mine;
    pthread_mutex_unlock(&sh->lock);
    return NULL;
}

long parallel_sum(work_fn work, long n, int workers)
{
    if (n < 0 || workers < 1) return -1;
    struct shared sh = {PTHREAD_MUTEX_INITIALIZER, work, 0, n, 0, 0};
    pthread_t *tids = calloc((size_t)workers, sizeof *tids);
    if (!tids) return -1;
    int started = 0;
    for (; started < workers; started++)
        if (pthread_create(&tids[started], NULL, worker, &sh) != 0) break;
    if (started < workers) {
        pthread_mutex_lock(&sh.lock);
        sh.stop = 1;
        pthread_mutex_unlock(&sh.lock);
    }
    for (int k = 0; k < started; k++) pthread_join(tids[k], NULL);
    free(tids);
    return started < workers ? -1 : sh.total;
}
