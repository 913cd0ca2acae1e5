/* The same thread, its argument in main's frame, which lives until the join.
 * scan-expect: clean
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t go;

static void *show(void *arg)
{
    const int *id = arg;
    sem_wait(&go);
    printf("worker %d\n", *id);
    return NULL;
}

__attribute__((noinline)) static pthread_t start(int *id)
{
    pthread_t t;
    pthread_create(&t, NULL, show, id);
    return t;
}

int main(void)
{
    sem_init(&go, 0, 0);
    int id = 7;
    pthread_t t = start(&id);
    sem_post(&go);
    pthread_join(t, NULL);
    return 0;
}
