/* Stage 04-deadlock: a bank whose accounts each have their own lock. */
#ifndef RACECOURSE_BANK_H
#define RACECOURSE_BANK_H

#include <pthread.h>
#include <stdbool.h>

/*
 * One account.  'lock' guards 'balance': nobody reads or writes 'balance'
 * without holding 'lock'.  The structure is public so that the tests can
 * hold an account's lock themselves; your code should go through the
 * functions below like everyone else.
 */
struct bank_account {
	pthread_mutex_t lock;
	long balance;		/* never negative */
};

/*
 * A bank of 'n' accounts numbered 0 to n-1.  There is no bank-wide lock:
 * each account is locked on its own, so that transfers between different
 * accounts run at the same time.
 */
typedef struct bank {
	int n;
	struct bank_account *accounts;	/* array of n accounts */
} bank_t;

/*
 * Creates a bank of 'naccounts' accounts holding 'initial_each' each.
 * Returns NULL if naccounts < 1, initial_each < 0 or memory runs out.
 * Free it with bank_free().
 */
bank_t *bank_new(int naccounts, long initial_each);

/* Frees the bank (NULL is fine).  No other thread may be using it. */
void bank_free(bank_t *bank);

/*
 * Moves 'amount' from account 'from' to account 'to' as one step: no other
 * thread sees the money taken from 'from' and not yet given to 'to'.
 * Returns true if the money moved.  Returns false, and changes nothing, if
 * an id is out of range, amount <= 0, or 'from' holds less than 'amount'.
 * from == to moves nothing and returns whether 'from' holds at least
 * 'amount'.  Safe to call from many threads at once, in any direction,
 * without deadlock.
 */
bool bank_transfer(bank_t *bank, int from, int to, long amount);

/* Returns the balance of account 'id', or -1 if 'id' is out of range. */
long bank_balance(bank_t *bank, int id);

/*
 * Returns the sum of all balances as one snapshot: the total at one instant,
 * with no transfer counted half-done.  While transfers run, it is always
 * the total the bank started with.
 */
long bank_total(bank_t *bank);

#endif
