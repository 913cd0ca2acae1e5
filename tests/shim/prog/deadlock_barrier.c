/* AB/BA with a barrier between the two locks: the deadlock happens in every
 * schedule, also without any scheduling control. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t bar;

static void *first(void *arg)
{
    pthread_mutex_lock(arg == NULL ? &a : &b);
    pthread_barrier_wait(&bar);
    pthread_mutex_lock(arg == NULL ? &b : &a);
    return NULL;
}

int main(void)
{
    pthread_t x, y;
    pthread_barrier_init(&bar, NULL, 2);
    pthread_create(&x, NULL, first, NULL);
    pthread_create(&y, NULL, first, (void *)1);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    puts("unreachable");
    return 0;
}
