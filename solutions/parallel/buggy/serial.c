/* Creates each worker and joins it before creating the next one: every item
 * is computed once and the sum is right, but the workers run one after
 * another, never at the same time.
 * expect-kinds: not-concurrent
 * expect-fail: workers
 */
#include <pthread.h>
#include <stdlib.h>

#include "parallel.h"

struct shared {
    pthread_mutex_t lock;
    work_fn work;
    long next, n, total;
};

static void *worker(void *arg)
{
    struct shared *sh = arg;
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        long i = sh->next < sh->n ? sh->next++ : -1;
        pthread_mutex_unlock(&sh->lock);
        if (i < 0) return NULL;
        long v = sh->work(i);
        pthread_mutex_lock(&sh->lock);
        sh->total += v;
        pthread_mutex_unlock(&sh->lock);
    }
}

long parallel_sum(work_fn work, long n, int workers)
{
    if (n < 0 || workers < 1) return -1;
    if (n == 0) return 0;
    struct shared sh = {PTHREAD_MUTEX_INITIALIZER, work, 0, n, 0};
    for (int k = 0; k < workers; k++) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, &sh) != 0) return -1;
        pthread_join(t, NULL);
    }
    return sh.total;
}
