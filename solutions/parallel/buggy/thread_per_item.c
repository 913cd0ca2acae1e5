/* Ignores `workers` and starts one thread per item, all at once: the items
 * do run at the same time, but n threads for n items cost more than the
 * items themselves, and a machine has only so many cores.
 * expect-kinds: wrong-result
 * expect-fail: workers
 */
#include <pthread.h>
#include <stdlib.h>

#include "parallel.h"

struct item {
    work_fn work;
    long i, value;
};

static void *item_run(void *arg)
{
    struct item *it = arg;
    it->value = it->work(it->i);
    return NULL;
}

long parallel_sum(work_fn work, long n, int workers)
{
    if (n < 0 || workers < 1) return -1;
    if (n == 0) return 0;
    struct item *items = calloc((size_t)n, sizeof *items);
    pthread_t *tids = calloc((size_t)n, sizeof *tids);
    if (!items || !tids) {
        free(items);
        free(tids);
        return -1;
    }
    long started = 0;
    for (; started < n; started++) {
        items[started] = (struct item){work, started, 0};
        if (pthread_create(&tids[started], NULL, item_run, &items[started]) != 0) break;
    }
    long sum = 0;
    for (long k = 0; k < started; k++) {
        pthread_join(tids[k], NULL);
        sum += items[k].value;
    }
    free(items);
    free(tids);
    return started == n ? sum : -1;
}
