/* Each account has a plain (default) mutex. bank_transfer holds both locks
 * and then calls bank_withdraw, which locks `from` again: the thread waits
 * for itself.
 * expect-kinds: self-deadlock
 * expect-fail: transfer reentrant
 */
#include <pthread.h>
#include <stdlib.h>

#include "bank.h"

struct account {
    pthread_mutex_t lock;
    long balance;
};

struct bank {
    size_t n;
    struct account *acc;
};

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
    for (size_t i = 0; i < accounts; i++) {
        pthread_mutex_init(&b->acc[i].lock, NULL);
        b->acc[i].balance = initial_balance;
    }
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
    int rc = bank_withdraw(b, from, amount);
    if (rc == 0) bank_deposit(b, to, amount);
    pthread_mutex_unlock(&second->lock);
    pthread_mutex_unlock(&first->lock);
    return rc;
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
