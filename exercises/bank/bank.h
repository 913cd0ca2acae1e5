/* bank.h - the `bank` exercise: a safe bank with recursive locks (RLock).
 * Do not change this file; implement these functions in bank.c.
 *
 * Accounts are numbered 0 .. accounts-1. Every amount must be > 0 (else -1,
 * nothing changed); an account number out of range gives -1. Each account
 * has its own lock. */
#ifndef BANK_H
#define BANK_H

#include <stddef.h>

typedef struct bank bank_t;
bank_t *bank_open(size_t accounts, long initial_balance);  /* NULL if accounts == 0 or initial < 0 */
int  bank_deposit(bank_t *b, size_t account, long amount);  /* amount > 0; 0 or -1 */
int  bank_withdraw(bank_t *b, size_t account, long amount); /* -1, nothing changed, if funds are short */
int  bank_transfer(bank_t *b, size_t from, size_t to, long amount); /* all or nothing; -1 if short */
long bank_balance(bank_t *b, size_t account);               /* -1 for a bad account */
long bank_total(bank_t *b);     /* the sum of all balances at one instant, even during transfers */
void bank_close(bank_t *b);

#endif
