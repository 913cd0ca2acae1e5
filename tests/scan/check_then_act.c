/* Withdrawals check the balance in one critical section and take the money
 * in another. Every access is locked (no data race), but a thread can be
 * preempted between the check and the act: two withdrawals pass the same
 * check and the balance goes negative.
 * scan-expect: crash
 */
#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long balance = 100;

static bool can_pay(long amount)
{
    pthread_mutex_lock(&lock);
    bool ok = balance >= amount;
    pthread_mutex_unlock(&lock);
    return ok;
}

static void pay(long amount)
{
    pthread_mutex_lock(&lock);
    balance -= amount;
    pthread_mutex_unlock(&lock);
}

static void *withdraw(void *arg)
{
    (void)arg;
    if (can_pay(80)) pay(80);
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, withdraw, NULL);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    printf("balance = %ld\n", balance);
    assert(balance >= 0);
    return 0;
}
