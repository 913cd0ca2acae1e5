/* The same publication with release and acquire: correct lock-free code
 * that no detector may flag.
 * scan-expect: clean
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
    atomic_store_explicit(&ready, 1, memory_order_release);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, producer, NULL);
    while (!atomic_load_explicit(&ready, memory_order_acquire)) sched_yield();
    printf("result = %d\n", result);
    pthread_join(t, NULL);
    return result == 42 ? 0 : 1;
}
