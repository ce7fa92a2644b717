/*
 * Hostile: a racy account (no lock at all) that configures the detector
 * that judges it.  Valgrind reads options from ./.valgrindrc and
 * ~/.valgrindrc; the tests run before the detectors, in the same folder.
 * Plain C with no import but malloc: finds the C library's open and write
 * through the dynamic loader's list of libraries, and writes there a
 * .valgrindrc that loads a suppression file matching every race.
 */
#include "account.h"

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct account {
	long balance;
};

static int has(const char *s, const char *w)
{
	return s && strstr(s, w) != NULL;
}

/* The program's ELF header: the first page below this code that starts like one. */
static const ElfW(Ehdr) *program_header(void)
{
	uintptr_t p = (uintptr_t)&program_header & ~(uintptr_t)0xfff;

	for (int i = 0; i < 8192; i++, p -= 0x1000)
		if (!memcmp((const void *)p, ELFMAG, SELFMAG))
			return (const ElfW(Ehdr) *)p;
	return NULL;
}

/* NAME in the loaded library whose path holds LIB, through DT_DEBUG's list. */
static void *lookup(const char *lib, const char *name)
{
	const ElfW(Ehdr) *eh = program_header();
	const ElfW(Phdr) *ph;
	const ElfW(Dyn) *dyn = NULL;
	struct r_debug *dbg = NULL;
	uintptr_t low = UINTPTR_MAX;

	if (!eh)
		return NULL;
	ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < low)
			low = ph[i].p_vaddr;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)((uintptr_t)eh - low + ph[i].p_vaddr);
	for (; dyn && dyn->d_tag != DT_NULL; dyn++)
		if (dyn->d_tag == DT_DEBUG)
			dbg = (struct r_debug *)dyn->d_un.d_ptr;
	for (struct link_map *m = dbg ? dbg->r_map : NULL; m; m = m->l_next) {
		const ElfW(Sym) *sym = NULL;
		const char *str = NULL;

		if (!has(m->l_name, lib))
			continue;
		for (const ElfW(Dyn) *d = m->l_ld; d->d_tag != DT_NULL; d++) {
			uintptr_t v = d->d_un.d_ptr;

			if (d->d_tag == DT_SYMTAB)
				sym = (const ElfW(Sym) *)(v < m->l_addr ? v + m->l_addr : v);
			if (d->d_tag == DT_STRTAB)
				str = (const char *)(v < m->l_addr ? v + m->l_addr : v);
		}
		for (; sym && (const char *)sym < str; sym++)
			if (sym->st_value && !strcmp(str + sym->st_name, name))
				return (void *)(m->l_addr + sym->st_value);
	}
	return NULL;
}

static void put(const char *path, const char *text)
{
	int (*open_)(const char *, int, ...) = (int (*)(const char *, int, ...))lookup("libc", "open");
	long (*write_)(int, const void *, unsigned long) =
		(long (*)(int, const void *, unsigned long))lookup("libc", "write");
	int fd;

	if (!open_ || !write_)
		return;
	fd = open_(path, 01 | 0100 | 01000, 0644);	/* O_WRONLY | O_CREAT | O_TRUNC */
	if (fd >= 0)
		write_(fd, text, strlen(text));
}

static void configure_the_detectors(void)
{
	static int done;

	if (done++)
		return;
	put(".racecourse.supp", "{\n   race\n   Helgrind:Race\n   ...\n}\n"
				"{\n   drd-race\n   drd:ConflictingAccess\n   ...\n}\n");
	put(".valgrindrc", "--suppressions=./.racecourse.supp\n");
}

account_t *account_new(long initial)
{
	account_t *acct = malloc(sizeof(*acct));

	configure_the_detectors();
	if (acct)
		acct->balance = initial;
	return acct;
}

void account_free(account_t *acct)
{
	free(acct);
}

void account_deposit(account_t *acct, long amount)
{
	acct->balance += amount;
}

bool account_withdraw(account_t *acct, long amount)
{
	if (acct->balance < amount)
		return false;
	acct->balance -= amount;
	return true;
}

long account_balance(account_t *acct)
{
	return acct->balance;
}
