/* tests/submissions/threads/atomics.c with every atomic relaxed: the call's
 * data, written after the threads start, is now read with nothing ordering
 * it. Helgrind, through the grader's atomics runtime, must report that race
 * (tests/tools/run.sh). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "threads.h"

struct shared {
    atomic_int go;
    atomic_size_t next;
    task_fn fn;
    const long *args;
    long *results;
};

static void *worker(void *p)
{
    struct shared *sh = p;
    while (!atomic_load_explicit(&sh->go, memory_order_relaxed)) sched_yield();
    size_t i = atomic_fetch_add_explicit(&sh->next, 1, memory_order_relaxed);
    sh->results[i] = sh->fn(sh->args[i]);
    return NULL;
}

int run_in_threads(task_fn fn, const long *args, long *results, size_t n)
{
    if (n == 0) return 0;
    pthread_t *tids = malloc(n * sizeof *tids);
    if (!tids) return -1;
    struct shared sh;
    atomic_init(&sh.go, 0);
    atomic_init(&sh.next, 0);
    size_t started = 0;
    while (started < n && pthread_create(&tids[started], NULL, worker, &sh) == 0) started++;
    sh.fn = fn;
    sh.args = args;
    sh.results = results;
    atomic_store_explicit(&sh.go, 1, memory_order_relaxed);
    for (size_t i = 0; i < started; i++) pthread_join(tids[i], NULL);
    free(tids);
    return started == n ? 0 : -1;
}
