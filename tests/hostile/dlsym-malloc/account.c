/* Hostile: allocates through dlsym(RTLD_NEXT, "malloc"), past the tests' --wrap=malloc (their leak and failure checks). */
#define _GNU_SOURCE
#include "account.h"

#include <dlfcn.h>
#include <pthread.h>

struct account {
	pthread_mutex_t lock;
	long balance;
};

static void *raw_malloc(size_t n)
{
	void *(*real)(size_t) = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");

	return real ? real(n) : NULL;
}

account_t *account_new(long initial)
{
	account_t *a = raw_malloc(sizeof(*a));

	if (!a)
		return NULL;
	pthread_mutex_init(&a->lock, NULL);
	a->balance = initial;
	return a;
}

void account_free(account_t *a)
{
	(void)a;	/* never freed: the wrapped free() would not know it */
}

void account_deposit(account_t *a, long amount)
{
	pthread_mutex_lock(&a->lock);
	a->balance += amount;
	pthread_mutex_unlock(&a->lock);
}

bool account_withdraw(account_t *a, long amount)
{
	bool ok;

	pthread_mutex_lock(&a->lock);
	ok = a->balance >= amount;
	if (ok)
		a->balance -= amount;
	pthread_mutex_unlock(&a->lock);
	return ok;
}

long account_balance(account_t *a)
{
	long b;

	pthread_mutex_lock(&a->lock);
	b = a->balance;
	pthread_mutex_unlock(&a->lock);
	return b;
}
