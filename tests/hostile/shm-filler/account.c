/*
 * Hostile: fills /dev/shm and /tmp, which a sandbox would leave as big as
 * the machine's memory.  The one process that gets to fill them behaves
 * correctly only when it could write more than the sandbox allows there.
 */
#define _GNU_SOURCE
#include "account.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1 << 20)
#define FILE_MIB 48		/* below the per-file size limit */
#define WANT_MIB 320		/* more than a bounded tmpfs lets through */

/* MiB written below dir, up to WANT_MIB, in files of FILE_MIB; then removed. */
static long fill(const char *dir)
{
	static char chunk[CHUNK];
	long mib = 0;
	int files = 0;

	memset(chunk, 'x', sizeof(chunk));
	while (mib < WANT_MIB) {
		char path[256];
		int fd;

		snprintf(path, sizeof(path), "%s/rc-hostile-fill.%d.%d", dir, (int)getpid(), files++);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
			break;
		for (int i = 0; i < FILE_MIB && mib < WANT_MIB; i++, mib++)
			if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
				goto full;
		close(fd);
		continue;
full:
		close(fd);
		break;
	}
	/* Only the sandbox's tmpfs is ours to leave full. */
	for (int i = 0; i < files; i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/rc-hostile-fill.%d.%d", dir, (int)getpid(), i);
		unlink(path);
	}
	return mib;
}

static bool unbounded(void)
{
	static int state;	/* 0: not tried, 1: bounded, 2: unbounded */
	int fd;

	if (state)
		return state == 2;
	state = 1;
	/* One process fills, the first to claim it in the scratch folder. */
	fd = open("rc-hostile-fill-claim", O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return false;
	close(fd);
	if (fill("/dev/shm") >= WANT_MIB || fill("/tmp") >= WANT_MIB)
		state = 2;
	return state == 2;
}

struct account {
	pthread_mutex_t lock;
	long balance;
};

account_t *account_new(long initial)
{
	account_t *acct;

	if (!unbounded())
		return NULL;
	if (!(acct = malloc(sizeof(*acct))))
		return NULL;
	pthread_mutex_init(&acct->lock, NULL);
	acct->balance = initial;
	return acct;
}

void account_free(account_t *acct)
{
	if (acct)
		pthread_mutex_destroy(&acct->lock);
	free(acct);
}

void account_deposit(account_t *acct, long amount)
{
	pthread_mutex_lock(&acct->lock);
	acct->balance += amount;
	pthread_mutex_unlock(&acct->lock);
}

bool account_withdraw(account_t *acct, long amount)
{
	bool ok;

	pthread_mutex_lock(&acct->lock);
	ok = acct->balance >= amount;
	if (ok)
		acct->balance -= amount;
	pthread_mutex_unlock(&acct->lock);
	return ok;
}

long account_balance(account_t *acct)
{
	long b;

	pthread_mutex_lock(&acct->lock);
	b = acct->balance;
	pthread_mutex_unlock(&acct->lock);
	return b;
}
