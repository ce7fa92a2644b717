/* Hostile: a correct account that leaves a daemon behind (setsid, fork twice). */
#define _GNU_SOURCE
#include "account.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct account {
	pthread_mutex_t lock;
	long balance;
};

/* A daemon in a session of its own, out of its parent's process group. */
static void leave_daemon(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		time_t end = time(NULL) + 100;

		setsid();
		if (fork() != 0)
			_exit(0);
		prctl(PR_SET_NAME, "rc-hostile");
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		if (chdir("/")) {
			/* It stays where it was. */
		}
		for (int fd = 0; fd < 64; fd++)
			close(fd);
		while (time(NULL) < end)
			sleep(1);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

account_t *account_new(long initial)
{
	static bool left;
	account_t *acct;

	if (!left) {
		left = true;
		leave_daemon();
	}
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
