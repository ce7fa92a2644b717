/*
 * Hostile: a correct account whose first call in each process starts 100
 * processes that all live at once, far fewer than the 512 processes
 * RLIMIT_NPROC allows its user, and works only if that succeeded.  The
 * rlimit counts per user: where gradings share one (an ordinary user's
 * bubblewrap, a batch), one grading may take what the others need to fork.
 * Only a cap per grading says no.  Graded with a cap of 64 (env), for
 * speed; the default is 256.
 */
#define _GNU_SOURCE
#include "account.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define KIDS 100

struct account {
	pthread_mutex_t lock;
	long balance;
};

/* Could KIDS processes live at once?  Each waits for the pipe to close. */
static bool spawn_them_all(void)
{
	int hold[2], status;
	bool ok = true;

	if (pipe(hold))
		return false;
	for (int i = 0; i < KIDS && ok; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			char c;

			close(hold[1]);
			_exit(read(hold[0], &c, 1) < 0);
		}
		ok = pid > 0;
	}
	close(hold[1]);
	close(hold[0]);
	while (wait(&status) > 0)
		;
	return ok;
}

account_t *account_new(long initial)
{
	static int had = -1;
	account_t *acct;

	if (had < 0)
		had = spawn_them_all();
	if (!had || !(acct = malloc(sizeof(*acct))))
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
