/* A plain mutex locked twice by the same thread (the bank exercise's
 * "plain mutex re-locked by its owner"). */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long balance = 100;

static void deposit(long amount)
{
    pthread_mutex_lock(&lock); /* RELOCK-LINE */
    balance += amount;
    pthread_mutex_unlock(&lock);
}

static void *transfer(void *arg)
{
    pthread_mutex_lock(&lock); /* FIRST-LINE */
    deposit(10);
    pthread_mutex_unlock(&lock);
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, transfer, NULL);
    pthread_join(t, NULL);
    printf("%ld\n", balance);
    return 0;
}
