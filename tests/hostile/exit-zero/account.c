/* Hostile: ends the test's process with status 0 before any assertion can fail. */
#include "account.h"

#include <stdlib.h>

account_t *account_new(long initial)
{
	(void)initial;
	exit(0);
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
