/* Hostile: correct code that leaves a folder it may not enter (mode 000) in its scratch folder. */
#define _GNU_SOURCE
#include "account.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct account {
	pthread_mutex_t lock;
	long balance;
};

/* locked/inner/file, then locked made unreadable, unwritable, unsearchable. */
static void lock_away(void)
{
	int fd;

	if (mkdir("locked", 0700) && access("locked", F_OK))
		return;
	mkdir("locked/inner", 0700);
	if ((fd = open("locked/inner/file", O_WRONLY | O_CREAT, 0600)) >= 0)
		close(fd);
	chmod("locked/inner", 0);
	chmod("locked", 0);
}

account_t *account_new(long initial)
{
	account_t *acct = malloc(sizeof(*acct));

	lock_away();
	if (!acct)
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
