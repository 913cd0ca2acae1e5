/* Looks at the counter before taking the lock: `while (next < n)` is checked
 * with no lock held, then the lock is taken and next++ is done. Two workers
 * can both see the last item free; the second one takes item n, which does
 * not exist (and the read of next races with the other workers' next++).
 * expect-kinds: wrong-result
 * expect-fail: sum
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
    long mine = 0;
    while (sh->next < sh->n) {
        pthread_mutex_lock(&sh->lock);
        long i = sh->next++;
        pthread_mutex_unlock(&sh->lock);
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
    if (n == 0) return 0;
    struct shared sh = {PTHREAD_MUTEX_INITIALIZER, work, 0, n, 0};
    pthread_t *tids = calloc((size_t)workers, sizeof *tids);
    if (!tids) return -1;
    int started = 0;
    for (; started < workers; started++)
        if (pthread_create(&tids[started], NULL, worker, &sh) != 0) break;
    if (started < workers) {
        pthread_mutex_lock(&sh.lock);
        sh.n = 0;
        pthread_mutex_unlock(&sh.lock);
    }
    for (int k = 0; k < started; k++) pthread_join(tids[k], NULL);
    free(tids);
    return started < workers ? -1 : sh.total;
}
