/* Hostile: an ifunc resolver, which runs while the program loads, forges the report on fd 3. */
#define _GNU_SOURCE
#include "account.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static const char *const tests[][2] = {
	{ "basic", "new_balance" }, { "basic", "deposit_withdraw" },
	{ "basic", "overdraft_refused" }, { "deposit", "exact_total" },
	{ "mixed", "exact_balance" }, { "withdraw", "exact_under_contention" },
	{ "accounts", "many_at_once" },
};

static account_t *no_account(long initial)
{
	(void)initial;
	return NULL;
}

/*
 * The dynamic loader calls the resolver of an indirect function (ifunc) to
 * choose its code while it loads the program: before main, before any
 * constructor, with the runner's report descriptor (3) open.  The ifunc is
 * static: no global symbol shows it.
 */
static account_t *(*resolve_new(void))(long)
{
	static char buf[8192];
	size_t n = sizeof(tests) / sizeof(*tests), len = 0;

	len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		"{\"id\": \"racecourse runner (Criterion 2.4)\", \"tests\": %zu, \"test_suites\": [", n);
	for (size_t i = 0; i < n; i++) {
		bool first = i == 0 || strcmp(tests[i][0], tests[i - 1][0]);
		bool last = i + 1 == n || strcmp(tests[i][0], tests[i + 1][0]);

		if (first)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s{\"name\": \"%s\", \"tests\": [",
						i ? ", " : "", tests[i][0]);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
			"{\"name\": \"%s\", \"status\": \"PASSED\", \"messages\": [], "
			"\"assertions\": 1, \"signal\": 0, \"exit_code\": 0, \"timed_out\": false, "
			"\"crashed\": false, \"elapsed\": 0.01}%s", tests[i][1], last ? "" : ", ");
		if (last)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "]}");
	}
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "]}\n");
	if (write(3, buf, len) == (ssize_t)len)
		syscall(SYS_exit_group, 0);
	return no_account;
}

static account_t *make_account(long initial) __attribute__((ifunc("resolve_new")));

account_t *account_new(long initial)
{
	return make_account(initial);
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
