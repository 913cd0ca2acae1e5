/* A thread spins on an atomic flag (with acquire) until another sets it
 * (with release): busy, but correct, and it ends.
 * scan-expect: clean
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_bool go;
static long data;

static void *starter(void *arg)
{
    (void)arg;
    data = 7;
    atomic_store_explicit(&go, 1, memory_order_release);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, starter, NULL);
    while (!atomic_load_explicit(&go, memory_order_acquire)) {
    }
    printf("data = %ld\n", data);
    pthread_join(t, NULL);
    return data == 7 ? 0 : 1;
}
