/* Takes items under the lock, but adds to the shared total outside it:
 * `total += work(i)` is a read, an add and a write, and two workers that do
 * it at once lose one of the additions (a wrong sum, now and then).
 * expect-kinds: data-race
 * expect-fail: tsan helgrind
 */
#include <pthread.h>
#include <stdlib.h>

#include "parallel.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static work_fn the_work;
static long next, count, total;
static int stop;

static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        long i = stop || next >= count ? -1 : next++;
        pthread_mutex_unlock(&lock);
        if (i < 0) return NULL;
        total += the_work(i);
    }
}

long parallel_sum(work_fn work, long n, int workers)
{
    if (n < 0 || workers < 1) return -1;
    if (n == 0) return 0;
    the_work = work;
    next = 0;
    count = n;
    total = 0;
    stop = 0;
    pthread_t *tids = malloc(sizeof(pthread_t) * (size_t)workers);
    if (!tids) return -1;
    int started = 0;
    while (started < workers && pthread_create(&tids[started], NULL, worker, NULL) == 0) started++;
    if (started < workers) {
        pthread_mutex_lock(&lock);
        stop = 1;
        pthread_mutex_unlock(&lock);
    }
    for (int k = 0; k < started; k++) pthread_join(tids[k], NULL);
    free(tids);
    return started == workers ? total : -1;
}
