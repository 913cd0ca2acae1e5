/* The unsafe bank: no locks at all. Two deposits into one account at the
 * same time read the same old balance, and one of them is lost.
 * expect-kinds: data-race
 * expect-fail: deposits tsan
 */
#include <stdlib.h>

#include "bank.h"

struct bank {
    size_t count;
    long *balance;
};

bank_t *bank_open(size_t accounts, long initial_balance)
{
    if (accounts == 0 || initial_balance < 0) return NULL;
    bank_t *b = malloc(sizeof *b);
    if (!b) return NULL;
    b->balance = malloc(accounts * sizeof(long));
    if (!b->balance) {
        free(b);
        return NULL;
    }
    b->count = accounts;
    for (size_t i = 0; i < accounts; i++) b->balance[i] = initial_balance;
    return b;
}

int bank_deposit(bank_t *b, size_t account, long amount)
{
    if (account >= b->count || amount <= 0) return -1;
    b->balance[account] += amount;
    return 0;
}

int bank_withdraw(bank_t *b, size_t account, long amount)
{
    if (account >= b->count || amount <= 0) return -1;
    if (b->balance[account] < amount) return -1;
    b->balance[account] -= amount;
    return 0;
}

int bank_transfer(bank_t *b, size_t from, size_t to, long amount)
{
    if (to >= b->count) return -1;
    if (bank_withdraw(b, from, amount) != 0) return -1;
    return bank_deposit(b, to, amount);
}

long bank_balance(bank_t *b, size_t account)
{
    if (account >= b->count) return -1;
    return b->balance[account];
}

long bank_total(bank_t *b)
{
    long sum = 0;
    for (size_t i = 0; i < b->count; i++) sum += b->balance[i];
    return sum;
}

void bank_close(bank_t *b)
{
    free(b->balance);
    free(b);
}
