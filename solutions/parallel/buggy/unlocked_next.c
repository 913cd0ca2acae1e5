/* Hands out items with `i = next++` and no lock: two workers can read the
 * same value of next, so an item is computed twice and another never. The
 * partial sums are the worker's own, added up after the joins.
 * expect-kinds: data-race
 * expect-fail: tsan helgrind
 */
#include <pthread.h>
#include <stdlib.h>

#include "parallel.h"

struct shared {
    work_fn work;
    long next, n;
};

struct worker {
    struct shared *sh;
    long partial;
};

static void *work_loop(void *arg)
{
    struct worker *w = arg;
    for (;;) {
        long i = w->sh->next++;
        if (i >= w->sh->n) return NULL;
        w->partial += w->sh->work(i);
    }
}

long parallel_sum(work_fn work, long n, int workers)
{
    if (n < 0 || workers < 1) return -1;
    if (n == 0) return 0;
    struct shared sh = {work, 0, n};
    struct worker *ws = calloc((size_t)workers, sizeof *ws);
    pthread_t *tids = calloc((size_t)workers, sizeof *tids);
    if (!ws || !tids) {
        free(ws);
        free(tids);
        return -1;
    }
    int started = 0;
    for (; started < workers; started++) {
        ws[started].sh = &sh;
        if (pthread_create(&tids[started], NULL, work_loop, &ws[started]) != 0) break;
    }
    long sum = 0;
    for (int k = 0; k < started; k++) {
        pthread_join(tids[k], NULL);
        sum += ws[k].partial;
    }
    free(ws);
    free(tids);
    return started == workers ? sum : -1;
}
