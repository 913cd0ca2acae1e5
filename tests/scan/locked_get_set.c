/* A counter read and written through a locked getter and a locked setter:
 * `set(get() + 1)` is two critical sections, so an increment made in
 * between is lost. The program checks its total and exits 1.
 * scan-expect: wrong-result
 */
#include <pthread.h>
#include <stdio.h>

#define THREADS 3
#define ROUNDS 5

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int value;

static int get(void)
{
    pthread_mutex_lock(&lock);
    int v = value;
    pthread_mutex_unlock(&lock);
    return v;
}

static void set(int v)
{
    pthread_mutex_lock(&lock);
    value = v;
    pthread_mutex_unlock(&lock);
}

static void *work(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) set(get() + 1);
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    printf("value = %d (expected %d)\n", value, THREADS * ROUNDS);
    return value == THREADS * ROUNDS ? 0 : 1;
}
