/* Correct use of the other primitives: a read-write lock, a semaphore used
 * as a counter of free slots, a barrier, a spin lock, C11 threads with
 * mtx_t/cnd_t, detached threads. Must finish with the expected totals. */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <threads.h>

#define WORKERS 3
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t bar;
static pthread_spinlock_t spin;
static sem_t slots;
static long table[4], spun;
static mtx_t cm;
static cnd_t cc;
static int c11_done;

static void *worker(void *arg)
{
    long id = (long)arg, seen = 0;
    pthread_barrier_wait(&bar);
    for (int i = 0; i < 20; i++) {
        sem_wait(&slots);
        if (i % 4 == 0) {
            pthread_rwlock_wrlock(&rw);
            table[id % 4]++;
            pthread_rwlock_unlock(&rw);
        } else {
            pthread_rwlock_rdlock(&rw);
            seen += table[i % 4];
            pthread_rwlock_unlock(&rw);
        }
        sem_post(&slots);
        pthread_spin_lock(&spin);
        spun++;
        pthread_spin_unlock(&spin);
    }
    pthread_barrier_wait(&bar);
    return (void *)seen;
}

static int c11_worker(void *arg)
{
    mtx_lock(&cm);
    c11_done++;
    cnd_broadcast(&cc);
    mtx_unlock(&cm);
    return (int)(long)arg;
}

int main(void)
{
    pthread_t t[WORKERS];
    thrd_t c[2];
    pthread_barrier_init(&bar, NULL, WORKERS);
    pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
    sem_init(&slots, 0, 2);
    mtx_init(&cm, mtx_plain);
    cnd_init(&cc);
    for (long i = 0; i < WORKERS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (long i = 0; i < 2; i++) thrd_create(&c[i], c11_worker, (void *)(i + 40));
    mtx_lock(&cm);
    while (c11_done < 2) cnd_wait(&cc, &cm);
    mtx_unlock(&cm);
    int res_sum = 0;
    for (int i = 0; i < 2; i++) {
        int res;
        thrd_join(c[i], &res);
        res_sum += res;
    }
    for (int i = 0; i < WORKERS; i++) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&bar);
    long writes = table[0] + table[1] + table[2] + table[3];
    printf("%ld %ld %d\n", writes, spun, res_sum);
    return writes == 15 && spun == 60 && res_sum == 81 ? 0 : 1;
}
