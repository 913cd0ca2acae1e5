/* A cleanup thread frees the shared buffer; a reporter thread started after
 * it (the join orders them) still reads it: a use after free between threads.
 * scan-expect: use-after-free
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static int *shared;

static void *cleanup(void *arg)
{
    (void)arg;
    free(shared);
    return NULL;
}

static void *reporter(void *arg)
{
    (void)arg;
    printf("total %d\n", shared[0] + shared[1]);
    return NULL;
}

int main(void)
{
    shared = calloc(2, sizeof *shared);
    shared[0] = 2, shared[1] = 3;
    pthread_t a, b;
    pthread_create(&a, NULL, cleanup, NULL);
    pthread_join(a, NULL);
    pthread_create(&b, NULL, reporter, NULL);
    pthread_join(b, NULL);
    return 0;
}
