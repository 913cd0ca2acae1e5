/* A function that holds a plain mutex calls a helper that locks it again:
 * the thread waits for itself (a recursive mutex, Python's RLock, is what
 * this code needs).
 * scan-expect: self-deadlock timeout
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long balance = 100;

static void deposit(long amount)
{
    pthread_mutex_lock(&lock);
    balance += amount;
    pthread_mutex_unlock(&lock);
}

static void *pay_interest(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    deposit(balance / 10);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, pay_interest, NULL);
    pthread_join(t, NULL);
    printf("balance = %ld\n", balance);
    return 0;
}
