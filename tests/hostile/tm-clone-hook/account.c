/*
 * Hostile: code before main without a constructor section.  crtbegin's
 * register_tm_clones calls _ITM_registerTMCloneTable when that (weak)
 * name is defined and the TM clone table is not empty: both given here.
 */
#include "account.h"

#include <stddef.h>

static void early(void *table, size_t n)
{
	(void)table;
	(void)n;
}

/* a global object named like the hook, pointing at code */
void (*const _ITM_registerTMCloneTable)(void *, size_t) = early;
__attribute__((section(".tm_clone_table"), used)) static void *const clones[2] = { (void *)early, (void *)early };

account_t *account_new(long initial) { (void)initial; return NULL; }
void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
