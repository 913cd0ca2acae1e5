/* Starts each thread from a helper that hands it a pointer to a struct in
 * the helper's own stack frame and returns at once: the thread then reads a
 * frame that no longer exists (natively, whatever the next call left there).
 * expect-kinds: stack-use-after-return
 * expect-fail: memory
 */
#include <pthread.h>
#include <stdlib.h>

#include "threads.h"

struct job {
    task_fn fn;
    long arg;
    long *out;
};

static void *runner(void *p)
{
    struct job *j = p;
    long *out = j->out;
    *out = j->fn(j->arg);
    return NULL;
}

static int start(pthread_t *t, task_fn fn, long arg, long *out)
{
    struct job j = {fn, arg, out};
    return pthread_create(t, NULL, runner, &j);
}

int run_in_threads(task_fn fn, const long *args, long *results, size_t n)
{
    pthread_t *ts = malloc((n ? n : 1) * sizeof *ts);
    if (!ts) return -1;
    for (size_t i = 0; i < n; i++) {
        if (start(&ts[i], fn, args[i], &results[i]) != 0) {
            for (size_t k = 0; k < i; k++) pthread_join(ts[k], NULL);
            free(ts);
            return -1;
        }
    }
    for (size_t i = 0; i < n; i++) pthread_join(ts[i], NULL);
    free(ts);
    return 0;
}
