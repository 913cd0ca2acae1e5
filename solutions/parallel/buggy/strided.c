/* Deals the items out in advance, round-robin: worker k computes items k,
 * k + workers, k + 2 * workers, ... Every item is computed once and the sum
 * is right, but the hand-out is fixed: when one item is slow, the items
 * dealt to the same worker wait behind it while the other workers, done
 * with theirs, sit idle.
 * expect-kinds: not-concurrent
 * expect-fail: dynamic
 */
#include <pthread.h>
#include <stdlib.h>

#include "parallel.h"

struct hand {
    work_fn work;
    long first, step, n, sum;
};

static void *hand_run(void *arg)
{
    struct hand *h = arg;
    for (long i = h->first; i < h->n; i += h->step) h->sum += h->work(i);
    return NULL;
}

long parallel_sum(work_fn work, long n, int workers)
{
    if (n < 0 || workers < 1) return -1;
    if (n == 0) return 0;
    struct hand *hs = calloc((size_t)workers, sizeof *hs);
    pthread_t *tids = calloc((size_t)workers, sizeof *tids);
    if (!hs || !tids) {
        free(hs);
        free(tids);
        return -1;
    }
    int started = 0;
    for (; started < workers; started++) {
        hs[started] = (struct hand){work, started, workers, n, 0};
        if (pthread_create(&tids[started], NULL, hand_run, &hs[started]) != 0) break;
    }
    long sum = 0;
    for (int k = 0; k < started; k++) {
        pthread_join(tids[k], NULL);
        sum += hs[k].sum;
    }
    free(hs);
    free(tids);
    return started == workers ? sum : -1;
}
