/* Takes the lock for each item and keeps it while calling work: "everything
 * that touches shared data is under the lock" - but work is the whole
 * computation, so only one thread computes at a time (Python's GIL again).
 * expect-kinds: not-concurrent
 * expect-fail: workers
 */
#include <pthread.h>
#include <stdlib.h>

#include "parallel.h"

struct job {
    pthread_mutex_t lock;
    work_fn work;
    long next, n, total;
};

static void *worker(void *arg)
{
    struct job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        if (j->next >= j->n) {
            pthread_mutex_unlock(&j->lock);
            return NULL;
        }
        long i = j->next++;
        j->total += j->work(i);
        pthread_mutex_unlock(&j->lock);
    }
}

long parallel_sum(work_fn work, long n, int workers)
{
    if (n < 0 || workers < 1) return -1;
    if (n == 0) return 0;
    struct job j = {PTHREAD_MUTEX_INITIALIZER, work, 0, n, 0};
    pthread_t *tids = calloc((size_t)workers, sizeof *tids);
    if (!tids) return -1;
    int started = 0, failed = 0;
    for (; started < workers; started++) {
        if (pthread_create(&tids[started], NULL, worker, &j) != 0) {
            failed = 1;
            pthread_mutex_lock(&j.lock);
            j.n = 0; /* nothing more to take */
            pthread_mutex_unlock(&j.lock);
            break;
        }
    }
    for (int k = 0; k < started; k++) pthread_join(tids[k], NULL);
    free(tids);
    return failed ? -1 : j.total;
}
