/* Stage 04-deadlock, written apart from the reference solution: the similarity test's independent student. */
#include "bank.h"

#include <stdlib.h>

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
	bank->n = naccounts;
	for (int i = 0; i < naccounts; i++) {
		pthread_mutex_init(&bank->accounts[i].lock, NULL);
		bank->accounts[i].balance = initial_each;
	}
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

/* Locks two distinct accounts, the one with the smaller index first. */
static void lock_pair(bank_t *bank, int a, int b)
{
	int low = a < b ? a : b, high = a < b ? b : a;

	pthread_mutex_lock(&bank->accounts[low].lock);
	pthread_mutex_lock(&bank->accounts[high].lock);
}

static void unlock_pair(bank_t *bank, int a, int b)
{
	pthread_mutex_unlock(&bank->accounts[a].lock);
	pthread_mutex_unlock(&bank->accounts[b].lock);
}

bool bank_transfer(bank_t *bank, int from, int to, long amount)
{
	struct bank_account *src, *dst;
	bool ok;

	if (!valid_id(bank, from) || !valid_id(bank, to) || amount <= 0)
		return false;
	src = &bank->accounts[from];
	dst = &bank->accounts[to];

	/* A mutex is not recursive: locking it twice would wait on ourselves. */
	if (from == to) {
		pthread_mutex_lock(&src->lock);
		ok = src->balance >= amount;
		pthread_mutex_unlock(&src->lock);
		return ok;
	}

	lock_pair(bank, from, to);
	if (src->balance < amount) {
		unlock_pair(bank, from, to);
		return false;
	}
	dst->balance = dst->balance + amount;
	src->balance = src->balance - amount;
	unlock_pair(bank, from, to);
	return true;
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
	long sum = 0;
	int i = 0;

	while (i < bank->n)
		pthread_mutex_lock(&bank->accounts[i++].lock);
	while (i > 0) {
		i--;
		sum += bank->accounts[i].balance;
		pthread_mutex_unlock(&bank->accounts[i].lock);
	}
	return sum;
}
