/*
 * Hostile: a stub that ends each test as a finished one would, in plain C
 * with no import but malloc: finds Criterion's and the C library's functions
 * by walking the loaded ELF images and the program's own file (as
 * elf-walk-criterion does), reads the run's key
 * where the worker's environment left it (unsetenv keeps the string on the
 * initial stack), computes the test's status as handshake.h does, registers
 * an exit handler that exits with it, and ends the test early as
 * elf-walk-criterion does (criterion_abort_test), before any assertion.
 */
#include "account.h"

#include <elf.h>
#include <link.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

struct cr_test { const char *name, *category; };

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int contains(const char *s, const char *w)
{
	if (!*w)
		return 1;
	for (; s && *s; s++) {
		const char *a = s, *b = w;

		while (*b && *a == *b)
			a++, b++;
		if (!*b)
			return 1;
	}
	return 0;
}

/* The program's own ELF header: the first page, walking down, that starts like one. */
static const ElfW(Ehdr) *own_header(void)
{
	uintptr_t p = (uintptr_t)&own_header & ~(uintptr_t)0xfff;

	for (int i = 0; i < 4096; i++, p -= 0x1000) {
		const unsigned char *b = (const unsigned char *)p;

		if (b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F')
			return (const ElfW(Ehdr) *)p;
	}
	return NULL;
}

static uintptr_t rel(uintptr_t v, uintptr_t base)
{
	return v < base ? v + base : v;
}

/* The address of NAME in a loaded object whose path contains LIB ("": any, the program first). */
static void *find(const char *lib, const char *name)
{
	const ElfW(Ehdr) *eh = own_header();
	const ElfW(Phdr) *ph;
	const ElfW(Dyn) *dyn = NULL;
	uintptr_t bias = 0, first = UINTPTR_MAX;
	struct r_debug *dbg = NULL;

	if (!eh)
		return NULL;
	ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < first)
			first = ph[i].p_vaddr;
	bias = (uintptr_t)eh - first;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(bias + ph[i].p_vaddr);
	for (; dyn && dyn->d_tag != DT_NULL; dyn++)
		if (dyn->d_tag == DT_DEBUG)
			dbg = (struct r_debug *)dyn->d_un.d_ptr;
	if (!dbg)
		return NULL;
	for (struct link_map *m = dbg->r_map; m; m = m->l_next) {
		const ElfW(Sym) *sym = NULL;
		const char *str = NULL;

		if (!contains(m->l_name ? m->l_name : "", lib))
			continue;
		for (const ElfW(Dyn) *d = m->l_ld; d->d_tag != DT_NULL; d++) {
			if (d->d_tag == DT_SYMTAB)
				sym = (const ElfW(Sym) *)rel(d->d_un.d_ptr, m->l_addr);
			if (d->d_tag == DT_STRTAB)
				str = (const char *)rel(d->d_un.d_ptr, m->l_addr);
		}
		for (; sym && (const char *)sym < str; sym++)
			if (sym->st_value && same(str + sym->st_name, name))
				return (void *)(m->l_addr + sym->st_value);
	}
	return NULL;
}

static const char *key_on_stack(void)
{
	static const char want[] = "RACECOURSE_RUN_KEY=";
	volatile char here = 0;
	const char *p = (const char *)&here;

	/* Up the stack to the environment strings, which sit at its top. */
	for (long i = 0; i < (8L << 20); i++, p++) {
		size_t k = 0;

		while (k < sizeof(want) - 1 && p[k] == want[k])
			k++;
		if (k == sizeof(want) - 1 && p[k])
			return p + k;
	}
	return NULL;
}

static int code_of(const char *key, const char *what, const char *name)
{
	const char *parts[3] = { key, what, name };
	uint64_t h = 0xcbf29ce484222325ULL;
	int code;

	for (int i = 0; i < 3; i++) {
		for (const char *p = parts[i]; p && *p; p++)
			h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
		h = (h ^ 0xff) * 0x100000001b3ULL;
	}
	code = 3 + (int)(h % 122);
	return code == 66 ? 125 : code;
}

/* NAME in the program's own symbol table, read from its file. */
static void *find_in_program(const char *name)
{
	int (*open_)(const char *, int, ...) = (int (*)(const char *, int, ...))find("libc", "open");
	long (*read_)(int, void *, unsigned long) = (long (*)(int, void *, unsigned long))find("libc", "read");
	const ElfW(Ehdr) *mem = own_header(), *eh;
	const ElfW(Phdr) *ph;
	const ElfW(Shdr) *sh;
	uintptr_t first = UINTPTR_MAX;
	size_t cap = 64 << 20, len = 0;
	char *buf;
	long n;
	int fd;

	if (!open_ || !read_ || !mem || !(buf = malloc(cap)))
		return NULL;
	fd = open_("/proc/self/exe", 0);
	if (fd < 0)
		return NULL;
	while (len < cap && (n = read_(fd, buf + len, cap - len)) > 0)
		len += (size_t)n;
	eh = (const ElfW(Ehdr) *)buf;
	ph = (const ElfW(Phdr) *)((const char *)mem + mem->e_phoff);
	for (int i = 0; i < mem->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < first)
			first = ph[i].p_vaddr;
	sh = (const ElfW(Shdr) *)(buf + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum; i++) {
		const ElfW(Sym) *sym = (const ElfW(Sym) *)(buf + sh[i].sh_offset);
		const char *str = buf + sh[sh[i].sh_link].sh_offset;

		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		for (size_t k = 0; k < sh[i].sh_size / sizeof(*sym); k++)
			if (sym[k].st_value && same(str + sym[k].st_name, name))
				return (void *)((uintptr_t)mem - first + sym[k].st_value);
	}
	return NULL;
}

static int code;

/* At the worker's exit, before the runner's own handler: the status a finished test exits with. */
static void exit_as_finished(void *unused)
{
	void (*quit)(int) = (void (*)(int))find("libc", "_exit");

	(void)unused;
	if (quit)
		quit(code);
}

static void end_test(void)
{
	struct cr_test **cur = find("", "criterion_current_test");
	void (*abort_test)(void) = (void (*)(void))find("criterion", "criterion_abort_test");

	/* Criterion linked into the program: its full symbol table, from its file. */
	if (!cur)
		cur = find_in_program("criterion_current_test");
	if (!abort_test)
		abort_test = (void (*)(void))find_in_program("criterion_abort_test");
	int (*at_exit)(void (*)(void *), void *, void *) =
		(int (*)(void (*)(void *), void *, void *))find("libc", "__cxa_atexit");
	const char *key = key_on_stack();

	if (!cur || !*cur || !abort_test || !at_exit)
		return;
	if (key && !code) {
		code = code_of(key, (*cur)->category, (*cur)->name);
		at_exit(exit_as_finished, NULL, NULL);
	}
	abort_test();
}

account_t *account_new(long initial) { (void)initial; end_test(); return NULL; }
void account_free(account_t *acct) { (void)acct; end_test(); }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; end_test(); }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; end_test(); return false; }
long account_balance(account_t *acct) { (void)acct; end_test(); return 0; }
