/* Detaches every thread and waits for a counter instead of joining: the
 * results arrive, but no thread is ever joined, so each may still be running
 * (and holding its stack) after run_in_threads returns.
 * expect-kinds: thread-leak
 * expect-fail: joined
 */
#include <pthread.h>
#include <stdlib.h>

#include "threads.h"

struct shared {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t left;
};

struct call {
    task_fn fn;
    long arg;
    long *result;
    struct shared *sh;
};

static void *run_call(void *p)
{
    struct call *c = p;
    *c->result = c->fn(c->arg);
    pthread_mutex_lock(&c->sh->mu);
    if (--c->sh->left == 0) pthread_cond_signal(&c->sh->cv);
    pthread_mutex_unlock(&c->sh->mu);
    return NULL;
}

int run_in_threads(task_fn fn, const long *args, long *results, size_t n)
{
    struct shared sh = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, n};
    struct call *calls = malloc((n ? n : 1) * sizeof *calls);
    if (!calls) return -1;
    for (size_t i = 0; i < n; i++) {
        calls[i] = (struct call){fn, args[i], &results[i], &sh};
        pthread_t t;
        pthread_create(&t, NULL, run_call, &calls[i]);
        pthread_detach(t);
    }
    pthread_mutex_lock(&sh.mu);
    while (sh.left > 0) pthread_cond_wait(&sh.cv, &sh.mu);
    pthread_mutex_unlock(&sh.mu);
    free(calls);
    return 0;
}
