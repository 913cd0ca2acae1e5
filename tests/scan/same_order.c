/* Two threads take the same two locks, always in the same order.
 * scan-expect: clean
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static int moved;

static void transfer(int amount)
{
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b);
    moved += amount;
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
}

static void *forward(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++) transfer(1);
    return NULL;
}

static void *backward(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++) transfer(-1);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    pthread_create(&t1, NULL, forward, NULL);
    pthread_create(&t2, NULL, backward, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("moved = %d\n", moved);
    return moved == 0 ? 0 : 1;
}
