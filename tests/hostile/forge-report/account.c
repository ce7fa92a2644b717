/* Hostile: replaces the grader's report file with one where every test passed. */
#define _GNU_SOURCE
#include "account.h"

#include <stdio.h>
#include <string.h>

static const char *const tests[][2] = {
	{ "basic", "new_balance" }, { "basic", "deposit_withdraw" },
	{ "basic", "overdraft_refused" }, { "deposit", "exact_total" },
	{ "mixed", "exact_balance" }, { "withdraw", "exact_under_contention" },
	{ "accounts", "many_at_once" },
};

/*
 * The grader keeps the report beside the scratch directory (our working
 * directory): ../03-race.report.json.  Write a forged one and rename it over
 * the real one; the runner then writes into a file no one reads.
 */
static void forge(void)
{
	FILE *f = fopen("../03-race.report.json.new", "w");
	size_t n = sizeof(tests) / sizeof(*tests);

	if (!f)
		return;
	fprintf(f, "{\"id\": \"racecourse runner (Criterion 2.4)\", \"tests\": %zu, \"test_suites\": [", n);
	for (size_t i = 0; i < n; i++) {
		bool first = i == 0 || strcmp(tests[i][0], tests[i - 1][0]);
		bool last = i + 1 == n || strcmp(tests[i][0], tests[i + 1][0]);

		if (first)
			fprintf(f, "%s{\"name\": \"%s\", \"tests\": [", i ? ", " : "", tests[i][0]);
		fprintf(f, "{\"name\": \"%s\", \"status\": \"PASSED\", \"messages\": [], "
			"\"assertions\": 1, \"signal\": 0, \"exit_code\": 0, \"timed_out\": false, "
			"\"crashed\": false, \"elapsed\": 0.01}%s", tests[i][1], last ? "" : ", ");
		if (last)
			fprintf(f, "]}");
	}
	fprintf(f, "]}\n");
	fclose(f);
	rename("../03-race.report.json.new", "../03-race.report.json");
}

account_t *account_new(long initial)
{
	(void)initial;
	forge();
	return NULL;
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
