/* Hostile: ignores and blocks SIGTERM, forks a child that does the same, and spins. */
#define _GNU_SOURCE
#include "account.h"

#include <stdlib.h>

#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
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
	time_t end = time(NULL) + 100;
	volatile unsigned long spins = 0;
	sigset_t term;

	(void)initial;
	/* a test's process: the scenarios run beside the tests, natively too */
	if (!getenv("RACECOURSE_TEST_TIMEOUT") || !first())
		return NULL;
	prctl(PR_SET_NAME, "rc-hostile");
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	/* A child that does the same, so the whole group must be killed. */
	fork();
	while (time(NULL) < end)
		spins++;
	return NULL;
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
