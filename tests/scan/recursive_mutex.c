/* The same re-entry with a recursive mutex: correct.
 * scan-expect: clean
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock;
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
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&lock, &attr);
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, pay_interest, NULL);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    printf("balance = %ld\n", balance);
    return balance == 121 ? 0 : 1;
}
