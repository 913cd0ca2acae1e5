/* Two threads increment a shared counter with no lock.
 * scan-expect: data-race
 */
#include <pthread.h>
#include <stdio.h>

static long counter;

static void *work(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10000; i++) counter++;
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    printf("counter = %ld\n", counter);
    return 0;
}
