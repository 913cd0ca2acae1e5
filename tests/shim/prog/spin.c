/* A thread busy-waits on an atomic flag that the main thread sets after a
 * few locked steps. Under a one-thread-at-a-time scheduler the spinner must
 * lose the processor after its time slice, or the program never ends. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int flag;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long spins;

static void *spinner(void *arg)
{
    while (!atomic_load(&flag)) spins++;
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, spinner, NULL);
    for (int i = 0; i < 3; i++) {
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
    }
    atomic_store(&flag, 1);
    pthread_join(t, NULL);
    puts("ok");
    return 0;
}
