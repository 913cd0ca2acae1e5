/* Withdraw checks the balance (with bank_balance, which locks) and then
 * locks again to take the money: between the check and the act another
 * thread can take it first, and the balance goes below zero.
 * expect-kinds: invariant
 * expect-fail: never-negative
 */
#include <pthread.h>
#include <stdlib.h>

#include "bank.h"

typedef struct {
    long balance;
    pthread_mutex_t mutex;
} account_t;

struct bank {
    account_t *accounts;
    size_t n;
};

bank_t *bank_open(size_t accounts, long initial_balance)
{
    if (accounts == 0 || initial_balance < 0) return NULL;
    bank_t *bank = malloc(sizeof(bank_t));
    if (bank == NULL) return NULL;
    bank->accounts = malloc(accounts * sizeof(account_t));
    if (bank->accounts == NULL) {
        free(bank);
        return NULL;
    }
    bank->n = accounts;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    for (size_t i = 0; i < accounts; i++) {
        bank->accounts[i].balance = initial_balance;
        pthread_mutex_init(&bank->accounts[i].mutex, &attr);
    }
    pthread_mutexattr_destroy(&attr);
    return bank;
}

int bank_deposit(bank_t *b, size_t account, long amount)
{
    if (account >= b->n || amount <= 0) return -1;
    pthread_mutex_lock(&b->accounts[account].mutex);
    b->accounts[account].balance += amount;
    pthread_mutex_unlock(&b->accounts[account].mutex);
    return 0;
}

long bank_balance(bank_t *b, size_t account)
{
    if (account >= b->n) return -1;
    pthread_mutex_lock(&b->accounts[account].mutex);
    long balance = b->accounts[account].balance;
    pthread_mutex_unlock(&b->accounts[account].mutex);
    return balance;
}

int bank_withdraw(bank_t *b, size_t account, long amount)
{
    if (account >= b->n || amount <= 0) return -1;
    if (bank_balance(b, account) < amount) return -1; /* not enough money */
    pthread_mutex_lock(&b->accounts[account].mutex);
    b->accounts[account].balance -= amount;
    pthread_mutex_unlock(&b->accounts[account].mutex);
    return 0;
}

int bank_transfer(bank_t *b, size_t from, size_t to, long amount)
{
    if (from >= b->n || to >= b->n || amount <= 0) return -1;
    size_t lo = from < to ? from : to, hi = from < to ? to : from;
    pthread_mutex_lock(&b->accounts[lo].mutex);
    pthread_mutex_lock(&b->accounts[hi].mutex);
    int result = bank_withdraw(b, from, amount);
    if (result == 0) bank_deposit(b, to, amount);
    pthread_mutex_unlock(&b->accounts[hi].mutex);
    pthread_mutex_unlock(&b->accounts[lo].mutex);
    return result;
}

long bank_total(bank_t *b)
{
    long total = 0;
    for (size_t i = 0; i < b->n; i++) pthread_mutex_lock(&b->accounts[i].mutex);
    for (size_t i = 0; i < b->n; i++) total += b->accounts[i].balance;
    for (size_t i = 0; i < b->n; i++) pthread_mutex_unlock(&b->accounts[i].mutex);
    return total;
}

void bank_close(bank_t *b)
{
    for (size_t i = 0; i < b->n; i++) pthread_mutex_destroy(&b->accounts[i].mutex);
    free(b->accounts);
    free(b);
}
