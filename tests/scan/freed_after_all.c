/* The same threads, the buffer freed only once the reporter is done.
 * scan-expect: clean
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static int *shared;

static void *reporter(void *arg)
{
    (void)arg;
    printf("total %d\n", shared[0] + shared[1]);
    return NULL;
}

static void *cleanup(void *arg)
{
    (void)arg;
    free(shared);
    return NULL;
}

int main(void)
{
    shared = calloc(2, sizeof *shared);
    shared[0] = 2, shared[1] = 3;
    pthread_t a, b;
    pthread_create(&b, NULL, reporter, NULL);
    pthread_join(b, NULL);
    pthread_create(&a, NULL, cleanup, NULL);
    pthread_join(a, NULL);
    return 0;
}
