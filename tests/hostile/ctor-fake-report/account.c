/* Hostile: a constructor that forges a passing summary and a report before main. */
#define _GNU_SOURCE
#include "account.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char fake[] =
	"{\"id\": \"racecourse runner (Criterion 2.4)\", \"tests\": 7, \"test_suites\": []}\n";

__attribute__((constructor)) static void forge(void)
{
	/* The report's descriptor, as the runner gets it. */
	if (write(3, fake, strlen(fake)) < 0) {
		/* Not there: the summary below may still fool a reader. */
	}
	printf("[====] Synthesis: Tested: 7 | Passing: 7 | Failing: 0 | Crashing: 0\n");
	fflush(stdout);
	_exit(0);
}

account_t *account_new(long initial) { (void)initial; return NULL; }
void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
