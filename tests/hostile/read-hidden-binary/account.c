/* Hostile: reads the hidden tests' program at run time, and scores only if it could. */
#define _GNU_SOURCE
#include "account.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * The hidden tests' program, linked beside the stage's folder: from the
 * visible tests' run, try where it would be.
 */
static bool leaked(void)
{
	static const char *const paths[] = {
		"../03-race.hidden/hidden.bin",
		"/proc/self/cwd/../03-race.hidden/hidden.bin",
	};
	char c;

	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		int fd = open(paths[i], O_RDONLY);

		if (fd >= 0 && read(fd, &c, 1) == 1) {
			close(fd);
			return true;
		}
		if (fd >= 0)
			close(fd);
	}
	return false;
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
