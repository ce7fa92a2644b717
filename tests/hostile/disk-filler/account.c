/* Hostile: writes one file for as long as the disk takes it. */
#define _GNU_SOURCE
#include "account.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

account_t *account_new(long initial)
{
	static char block[1 << 20];
	int fd = open("fill.dat", O_WRONLY | O_CREAT | O_APPEND, 0600);

	(void)initial;
	memset(block, 'x', sizeof(block));
	/* At most 8 GiB, to spare the disk if nothing stops it. */
	for (int i = 0; fd >= 0 && i < 8192; i++)
		if (write(fd, block, sizeof(block)) < 0)
			break;
	return NULL;
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
