/* threads.c - reference solution of the `threads` exercise. */
#include <pthread.h>
#include <stdlib.h>

#include "threads.h"

/* What one thread needs: its own copy of the call, never a pointer to a loop
 * variable that the creating thread keeps changing. */
struct call {
    task_fn fn;
    long arg;
    long result;
};

static void *call_run(void *p)
{
    struct call *c = p;
    c->result = c->fn(c->arg);
    return NULL;
}

int run_in_threads(task_fn fn, const long *args, long *results, size_t n)
{
    if (n == 0) return 0;
    struct call *calls = calloc(n, sizeof *calls);
    pthread_t *tids = calloc(n, sizeof *tids);
    if (!calls || !tids) {
        free(calls);
        free(tids);
        return -1;
    }
    size_t started = 0;
    int rc = 0;
    for (; started < n; started++) {
        calls[started] = (struct call){fn, args[started], 0};
        if (pthread_create(&tids[started], NULL, call_run, &calls[started]) != 0) {
            rc = -1;
            break;
        }
    }
    /* join every thread that was started, whether or not all of them were */
    for (size_t i = 0; i < started; i++) {
        pthread_join(tids[i], NULL);
        if (rc == 0) results[i] = calls[i].result;
    }
    free(calls);
    free(tids);
    return rc;
}
