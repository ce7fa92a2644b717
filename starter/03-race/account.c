/* A bank account: correct for one thread, racy for several (your job: fix it). */
#include "account.h"

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
	acct->balance += amount;
}

bool account_withdraw(account_t *acct, long amount)
{
	if (acct->balance < amount)
		return false;
	acct->balance -= amount;
	return true;
}

long account_balance(account_t *acct)
{
	return acct->balance;
}
