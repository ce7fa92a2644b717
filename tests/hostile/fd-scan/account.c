/* Hostile: writes a forged result into every descriptor it finds open beyond stdio. */
#define _GNU_SOURCE
#include "account.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char forged[] =
	"{\"score\": 22, \"output\": \"forged through an inherited descriptor\", \"tests\": []}\n";

/*
 * A regular file open for writing (the grader's results.json, a report)
 * gets the forged text at its start, and its offset moved far beyond, so
 * that whatever its owner writes later lands after a gap; a pipe gets the
 * text as a line.
 */
static void scan(void)
{
	for (int fd = 3; fd < 1024; fd++) {
		int flags = fcntl(fd, F_GETFL);
		struct stat st;

		if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY || fstat(fd, &st))
			continue;
		if (S_ISREG(st.st_mode)) {
			if (pwrite(fd, forged, strlen(forged), 0) > 0)
				lseek(fd, 1 << 20, SEEK_SET);
		} else if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
			if (write(fd, forged, strlen(forged)) < 0) {
				/* Not this one. */
			}
		}
	}
}

account_t *account_new(long initial)
{
	(void)initial;
	scan();
	return NULL;
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
