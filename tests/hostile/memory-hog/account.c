/* Hostile: takes all the memory it can get, touches it, and keeps it. */
#define _GNU_SOURCE
#include "account.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

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
	size_t chunk = 64 << 20, total = 0;
	time_t end = time(NULL) + 100;
	char *p;

	(void)initial;
	/* a test's process: the scenarios run beside the tests, natively too */
	if (!getenv("RACECOURSE_TEST_TIMEOUT") || !first())
		return NULL;
	prctl(PR_SET_NAME, "rc-hostile");
	/* Stop at 8 GiB at most, whatever the limit, to spare the machine. */
	while (total < (8UL << 30) && (p = malloc(chunk))) {
		memset(p, 1, chunk);
		total += chunk;
	}
	/* Then hold it: the time limit must end this. */
	while (time(NULL) < end)
		sleep(1);
	return NULL;
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
