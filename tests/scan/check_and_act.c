/* The withdrawal checks and pays in one critical section.
 * scan-expect: clean
 */
#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long balance = 100;

static bool withdraw_if_covered(long amount)
{
    pthread_mutex_lock(&lock);
    bool ok = balance >= amount;
    if (ok) balance -= amount;
    pthread_mutex_unlock(&lock);
    return ok;
}

static void *withdraw(void *arg)
{
    (void)arg;
    withdraw_if_covered(80);
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, withdraw, NULL);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    printf("balance = %ld\n", balance);
    assert(balance == 20);
    return 0;
}
