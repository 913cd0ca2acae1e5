/* scan-expect: clean
 *
 * Every worker initialises a shared table through pthread_once and then
 * only reads it: pthread_once orders the initialisation before every
 * return from it, so there is no race. */
#include <pthread.h>
#include <stdio.h>

#define N 64
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int squares[N];
static long sums[3];

static void table_init(void)
{
    for (int i = 0; i < N; i++) squares[i] = i * i;
}

static void *worker(void *arg)
{
    long id = (long)arg, sum = 0;
    pthread_once(&once, table_init);
    for (int i = 0; i < N; i++) sum += squares[i];
    sums[id] = sum;
    return NULL;
}

int main(void)
{
    pthread_t t[3];
    for (long i = 0; i < 3; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    printf("%ld\n", sums[0]);
    return sums[0] == sums[1] && sums[1] == sums[2] ? 0 : 1;
}
