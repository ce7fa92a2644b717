/* Hostile: replaces exit(), to turn a failing run into a passing one. */
#define _GNU_SOURCE
#include "account.h"

#include <stddef.h>
#include <unistd.h>

void exit(int status)
{
	(void)status;
	_exit(0);
}

account_t *account_new(long initial) { (void)initial; return NULL; }
void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
