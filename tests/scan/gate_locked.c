/* scan-expect: clean
 *
 * Two workers take locks a and b in opposite orders, but always under the
 * gate lock: the inversion can never deadlock. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static long x, y;

static void *forward(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        pthread_mutex_lock(&gate);
        pthread_mutex_lock(&a);
        pthread_mutex_lock(&b);
        x++, y--;
        pthread_mutex_unlock(&b);
        pthread_mutex_unlock(&a);
        pthread_mutex_unlock(&gate);
    }
    return NULL;
}

static void *backward(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        pthread_mutex_lock(&gate);
        pthread_mutex_lock(&b);
        pthread_mutex_lock(&a);
        y++, x--;
        pthread_mutex_unlock(&a);
        pthread_mutex_unlock(&b);
        pthread_mutex_unlock(&gate);
    }
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    pthread_create(&t1, NULL, forward, NULL);
    pthread_create(&t2, NULL, backward, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("%ld %ld\n", x, y);
    return x == 0 && y == 0 ? 0 : 1;
}
