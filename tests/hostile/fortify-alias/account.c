/* A correct account that also calls the C library through its fortified names, past a "__*_chk" allowlist. */
#include "account.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/types.h>

/*
 * What <stdio.h> and <unistd.h> call with _FORTIFY_SOURCE: dprintf, which
 * writes to any descriptor (the test runner's socket to its workers
 * included), getcwd and readlink, which read the file system.  None is
 * allowed under its plain name.
 */
int __dprintf_chk(int fd, int flag, const char *format, ...);
char *__getcwd_chk(char *buf, size_t size, size_t buflen);
ssize_t __readlink_chk(const char *path, char *buf, size_t len, size_t buflen);

static void look_around(void)
{
	char where[512], exe[512];
	ssize_t n;

	if (!__getcwd_chk(where, sizeof(where), sizeof(where)))
		where[0] = '\0';
	n = __readlink_chk("/proc/self/exe", exe, sizeof(exe) - 1, sizeof(exe));
	exe[n > 0 ? n : 0] = '\0';
	__dprintf_chk(1, 1, "cwd %s, program %s\n", where, exe);
}

/*
 * The lock guards `balance`: every read and every write of it happens with
 * `lock` held.  Each account has its own lock, so threads working on
 * different accounts never wait for each other.
 */
struct account {
	pthread_mutex_t lock;
	long balance;
};

account_t *account_new(long initial)
{
	account_t *acct = malloc(sizeof(*acct));

	look_around();

	if (!acct)
		return NULL;
	if (pthread_mutex_init(&acct->lock, NULL)) {
		free(acct);
		return NULL;
	}
	/* No other thread can see the account yet: no lock needed here. */
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

	/*
	 * The check and the act form one critical section.  Unlocking between
	 * them would let another thread take the money after we looked and
	 * before we took it, and the balance would go below zero.
	 */
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

	/*
	 * Even a read takes the lock: without it we could read while another
	 * thread writes, which is a data race (and the detectors say so).
	 */
	pthread_mutex_lock(&acct->lock);
	balance = acct->balance;
	pthread_mutex_unlock(&acct->lock);
	return balance;
}
