/* A helper starts a thread with a pointer to its own local variable and
 * returns; the thread reads it after that (the semaphore orders them): the
 * frame it points into no longer exists.
 * scan-expect: stack-use-after-return data-race
 * (Helgrind also sees main's later calls write over the dead frame the
 * thread reads.)
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

__attribute__((noinline)) static pthread_t start(int n)
{
    int id = n;
    pthread_t t;
    pthread_create(&t, NULL, show, &id);
    return t;
}

int main(void)
{
    sem_init(&go, 0, 0);
    pthread_t t = start(7);
    sem_post(&go);
    pthread_join(t, NULL);
    return 0;
}
