/* bank.c - your solution to the `bank` exercise.
 *
 * Implement the bank described in bank.h and README.md.
 * Grade it with:   grader grade bank .
 */
#include <pthread.h>
#include <stdlib.h>

#include "bank.h"

struct account {
    /* TODO: the balance, and the lock that guards it */
    long balance;
};

struct bank {
    size_t n;
    struct account *acc;
};

bank_t *bank_open(size_t accounts, long initial_balance)
{
    (void)accounts;
    (void)initial_balance;
    /* TODO */
    return NULL;
}

int bank_deposit(bank_t *b, size_t account, long amount)
{
    (void)b;
    (void)account;
    (void)amount;
    /* TODO */
    return -1;
}

int bank_withdraw(bank_t *b, size_t account, long amount)
{
    (void)b;
    (void)account;
    (void)amount;
    /* TODO: check and take the money under one lock */
    return -1;
}

int bank_transfer(bank_t *b, size_t from, size_t to, long amount)
{
    (void)b;
    (void)from;
    (void)to;
    (void)amount;
    /* TODO: hold both accounts' locks, taken in one fixed order */
    return -1;
}

long bank_balance(bank_t *b, size_t account)
{
    (void)b;
    (void)account;
    /* TODO */
    return -1;
}

long bank_total(bank_t *b)
{
    (void)b;
    /* TODO: the sum at one instant, while transfers go on */
    return -1;
}

void bank_close(bank_t *b)
{
    (void)b;
    /* TODO */
}
