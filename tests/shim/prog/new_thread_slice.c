/* Every thread makes one locked step and ends: nothing computes. Run on one
 * processor beside CPU hogs, a new thread granted the token can wait longer
 * than a slice for the processor before it ever ran; under pct it must keep
 * the token, like any holder that only waits for a processor, so the seed
 * alone fixes the schedule (tests/shim/run.sh, test_loaded_no_slice). */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long steps;

static void *step(void *arg)
{
    pthread_mutex_lock(&m);
    steps++;
    pthread_mutex_unlock(&m);
    return arg;
}

int main(void)
{
    for (int round = 0; round < 100; round++) {
        pthread_t t[4];
        for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, step, NULL);
        for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    }
    printf("%ld\n", steps);
    return 0;
}
