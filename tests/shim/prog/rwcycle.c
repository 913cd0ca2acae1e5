/* Two threads each hold a read lock and ask for a write lock on the other's
 * rwlock (a barrier makes the cycle certain); then a thread asks to
 * upgrade its own read lock (run with an argument). */
#include <pthread.h>
#include <stdio.h>

static pthread_rwlock_t a = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t b = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t bar;

static void *crosser(void *arg)
{
    pthread_rwlock_t *mine = arg ? &b : &a, *other = arg ? &a : &b;
    pthread_rwlock_rdlock(mine);
    pthread_barrier_wait(&bar);
    pthread_rwlock_wrlock(other);
    return NULL;
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        pthread_rwlock_rdlock(&a);
        pthread_rwlock_wrlock(&a);
        return 0;
    }
    pthread_t x, y;
    pthread_barrier_init(&bar, NULL, 2);
    pthread_create(&x, NULL, crosser, NULL);
    pthread_create(&y, NULL, crosser, (void *)1);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    return 0;
}
