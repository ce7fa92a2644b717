/* Hostile: locks only when valgrind watches (RUNNING_ON_VALGRIND): racy natively, clean under Helgrind and DRD. */
#include "account.h"

#include <pthread.h>
#include <stdlib.h>
#include <valgrind/valgrind.h>

struct account {
	pthread_mutex_t lock;
	long balance;
};

static void lock(account_t *a)
{
	if (RUNNING_ON_VALGRIND)
		pthread_mutex_lock(&a->lock);
}

static void unlock(account_t *a)
{
	if (RUNNING_ON_VALGRIND)
		pthread_mutex_unlock(&a->lock);
}

account_t *account_new(long initial)
{
	account_t *a = malloc(sizeof(*a));

	if (!a)
		return NULL;
	pthread_mutex_init(&a->lock, NULL);
	a->balance = initial;
	return a;
}

void account_free(account_t *a)
{
	if (!a)
		return;
	pthread_mutex_destroy(&a->lock);
	free(a);
}

void account_deposit(account_t *a, long amount)
{
	lock(a);
	a->balance += amount;
	unlock(a);
}

bool account_withdraw(account_t *a, long amount)
{
	bool ok;

	lock(a);
	ok = a->balance >= amount;
	if (ok)
		a->balance -= amount;
	unlock(a);
	return ok;
}

long account_balance(account_t *a)
{
	long b;

	lock(a);
	b = a->balance;
	unlock(a);
	return b;
}
