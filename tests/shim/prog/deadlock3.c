/* Three threads, three mutexes, each thread takes "its" mutex then the next
 * one: a three-way lock cycle. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m[3] = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
                               PTHREAD_MUTEX_INITIALIZER};

static void *worker(void *arg)
{
    int i = (int)(long)arg;
    for (int k = 0; k < 15; k++) {
        pthread_mutex_lock(&m[i]);
        pthread_mutex_lock(&m[(i + 1) % 3]);
        pthread_mutex_unlock(&m[(i + 1) % 3]);
        pthread_mutex_unlock(&m[i]);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[3];
    for (long i = 0; i < 3; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    puts("ok");
    return 0;
}
