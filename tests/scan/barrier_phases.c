/* Threads fill their own slot, meet at a barrier, then read every slot:
 * the barrier orders the writes before the reads.
 * scan-expect: clean
 */
#include <pthread.h>
#include <stdio.h>

#define THREADS 4

static pthread_barrier_t filled;
static long slots[THREADS], sums[THREADS];

static void *work(void *arg)
{
    long id = (long)arg;
    slots[id] = id + 1;
    pthread_barrier_wait(&filled);
    for (int i = 0; i < THREADS; i++) sums[id] += slots[i];
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    pthread_barrier_init(&filled, NULL, THREADS);
    for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, work, (void *)i);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&filled);
    for (int i = 0; i < THREADS; i++)
        if (sums[i] != 10) return 1;
    puts("every thread saw every slot");
    return 0;
}
