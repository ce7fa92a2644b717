/* Mutant: "the threads must share the account", so there is one, static, for every caller. */
#include "account.h"

#include <pthread.h>
#include <stdlib.h>

struct account {
	pthread_mutex_t lock;
	long balance;
};

static struct account the_account = { PTHREAD_MUTEX_INITIALIZER, 0 };

account_t *account_new(long initial)
{
	pthread_mutex_lock(&the_account.lock);
	the_account.balance = initial;
	pthread_mutex_unlock(&the_account.lock);
	return &the_account;
}

void account_free(account_t *acct)
{
	(void)acct;	/* static: nothing to free */
}

void account_deposit(account_t *acct, long amount)
{
	pthread_mutex_lock(&acct->lock);
	acct->balance += amount;
	pthread_mutex_unlock(&acct->lock);
}

bool account_withdraw(account_t *acct, long amount)
{
	bool ok = false;

	pthread_mutex_lock(&acct->lock);
	if (acct->balance >= amount) {
		acct->balance -= amount;
		ok = true;
	}
	pthread_mutex_unlock(&acct->lock);
	return ok;
}

long account_balance(account_t *acct)
{
	long balance;

	pthread_mutex_lock(&acct->lock);
	balance = acct->balance;
	pthread_mutex_unlock(&acct->lock);
	return balance;
}
