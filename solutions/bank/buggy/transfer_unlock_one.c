/* A transfer that finds too little money gives up, but unlocks only one of
 * its two locks: the other account stays locked forever, and the next
 * caller that needs it waits for good. The report must name the lock left
 * held, not a deadlock between threads.
 * expect-kinds: lock-held
 * expect-fail: transfer never-negative
 * expect-at: transfer:80
 */
#include <pthread.h>
#include <stdlib.h>

#include "bank.h"

struct account {
    pthread_mutex_t lock; /* recursive: its owner may take it again */
    long balance;
};

struct bank {
    size_t n;
    struct account *acc;
};

/* A bank of `accounts` accounts holding initial_balance each; NULL if
 * accounts == 0, initial_balance < 0 or memory is short. */
bank_t *bank_open(size_t accounts, long initial_balance)
{
    if (accounts == 0 || initial_balance < 0) return NULL;
    bank_t *b = malloc(sizeof *b);
    if (!b) return NULL;
    b->acc = calloc(accounts, sizeof *b->acc);
    if (!b->acc) {
        free(b);
        return NULL;
    }
    b->n = accounts;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    for (size_t i = 0; i < accounts; i++) {
        pthread_mutex_init(&b->acc[i].lock, &attr);
        b->acc[i].balance = initial_balance;
    }
    pthread_mutexattr_destroy(&attr);
    return b;
}

int bank_deposit(bank_t *b, size_t account, long amount)
{
    if (account >= b->n || amount <= 0) return -1;
    struct account *a = &b->acc[account];
    pthread_mutex_lock(&a->lock);
    a->balance += amount;
    pthread_mutex_unlock(&a->lock);
    return 0;
}

/* Takes amount out of the account if it holds that much: the check and the
 * update happen under one lock. */
int bank_withdraw(bank_t *b, size_t account, long amount)
{
    if (account >= b->n || amount <= 0) return -1;
    struct account *a = &b->acc[account];
    int rc = -1;
    pthread_mutex_lock(&a->lock);
    if (a->balance >= amount) {
        a->balance -= amount;
        rc = 0;
    }
    pthread_mutex_unlock(&a->lock);
    return rc;
}

int bank_transfer(bank_t *b, size_t from, size_t to, long amount)
{
    if (from >= b->n || to >= b->n || amount <= 0) return -1;
    struct account *first = &b->acc[from < to ? from : to];
    struct account *second = &b->acc[from < to ? to : from];
    pthread_mutex_lock(&first->lock);
    pthread_mutex_lock(&second->lock);
    if (b->acc[from].balance < amount) {
        pthread_mutex_unlock(&first->lock); /* not enough money */
        return -1;
    }
    b->acc[from].balance -= amount;
    b->acc[to].balance += amount;
    pthread_mutex_unlock(&second->lock);
    pthread_mutex_unlock(&first->lock);
    return 0;
}

long bank_balance(bank_t *b, size_t account)
{
    if (account >= b->n) return -1;
    struct account *a = &b->acc[account];
    pthread_mutex_lock(&a->lock);
    long v = a->balance;
    pthread_mutex_unlock(&a->lock);
    return v;
}

/* The sum of every balance at one instant: every lock is held (taken in
 * account order, like transfers) while adding up, so no transfer is
 * halfway. */
long bank_total(bank_t *b)
{
    long sum = 0;
    for (size_t i = 0; i < b->n; i++) pthread_mutex_lock(&b->acc[i].lock);
    for (size_t i = 0; i < b->n; i++) sum += b->acc[i].balance;
    for (size_t i = b->n; i-- > 0;) pthread_mutex_unlock(&b->acc[i].lock);
    return sum;
}

void bank_close(bank_t *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->n; i++) pthread_mutex_destroy(&b->acc[i].lock);
    free(b->acc);
    free(b);
}
