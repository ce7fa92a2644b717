/* Hostile: a FIFO where the grader looks for the stacks of a test that timed out. */
#define _GNU_SOURCE
#include "account.h"

#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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

/*
 * The runner's workers leave their stacks in diag/stacks.PID.txt (our
 * working directory is the stage's scratch directory) and the grader reads
 * every diag/stacks.* once a test timed out.  Opening a FIFO for reading
 * blocks until someone opens it for writing: no one ever will.
 */
account_t *account_new(long initial)
{
	time_t end = time(NULL) + 100;
	volatile unsigned long spins = 0;

	(void)initial;
	mkfifo("diag/stacks.0.txt", 0666);
	/* a test's process, not the scenarios' (they run beside the tests, natively too) */
	if (!getenv("RACECOURSE_TEST_TIMEOUT") || !first())
		return NULL;
	prctl(PR_SET_NAME, "rc-hostile");
	/* No stack capture (the runner's SIGALRM): the test simply times out. */
	signal(SIGALRM, SIG_IGN);
	while (time(NULL) < end)
		spins++;
	return NULL;
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
