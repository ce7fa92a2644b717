/* Hostile: spins on the CPU and never returns. */
#define _GNU_SOURCE
#include "account.h"

#include <stdlib.h>

#include <fcntl.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

/* Only the first test to get here misbehaves; the others fail at once. */
static bool first(void)
{
	int fd = open("hostile.flag", O_CREAT | O_EXCL | O_WRONLY, 0600);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

account_t *account_new(long initial)
{
	time_t end = time(NULL) + 100;
	volatile unsigned long spins = 0;

	(void)initial;
	/* a test's process: the scenarios run beside the tests, natively too */
	if (!getenv("RACECOURSE_TEST_TIMEOUT") || !first())
		return NULL;
	prctl(PR_SET_NAME, "rc-hostile");
	while (time(NULL) < end)
		spins++;
	return NULL;
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
