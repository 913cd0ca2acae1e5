/* A correct, lock-heavy program: four threads move money between sixteen
 * accounts, each account with its own mutex, plus a shared statistics lock,
 * and record every transfer in the account's history (a little work inside
 * each critical section, as in the bank exercise's tests). The total must be
 * preserved. Used to measure the shim's overhead. */
#include <pthread.h>
#include <stdio.h>

#define ACCOUNTS 16
#define THREADS  4
#define ROUNDS   40000
#ifndef WORK
#define WORK 32 /* words of history updated per transfer */
#endif

static pthread_mutex_t lock[ACCOUNTS];
static long balance[ACCOUNTS];
static unsigned long history[ACCOUNTS][WORK];
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static long transfers;

static void transfer(int from, int to, long amount)
{
    int lo = from < to ? from : to, hi = from < to ? to : from;
    pthread_mutex_lock(&lock[lo]);
    if (hi != lo) pthread_mutex_lock(&lock[hi]);
    balance[from] -= amount;
    balance[to] += amount;
    for (int k = 0; k < WORK; k++) {
        history[from][k] = history[from][k] * 31 + (unsigned long)amount;
        history[to][k] ^= history[from][k] >> 3;
    }
    if (hi != lo) pthread_mutex_unlock(&lock[hi]);
    pthread_mutex_unlock(&lock[lo]);
}

static void *worker(void *arg)
{
    unsigned x = (unsigned)(long)arg * 2654435761u + 1;
    for (int i = 0; i < ROUNDS; i++) {
        x = x * 1103515245u + 12345u;
        transfer((int)(x >> 8) % ACCOUNTS, (int)(x >> 16) % ACCOUNTS,
                 (long)(x >> 24) % 10);
        if (i % 16 == 0) {
            pthread_mutex_lock(&stats_lock);
            transfers += 16;
            pthread_mutex_unlock(&stats_lock);
        }
    }
    return NULL;
}

int main(void)
{
    for (int i = 0; i < ACCOUNTS; i++) {
        pthread_mutex_init(&lock[i], NULL);
        balance[i] = 1000;
    }
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    long sum = 0;
    for (int i = 0; i < ACCOUNTS; i++) sum += balance[i];
    printf("%ld %ld\n", sum, transfers);
    return sum == 1000L * ACCOUNTS ? 0 : 1;
}
