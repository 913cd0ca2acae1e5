/* Returns -1 at once when pthread_create fails: the workers already started
 * are never joined, and go on computing after parallel_sum has returned.
 * expect-kinds: thread-leak
 * expect-fail: create-fails
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
    for (;;) {
        pthread_mutex_lock(&lock);
        long i = next < count ? next++ : -1;
        pthread_mutex_unlock(&lock);
        if (i < 0) return NULL;
        long v = the_work(i);
        pthread_mutex_lock(&lock);
        total += v;
        pthread_mutex_unlock(&lock);
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
    pthread_t tids[256];
    if (workers > 256) return -1;
    for (int k = 0; k < workers; k++)
        if (pthread_create(&tids[k], NULL, worker, NULL) != 0) return -1;
    for (int k = 0; k < workers; k++) pthread_join(tids[k], NULL);
    return total;
}
