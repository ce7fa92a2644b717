/* Hostile: prints without end on standard output and standard error. */
#define _GNU_SOURCE
#include "account.h"

#include <stdlib.h>

#include <fcntl.h>
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
	static char line[1 << 16];
	time_t end = time(NULL) + 100;

	(void)initial;
	/* a test's process: the scenarios run beside the tests, natively too */
	if (!getenv("RACECOURSE_TEST_TIMEOUT") || !first())
		return NULL;
	prctl(PR_SET_NAME, "rc-hostile");
	memset(line, 'A', sizeof(line));
	line[sizeof(line) - 1] = '\n';
	while (time(NULL) < end) {
		if (write(1, line, sizeof(line)) < 0 || write(2, line, sizeof(line)) < 0)
			break;
	}
	return NULL;
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
