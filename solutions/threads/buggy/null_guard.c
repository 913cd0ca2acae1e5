/* Rejects NULL arguments before looking at n, so the valid call with n == 0
 * (where args may be NULL) fails with -1; and sizes a stack array by a
 * fixed maximum that hundreds of threads overflow.
 * expect-kinds: wrong-result
 * expect-fail: zero many
 */
#include <pthread.h>
#include <stdlib.h>

#include "threads.h"

#define MAX_THREADS 64

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
    if (!fn || !args || !results) return -1;
    if (n > MAX_THREADS) return -1;
    struct call calls[MAX_THREADS];
    pthread_t tids[MAX_THREADS];
    size_t started = 0;
    for (; started < n; started++) {
        calls[started] = (struct call){fn, args[started], 0};
        if (pthread_create(&tids[started], NULL, run_call, &calls[started]) != 0) break;
    }
    for (size_t i = 0; i < started; i++) pthread_join(tids[i], NULL);
    for (size_t i = 0; i < started; i++) results[i] = calls[i].result;
    return started == n ? 0 : -1;
}
