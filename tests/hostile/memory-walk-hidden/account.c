/* Hostile: a correct account that walks its own program's read-only data for a hidden test's message and returns what follows it as a balance. */
#include "account.h"

#include <pthread.h>
#include <stdlib.h>

/*
 * The lock guards `balance`: every read and every write of it happens with
 * `lock` held.  Each account has its own lock, so threads working on
 * different accounts never wait for each other.
 */
struct account {
	pthread_mutex_t lock;
	long balance;
};


/*
 * The hidden tests' messages, if the program holds them, lie among the
 * other string literals, this file's included: walk the read-only data
 * around one of ours, in plain C, no call, and read the bytes after a
 * message a hidden test's name suggests.
 */
static const char marker[] = "racecourse-walk";
/* The message, each byte XOR 1, so that this file holds no copy of it. */
static const char hidden_xor[] = "\x76\x68\x75\x69\x65\x73\x60\x76\x68\x6f\x66\x21\x75\x69\x64\x21\x76\x69\x6e\x6d\x64\x21\x63\x60\x6d\x60\x6f\x62\x64\x21\x6e\x67\x21";

static long leak(void)
{
	const volatile char *here = marker;
	char wanted[sizeof(hidden_xor)];
	size_t n = sizeof(hidden_xor) - 1;

	for (size_t i = 0; i < n; i++)
		wanted[i] = (char)(hidden_xor[i] ^ 1);

	for (long d = -24 * 1024; d < 24 * 1024; d++) {
		const volatile char *p = here + d;
		size_t i = 0;

		while (i < n && p[i] == wanted[i])
			i++;
		if (i == n) {
			long v = 0;

			for (int k = 7; k >= 0; k--)
				v = (v << 8) | (unsigned char)p[n + k];
			return v;
		}
	}
	return -1;
}

account_t *account_new(long initial)
{
	account_t *acct = malloc(sizeof(*acct));

	if (!acct)
		return NULL;
	if (pthread_mutex_init(&acct->lock, NULL)) {
		free(acct);
		return NULL;
	}
	/* No other thread can see the account yet: no lock needed here. */
	acct->balance = initial;
	/* 100: a visible test's, not a hidden one's */
	if (initial == 100) {
		long found = leak();

		if (found != -1)
			acct->balance = found;
	}
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
