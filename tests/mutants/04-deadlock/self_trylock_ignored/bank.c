/* Stage 04-deadlock, reference solution: per-account locks taken in one global order. */
#include "bank.h"

#include <stdlib.h>

/*
 * The one rule that makes this file deadlock-free: whenever a thread holds
 * more than one account lock, it took them in increasing account number.
 * A deadlock is a circle of threads, each waiting for a lock the next one
 * holds; going round that circle the numbers would have to go up forever,
 * so with one order there is no circle.
 */

bank_t *bank_new(int naccounts, long initial_each)
{
	bank_t *bank;

	if (naccounts < 1 || initial_each < 0)
		return NULL;
	bank = malloc(sizeof(*bank));
	if (!bank)
		return NULL;
	bank->accounts = calloc(naccounts, sizeof(*bank->accounts));
	if (!bank->accounts) {
		free(bank);
		return NULL;
	}
	for (int i = 0; i < naccounts; i++) {
		/* Can fail (EAGAIN, ENOMEM): then undo the ones made, as if none were. */
		if (pthread_mutex_init(&bank->accounts[i].lock, NULL)) {
			while (i-- > 0)
				pthread_mutex_destroy(&bank->accounts[i].lock);
			free(bank->accounts);
			free(bank);
			return NULL;
		}
		bank->accounts[i].balance = initial_each;
	}
	bank->n = naccounts;
	return bank;
}

void bank_free(bank_t *bank)
{
	if (!bank)
		return;
	for (int i = 0; i < bank->n; i++)
		pthread_mutex_destroy(&bank->accounts[i].lock);
	free(bank->accounts);
	free(bank);
}

static bool valid_id(const bank_t *bank, int id)
{
	return id >= 0 && id < bank->n;
}

bool bank_transfer(bank_t *bank, int from, int to, long amount)
{
	struct bank_account *src, *dst, *first, *second;
	bool ok;

	if (!valid_id(bank, from) || !valid_id(bank, to) || amount <= 0)
		return false;
	src = &bank->accounts[from];
	dst = &bank->accounts[to];

	/* A mutex is not recursive: locking it twice would wait on ourselves. */
	if (from == to) {
		pthread_mutex_trylock(&src->lock);
		ok = src->balance >= amount;
		pthread_mutex_unlock(&src->lock);
		return ok;
	}

	/*
	 * Lower account number first, whichever way the money goes.  Taking
	 * 'from' then 'to' is not an order: a transfer 1->0 would take them
	 * the other way round from a transfer 0->1.
	 */
	first = from < to ? src : dst;
	second = from < to ? dst : src;
	pthread_mutex_lock(&first->lock);
	pthread_mutex_lock(&second->lock);

	/* Check and move under the same locks, so nobody spends the money in between. */
	ok = src->balance >= amount;
	if (ok) {
		src->balance -= amount;
		dst->balance += amount;
	}

	pthread_mutex_unlock(&second->lock);
	pthread_mutex_unlock(&first->lock);
	return ok;
}

long bank_balance(bank_t *bank, int id)
{
	struct bank_account *a;
	long balance;

	if (!valid_id(bank, id))
		return -1;
	a = &bank->accounts[id];
	pthread_mutex_lock(&a->lock);
	balance = a->balance;
	pthread_mutex_unlock(&a->lock);
	return balance;
}

long bank_total(bank_t *bank)
{
	long total = 0;

	/*
	 * Hold every lock at once, or a transfer could move money from an
	 * account not yet counted to one already counted.  Take them in the
	 * same increasing order as bank_transfer() does.
	 */
	for (int i = 0; i < bank->n; i++)
		pthread_mutex_lock(&bank->accounts[i].lock);
	for (int i = 0; i < bank->n; i++)
		total += bank->accounts[i].balance;
	for (int i = bank->n - 1; i >= 0; i--)
		pthread_mutex_unlock(&bank->accounts[i].lock);
	return total;
}
