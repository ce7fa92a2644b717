/* Hostile: writes files outside its scratch directory. */
#define _GNU_SOURCE
#include "account.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The canary's name: tests/hostile.sh makes one per run, so that runs never mix. */
static void drop(const char *dir)
{
	const char *name = "@CANARY@";	/* tests/hostile.sh writes it in */
	char path[4096];
	int fd;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name ? name : "racecourse-hostile-canary");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd >= 0) {
		if (write(fd, "hostile\n", 8) < 0) {
			/* An empty canary is still a canary. */
		}
		close(fd);
	}
}

/*
 * tests/hostile.sh writes in @KIT@ (the kit) and @SUB@ (this submission)
 * and checks afterwards that no canary exists in any of these places.
 */
account_t *account_new(long initial)
{
	(void)initial;
	drop("/tmp");
	drop("/var/tmp");
	drop("/dev/shm");
	drop("@HOME@");
	drop("@KIT@");
	drop("@KIT@/starter/03-race");
	drop("@SUB@");
	return NULL;
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
