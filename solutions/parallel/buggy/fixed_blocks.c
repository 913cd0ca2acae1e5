/* Splits the items into fixed blocks of n / workers, one per thread, decided
 * before any thread starts. The n % workers items left over are never
 * computed, and a slow item holds up the rest of its block while the other
 * workers sit idle.
 * expect-kinds: wrong-result not-concurrent
 * expect-fail: sum dynamic
 */
#include <pthread.h>
#include <stdlib.h>

#include "parallel.h"

struct block {
    work_fn work;
    long from, to, sum;
};

static void *block_run(void *arg)
{
    struct block *b = arg;
    for (long i = b->from; i < b->to; i++) b->sum += b->work(i);
    return NULL;
}

long parallel_sum(work_fn work, long n, int workers)
{
    if (n < 0 || workers < 1) return -1;
    if (n == 0) return 0;
    long size = n / workers;
    struct block *bs = calloc((size_t)workers, sizeof *bs);
    pthread_t *tids = calloc((size_t)workers, sizeof *tids);
    if (!bs || !tids) {
        free(bs);
        free(tids);
        return -1;
    }
    int started = 0;
    for (; started < workers; started++) {
        bs[started] = (struct block){work, started * size, (started + 1) * size, 0};
        if (pthread_create(&tids[started], NULL, block_run, &bs[started]) != 0) break;
    }
    long sum = 0;
    for (int k = 0; k < started; k++) {
        pthread_join(tids[k], NULL);
        sum += bs[k].sum;
    }
    free(bs);
    free(tids);
    return started == workers ? sum : -1;
}
