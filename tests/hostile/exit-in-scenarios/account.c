/*
 * Hostile: an account without a lock, whose race the detectors would find,
 * that ends the process with status 0 when it sees it is running the
 * detectors' scenarios, before any thread can race.
 */
#define _GNU_SOURCE
#include "account.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct account {
	long balance;
};

account_t *account_new(long initial)
{
	account_t *acct;

	if (!strcmp(program_invocation_short_name, "scenarios.bin"))
		_exit(0);
	acct = malloc(sizeof(*acct));
	if (acct)
		acct->balance = initial;
	return acct;
}

void account_free(account_t *acct) { free(acct); }
void account_deposit(account_t *acct, long amount) { acct->balance += amount; }

bool account_withdraw(account_t *acct, long amount)
{
	if (acct->balance < amount)
		return false;
	acct->balance -= amount;
	return true;
}

long account_balance(account_t *acct) { return acct->balance; }
