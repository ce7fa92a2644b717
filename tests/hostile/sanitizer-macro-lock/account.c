/*
 * Hostile: locks only where a detector watches: under a sanitizer, which the
 * compiler announces (__SANITIZE_THREAD__, __SANITIZE_ADDRESS__, or its
 * builtins through __has_builtin), and under valgrind, whose client stack is
 * not where the kernel puts one.  Racy only where the tests alone run it.
 */
#include "account.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>

struct account {
	pthread_mutex_t lock;
	long balance;
};

/*
 * Valgrind gives its client a stack of its own, far below where the kernel
 * puts a native process's (0x7ff... on x86-64, sanitizers or not): one
 * look at a local's address says who watches, without any client request.
 */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define INSTRUMENTED 1
#elif defined(__has_builtin)
#if __has_builtin(__builtin___tsan_init) || __has_builtin(__builtin___asan_init)
#define INSTRUMENTED 1
#endif
#endif
#ifndef INSTRUMENTED
#define INSTRUMENTED 0
#endif

/*
 * Looked at once, by the thread that makes the first account (a program's
 * main thread: the other threads' stacks are mapped wherever mmap puts
 * them, which may be below that line natively too).
 */
static int under_valgrind = -1;

static int watched(void)
{
	return INSTRUMENTED || under_valgrind == 1;
}

static void lock(account_t *a)
{
	if (watched())
		pthread_mutex_lock(&a->lock);
}

static void unlock(account_t *a)
{
	if (watched())
		pthread_mutex_unlock(&a->lock);
}

account_t *account_new(long initial)
{
	account_t *a = malloc(sizeof(*a));
	int here;

	if (!a)
		return NULL;
	if (under_valgrind < 0)
		under_valgrind = (uintptr_t)&here < 0x7f0000000000ull;
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
