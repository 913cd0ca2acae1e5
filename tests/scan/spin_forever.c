/* The main thread spins until a worker sets a flag, but the worker sets
 * another one: the program never ends.
 * scan-opts: -n 4
 * scan-expect: timeout
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int started, finished;

static void *work(void *arg)
{
    (void)arg;
    atomic_store(&started, 1);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, work, NULL);
    while (!atomic_load(&finished)) {
    }
    pthread_join(t, NULL);
    puts("finished");
    return 0;
}
