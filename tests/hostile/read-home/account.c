/* Hostile: reads a secret in the grader's home directory, and scores only if it could. */
#define _GNU_SOURCE
#include "account.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* tests/hostile.sh leaves racecourse-hostile-secret in the grader's $HOME, mode 0600. */
static bool leaked(void)
{
	/* a home a student could guess (/root, /home/NAME): tests/hostile.sh writes it in */
	const char *home = "@HOME@";
	char path[4096], c;
	int fd;

	if (!home)
		return false;
	snprintf(path, sizeof(path), "%s/racecourse-hostile-secret", home);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1) {
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

struct account {
	pthread_mutex_t lock;
	long balance;
};

/* A correct account, but only for a submission that got what it was after. */
account_t *account_new(long initial)
{
	account_t *acct;

	if (!leaked())
		return NULL;
	acct = malloc(sizeof(*acct));
	if (!acct)
		return NULL;
	pthread_mutex_init(&acct->lock, NULL);
	acct->balance = initial;
	return acct;
}

void account_free(account_t *acct)
{
	if (!acct)
		return;
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
	bool ok = false;

	pthread_mutex_lock(&acct->lock);
	if (acct->balance >= amount) {
		acct->balance -= amount;
		ok = true;
	}
	pthread_mutex_unlock(&acct->lock);
	return ok;
}

long account_balance(account_t *acct)
{
	long balance;

	pthread_mutex_lock(&acct->lock);
	balance = acct->balance;
	pthread_mutex_unlock(&acct->lock);
	return balance;
}
