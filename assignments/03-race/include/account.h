/* Stage 03: a bank account that many threads may use at the same time. */
#ifndef RACECOURSE_ACCOUNT_H
#define RACECOURSE_ACCOUNT_H

#include <stdbool.h>

/*
 * An account holds a balance in whole units (think cents).  Every function
 * below except account_new() and account_free() may be called from any
 * number of threads at once, on the same account or on different ones, and
 * must behave as if the calls had happened one at a time in some order.
 */
typedef struct account account_t;

/*
 * Creates an account holding `initial` units (initial >= 0).  The caller
 * owns the account and releases it with account_free().  Returns NULL when
 * memory (or a lock) cannot be had.
 */
account_t *account_new(long initial);

/*
 * Releases an account made by account_new(); NULL is ignored.  No other
 * thread may be using the account, or use it afterwards.
 */
void account_free(account_t *acct);

/* Adds `amount` units (amount >= 0) to the balance. */
void account_deposit(account_t *acct, long amount);

/*
 * Takes `amount` units (amount >= 0) out of the balance if it holds at
 * least that much.  Returns true when the money was taken; false, with the
 * balance unchanged, when the balance is less than `amount`.  The balance
 * never goes below zero, however many threads withdraw at once.
 */
bool account_withdraw(account_t *acct, long amount);

/*
 * Returns the balance: a value it really had at some moment during the
 * call, never a half-updated one.
 */
long account_balance(account_t *acct);

#endif
