/* A result published through an atomic flag with relaxed ordering: the
 * flag itself is atomic, but nothing orders the write of `result` before
 * the reader's read of it.
 * scan-expect: data-race
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static int result;
static atomic_int ready;

static void *producer(void *arg)
{
    (void)arg;
    result = 42;
    atomic_store_explicit(&ready, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, producer, NULL);
    while (!atomic_load_explicit(&ready, memory_order_relaxed)) sched_yield();
    printf("result = %d\n", result);
    pthread_join(t, NULL);
    return 0;
}
