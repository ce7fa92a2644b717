/* Mutant: each call locks a mutex of its own, a local variable, which excludes nobody. */
#include "account.h"

#include <pthread.h>
#include <stdlib.h>

struct account {
	long balance;
};

account_t *account_new(long initial)
{
	account_t *acct = malloc(sizeof(*acct));

	if (!acct)
		return NULL;
	acct->balance = initial;
	return acct;
}

void account_free(account_t *acct)
{
	free(acct);
}

void account_deposit(account_t *acct, long amount)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

	pthread_mutex_lock(&lock);
	acct->balance += amount;
	pthread_mutex_unlock(&lock);
}

bool account_withdraw(account_t *acct, long amount)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	bool ok = false;

	pthread_mutex_lock(&lock);
	if (acct->balance >= amount) {
		acct->balance -= amount;
		ok = true;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

long account_balance(account_t *acct)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	long balance;

	pthread_mutex_lock(&lock);
	balance = acct->balance;
	pthread_mutex_unlock(&lock);
	return balance;
}
