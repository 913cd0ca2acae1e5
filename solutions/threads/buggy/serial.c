/* Creates a thread and joins it before creating the next one: correct
 * results, but the calls never run at the same time.
 * expect-kinds: not-concurrent
 * expect-fail: concurrent
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
    for (size_t i = 0; i < n; i++) {
        struct call c = {fn, args[i], 0};
        pthread_t t;
        if (pthread_create(&t, NULL, run_call, &c) != 0) return -1;
        pthread_join(t, NULL);
        results[i] = c.result;
    }
    return 0;
}
