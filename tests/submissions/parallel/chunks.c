/* A correct `parallel` solution that hands items out in small chunks: each
 * worker takes the next CHUNK items from the shared counter at once (fewer
 * trips to the lock). The contract allows it; the `dynamic` check must too
 * (tests/golden/parallel/alt-chunks.json: full marks). */
#include <pthread.h>
#include <stdlib.h>

#include "parallel.h"

#define CHUNK 4

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
        long from = sh->stop ? sh->n : sh->next;
        long to = from + CHUNK < sh->n ? from + CHUNK : sh->n;
        sh->next = to > sh->next ? to : sh->next;
        pthread_mutex_unlock(&sh->lock);
        if (from >= to) break;
        for (long i = from; i < to; i++) mine += sh->work(i);
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
