/* Hostile: replaces the test's process with /bin/true, which exits 0. */
#include "account.h"

#include <unistd.h>

account_t *account_new(long initial)
{
	(void)initial;
	execl("/bin/true", "true", (char *)NULL);
	return NULL;
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
