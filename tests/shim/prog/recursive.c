/* Recursive mutexes re-locked by their owner, as in a bank whose transfer is
 * built from locked withdraw and deposit steps. Must finish cleanly. */
#include <pthread.h>
#include <stdio.h>

#define ACCOUNTS 3
static pthread_mutex_t lock[ACCOUNTS];
static long balance[ACCOUNTS] = {100, 100, 100};

static void withdraw(int a, long x)
{
    pthread_mutex_lock(&lock[a]);
    balance[a] -= x;
    pthread_mutex_unlock(&lock[a]);
}

static void deposit(int a, long x)
{
    pthread_mutex_lock(&lock[a]);
    balance[a] += x;
    pthread_mutex_unlock(&lock[a]);
}

static void transfer(int from, int to, long x)
{
    int lo = from < to ? from : to, hi = from < to ? to : from;
    pthread_mutex_lock(&lock[lo]);
    pthread_mutex_lock(&lock[hi]);
    withdraw(from, x);
    deposit(to, x);
    pthread_mutex_unlock(&lock[hi]);
    pthread_mutex_unlock(&lock[lo]);
}

static void *worker(void *arg)
{
    int k = (int)(long)arg;
    for (int i = 0; i < 30; i++)
        transfer((k + i) % ACCOUNTS, (k + 2 * i + 1) % ACCOUNTS, 1 + i % 5);
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    for (int i = 0; i < ACCOUNTS; i++) pthread_mutex_init(&lock[i], &attr);
    pthread_t t[3];
    for (long i = 0; i < 3; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    long sum = 0;
    for (int i = 0; i < ACCOUNTS; i++) sum += balance[i];
    printf("%ld\n", sum);
    return sum == 300 ? 0 : 1;
}
