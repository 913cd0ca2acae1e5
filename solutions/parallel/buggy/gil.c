/* One lock held around the whole computation: each worker locks, takes items
 * until none is left, and unlocks at the end. The sum is right, but the
 * threads take turns, like Python's GIL: no two of them ever compute at the
 * same time, and the program is no faster than with one thread.
 * expect-kinds: not-concurrent
 * expect-fail: workers
 */
#include <pthread.h>
#include <stdlib.h>

#include "parallel.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static work_fn the_work;
static long next, count, total;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    while (next < count) {
        long i = next++;
        total += the_work(i);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

long parallel_sum(work_fn work, long n, int workers)
{
    if (n < 0 || workers < 1) return -1;
    if (n == 0) return 0;
    the_work = work;
    next = 0;
    count = n;
    total = 0;
    pthread_t *tids = malloc(sizeof(pthread_t) * (size_t)workers);
    if (!tids) return -1;
    int started = 0;
    while (started < workers && pthread_create(&tids[started], NULL, worker, NULL) == 0) started++;
    for (int k = 0; k < started; k++) pthread_join(tids[k], NULL);
    free(tids);
    return started == workers ? total : -1;
}
