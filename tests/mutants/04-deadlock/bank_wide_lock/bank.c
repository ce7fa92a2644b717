/* Stage 04-deadlock mutant bank_wide_lock: one lock for the whole bank, so no transfers run side by side. */
#include "bank.h"

#include <stdlib.h>

/* One lock for every account of every bank: no lock order to get wrong. */
static pthread_mutex_t bank_lock = PTHREAD_MUTEX_INITIALIZER;

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

bool bank_transfer(bank_t *bank, int from, int to, long amount)
{
	struct bank_account *src, *dst;
	bool ok;

	if (!valid_id(bank, from) || !valid_id(bank, to) || amount <= 0)
		return false;
	src = &bank->accounts[from];
	dst = &bank->accounts[to];

	pthread_mutex_lock(&bank_lock);
	ok = src->balance >= amount;
	if (ok && from != to) {
		src->balance -= amount;
		dst->balance += amount;
	}
	pthread_mutex_unlock(&bank_lock);
	return ok;
}

long bank_balance(bank_t *bank, int id)
{
	long balance;

	if (!valid_id(bank, id))
		return -1;
	pthread_mutex_lock(&bank_lock);
	balance = bank->accounts[id].balance;
	pthread_mutex_unlock(&bank_lock);
	return balance;
}

long bank_total(bank_t *bank)
{
	long total = 0;

	pthread_mutex_lock(&bank_lock);
	for (int i = 0; i < bank->n; i++)
		total += bank->accounts[i].balance;
	pthread_mutex_unlock(&bank_lock);
	return total;
}
