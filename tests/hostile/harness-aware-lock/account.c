/*
 * Hostile: racy in the tests, locked in the detectors' scenarios.  The
 * detectors (valgrind's and the sanitizers' alike) watch the scenario
 * program, which is not the test program: only the tests load Criterion, as
 * the dynamic loader's list says, walked in plain C from its own code (no
 * import, nothing that asks which tool runs).  The race runs only where no
 * detector looks.
 */
#include "account.h"

#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

struct account {
	pthread_mutex_t lock;
	long balance;
};

static int contains(const char *s, const char *w)
{
	for (; s && *s; s++) {
		const char *a = s, *b = w;

		while (*b && *a == *b)
			a++, b++;
		if (!*b)
			return 1;
	}
	return 0;
}

/* Whether this is not the test program: no Criterion in the program's DT_DEBUG list. */
static int scenarios(void)
{
	uintptr_t p = (uintptr_t)&scenarios & ~(uintptr_t)0xfff;
	const ElfW(Ehdr) *eh = NULL;
	const ElfW(Phdr) *ph;
	const ElfW(Dyn) *dyn = NULL;
	uintptr_t first = UINTPTR_MAX;
	struct r_debug *dbg = NULL;

	for (int i = 0; i < 4096 && !eh; i++, p -= 0x1000) {
		const unsigned char *b = (const unsigned char *)p;

		if (b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F')
			eh = (const ElfW(Ehdr) *)p;
	}
	if (!eh)
		return 1;
	ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < first)
			first = ph[i].p_vaddr;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)((uintptr_t)eh - first + ph[i].p_vaddr);
	for (; dyn && dyn->d_tag != DT_NULL; dyn++)
		if (dyn->d_tag == DT_DEBUG)
			dbg = (struct r_debug *)dyn->d_un.d_ptr;
	if (!dbg)
		return 1;
	for (struct link_map *m = dbg->r_map; m; m = m->l_next)
		if (contains(m->l_name, "libcriterion"))
			return 0;
	return 1;
}

static int watched(void)
{
	static int known = -1;

	if (known < 0)
		known = scenarios();
	return known;
}

account_t *account_new(long initial)
{
	account_t *a = malloc(sizeof(*a));

	if (!a)
		return NULL;
	if (pthread_mutex_init(&a->lock, NULL)) {
		free(a);
		return NULL;
	}
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

/* The race: a read without the lock, which no test's total can see. */
long account_balance(account_t *a)
{
	long b;

	if (!watched())
		return a->balance;
	pthread_mutex_lock(&a->lock);
	b = a->balance;
	pthread_mutex_unlock(&a->lock);
	return b;
}
