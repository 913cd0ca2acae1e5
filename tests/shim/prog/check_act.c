/* Check-then-act under correct locking: each withdrawal checks the balance
 * in one critical section and subtracts in another. Two withdrawals of 60
 * from 100 can both pass the check; the balance then goes negative. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long balance = 100;

static int enough(long amount)
{
    pthread_mutex_lock(&lock);
    int ok = balance >= amount;
    pthread_mutex_unlock(&lock);
    return ok;
}

static void *withdraw(void *arg)
{
    long amount = (long)arg;
    if (enough(amount)) {
        pthread_mutex_lock(&lock);
        balance -= amount;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, withdraw, (void *)60L);
    pthread_create(&b, NULL, withdraw, (void *)60L);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("%ld\n", balance);
    if (balance < 0) {
        fprintf(stderr, "invariant violated: balance %ld\n", balance);
        return 3;
    }
    return 0;
}
