/* parallel.c - reference solution of the `parallel` exercise.
 *
 * Each worker takes the next item from a shared counter under a lock, computes
 * it with no lock held (that is where the threads run at the same time), and
 * keeps a private partial sum; the partial sums are added up after the joins.
 * A slow item keeps only its own worker busy: the others go on taking items. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "parallel.h"

struct shared {
    pthread_mutex_t lock; /* guards next and stop */
    long next;            /* the next item nobody has taken yet */
    long n;
    bool stop;            /* set when a thread could not be created */
    work_fn work;
};

struct worker {
    struct shared *sh;
    long partial; /* this worker's own sum: no other thread touches it */
};

/* The next item, or -1 when there is none left (or the work was called off). */
static long item_take(struct shared *sh)
{
    pthread_mutex_lock(&sh->lock);
    long i = sh->stop || sh->next >= sh->n ? -1 : sh->next++;
    pthread_mutex_unlock(&sh->lock);
    return i;
}

static void *worker_run(void *p)
{
    struct worker *w = p;
    for (long i; (i = item_take(w->sh)) >= 0;) w->partial += w->sh->work(i);
    return NULL;
}

long parallel_sum(work_fn work, long n, int workers)
{
    if (n < 0 || workers < 1) return -1;
    if (n == 0) return 0;
    struct shared sh = {.next = 0, .n = n, .stop = false, .work = work};
    struct worker *ws = calloc((size_t)workers, sizeof *ws);
    pthread_t *tids = calloc((size_t)workers, sizeof *tids);
    if (!ws || !tids) {
        free(ws);
        free(tids);
        return -1;
    }
    pthread_mutex_init(&sh.lock, NULL);
    int started = 0;
    for (; started < workers; started++) {
        ws[started] = (struct worker){&sh, 0};
        if (pthread_create(&tids[started], NULL, worker_run, &ws[started]) != 0) break;
    }
    if (started < workers) {
        /* call the work off, then wait for the threads already running */
        pthread_mutex_lock(&sh.lock);
        sh.stop = true;
        pthread_mutex_unlock(&sh.lock);
    }
    long sum = 0;
    for (int k = 0; k < started; k++) {
        pthread_join(tids[k], NULL);
        sum += ws[k].partial;
    }
    pthread_mutex_destroy(&sh.lock);
    free(ws);
    free(tids);
    return started < workers ? -1 : sum;
}
