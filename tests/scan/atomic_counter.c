/* Four threads count with atomic_fetch_add and a compare-and-swap maximum:
 * correct without a lock.
 * scan-expect: clean
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#define THREADS 4
#define ROUNDS 1000

static atomic_long hits;
static atomic_long most;

static void *work(void *arg)
{
    long id = (long)arg;
    for (long i = 0; i < ROUNDS; i++) {
        atomic_fetch_add(&hits, 1);
        long seen = atomic_load(&most), mine = id * ROUNDS + i;
        while (seen < mine && !atomic_compare_exchange_weak(&most, &seen, mine)) {
        }
    }
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, work, (void *)i);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    printf("hits = %ld, most = %ld\n", atomic_load(&hits), atomic_load(&most));
    return atomic_load(&hits) == THREADS * ROUNDS && atomic_load(&most) == THREADS * ROUNDS - 1 ? 0 : 1;
}
