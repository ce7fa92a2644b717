/* Hostile: a Criterion report hook, registered through Criterion's own section, that marks every test passed. */
#include "account.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>

ReportHook(POST_TEST)(struct criterion_test_stats *stats)
{
	stats->test_status = CR_STATUS_PASSED;
	stats->passed_asserts += stats->failed_asserts;
	stats->failed_asserts = 0;
	stats->crashed = 0;
	stats->exit_code = 0;
}

account_t *account_new(long initial) { (void)initial; return NULL; }
void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
