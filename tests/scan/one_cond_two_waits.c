/* A one-slot buffer whose producers and consumers share one condition
 * variable and wake one waiter with `signal`: a producer's signal can wake
 * the other producer, which waits again, and the consumer sleeps on.
 * scan-expect: lost-wakeup deadlock timeout
 */
#include <pthread.h>
#include <stdio.h>

#define ITEMS 6

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int slot, full;

static void put(int v)
{
    pthread_mutex_lock(&lock);
    while (full) pthread_cond_wait(&changed, &lock);
    slot = v;
    full = 1;
    pthread_cond_signal(&changed);
    pthread_mutex_unlock(&lock);
}

static int get(void)
{
    pthread_mutex_lock(&lock);
    while (!full) pthread_cond_wait(&changed, &lock);
    int v = slot;
    full = 0;
    pthread_cond_signal(&changed);
    pthread_mutex_unlock(&lock);
    return v;
}

static void *producer(void *arg)
{
    for (int i = 0; i < ITEMS; i++) put((int)(long)arg * 100 + i);
    return NULL;
}

static void *consumer(void *arg)
{
    long sum = 0;
    for (int i = 0; i < ITEMS; i++) sum += get();
    *(long *)arg = sum;
    return NULL;
}

int main(void)
{
    pthread_t p[2], c[2];
    long sums[2] = {0, 0};
    for (long i = 0; i < 2; i++) pthread_create(&p[i], NULL, producer, (void *)i);
    for (int i = 0; i < 2; i++) pthread_create(&c[i], NULL, consumer, &sums[i]);
    for (int i = 0; i < 2; i++) pthread_join(p[i], NULL);
    for (int i = 0; i < 2; i++) pthread_join(c[i], NULL);
    printf("sum = %ld\n", sums[0] + sums[1]);
    return 0;
}
