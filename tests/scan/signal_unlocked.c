/* scan-expect: clean
 *
 * A correct hand-off that signals after unlocking: legal (the flag is set
 * under the lock, the waiter re-checks it under the lock). Helgrind calls
 * the signal "dubious" (a style warning), which is no bug. */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cv = PTHREAD_COND_INITIALIZER;
static int waiting, ready, value;

static void *producer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!waiting) { /* main is in its wait once it said so under the lock */
        pthread_mutex_unlock(&lock);
        sched_yield();
        pthread_mutex_lock(&lock);
    }
    value = 42;
    ready = 1;
    pthread_mutex_unlock(&lock);
    pthread_cond_signal(&ready_cv);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, producer, NULL);
    pthread_mutex_lock(&lock);
    waiting = 1;
    while (!ready) pthread_cond_wait(&ready_cv, &lock);
    int v = value;
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    printf("%d\n", v);
    return v == 42 ? 0 : 1;
}
