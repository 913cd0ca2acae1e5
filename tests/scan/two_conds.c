/* The one-slot buffer with a condition variable per condition ("not full",
 * "not empty") and a predicate loop around every wait: correct.
 * scan-expect: clean
 */
#include <pthread.h>
#include <stdio.h>

#define ITEMS 6

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static int slot, full;

static void put(int v)
{
    pthread_mutex_lock(&lock);
    while (full) pthread_cond_wait(&not_full, &lock);
    slot = v;
    full = 1;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&lock);
}

static int get(void)
{
    pthread_mutex_lock(&lock);
    while (!full) pthread_cond_wait(&not_empty, &lock);
    int v = slot;
    full = 0;
    pthread_cond_signal(&not_full);
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
    long sum = sums[0] + sums[1];
    printf("sum = %ld\n", sum);
    return sum == 2 * 15 + 100 * ITEMS ? 0 : 1;
}
