/* Hostile: replaces write(), to swallow or forge whatever the runner writes. */
#define _GNU_SOURCE
#include "account.h"

#include <stddef.h>
#include <sys/types.h>

ssize_t write(int fd, const void *buf, size_t n)
{
	(void)fd;
	(void)buf;
	return (ssize_t)n;
}

account_t *account_new(long initial) { (void)initial; return NULL; }
void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
