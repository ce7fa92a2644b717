/* Hostile: prints a fake passing summary, then closes and redirects stdio. */
#define _GNU_SOURCE
#include "account.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

account_t *account_new(long initial)
{
	int fd;

	(void)initial;
	printf("[====] Synthesis: Tested: 7 | Passing: 7 | Failing: 0 | Crashing: 0\n");
	fflush(stdout);
	close(0);
	close(1);
	close(2);
	/* stdout and stderr now go to a file of ours, and then nowhere. */
	fd = open("stolen-output.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	fd = open("/dev/null", O_WRONLY);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	return NULL;
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
