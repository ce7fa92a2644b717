/* Hostile: replaces a Criterion function, to take over the report. */
#define _GNU_SOURCE
#include "account.h"

#include <stddef.h>

struct criterion_global_stats;

/* The runner registers its report writer through this: swallow it. */
int criterion_register_output_provider(const char *name,
				       void (*fn)(void *, struct criterion_global_stats *))
{
	(void)name;
	(void)fn;
	return 0;
}

account_t *account_new(long initial) { (void)initial; return NULL; }
void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
