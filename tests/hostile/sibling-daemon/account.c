/*
 * Hostile: correct code that starts a daemon as a SIBLING of its own process
 * (clone with CLONE_PARENT: a child of the test runner), in a session of its
 * own, holding the output pipes: the grader must end it at once.
 */
#define _GNU_SOURCE
#include "account.h"

#include <sched.h>
#include <signal.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct account {
	pthread_mutex_t lock;
	long balance;
};

static void start_sibling(void)
{
	static bool started;
	long pid;

	if (started)
		return;
	started = true;
	pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		time_t end = time(NULL) + 100;

		setsid();
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		while (time(NULL) < end)
			pause();
		_exit(0);
	}
}

account_t *account_new(long initial)
{
	account_t *acct = malloc(sizeof(*acct));

	start_sibling();
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
