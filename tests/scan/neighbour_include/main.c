/* scan-expect: clean
 *
 * A correct program that includes a file beside it ("common.inc", not a
 * C file of the scan): the source's folder is on the include path, as it
 * is for gcc. */
#include <pthread.h>
#include <stdio.h>

#include "common.inc"

static struct tally tally = {PTHREAD_MUTEX_INITIALIZER, 0};

static void *count(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) tally_add(&tally, 1);
    return NULL;
}

int main(void)
{
    pthread_t t[WORKERS];
    for (int i = 0; i < WORKERS; i++) pthread_create(&t[i], NULL, count, NULL);
    for (int i = 0; i < WORKERS; i++) pthread_join(t[i], NULL);
    printf("%ld\n", tally.n);
    return tally.n == (long)WORKERS * ROUNDS ? 0 : 1;
}
