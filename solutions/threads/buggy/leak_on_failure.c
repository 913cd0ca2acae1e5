/* Returns -1 at once when pthread_create fails, leaving the threads it had
 * already started running and never joined.
 * expect-kinds: thread-leak
 * expect-fail: create-fails
 */
#include <pthread.h>
#include <stdlib.h>

#include "threads.h"

struct call {
    task_fn fn;
    long arg, result;
};

static void *run_call(void *p)
{
    struct call *c = p;
    c->result = c->fn(c->arg);
    return NULL;
}

int run_in_threads(task_fn fn, const long *args, long *results, size_t n)
{
    struct call *calls = malloc((n ? n : 1) * sizeof *calls);
    pthread_t *tids = malloc((n ? n : 1) * sizeof *tids);
    if (!calls || !tids) return -1;
    for (size_t i = 0; i < n; i++) {
        calls[i] = (struct call){fn, args[i], 0};
        if (pthread_create(&tids[i], NULL, run_call, &calls[i]) != 0)
            return -1; /* the threads started so far are forgotten */
    }
    for (size_t i = 0; i < n; i++) {
        pthread_join(tids[i], NULL);
        results[i] = calls[i].result;
    }
    free(calls);
    free(tids);
    return 0;
}
