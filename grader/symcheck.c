/* Admission: checking the student's object file before it is linked with the kit's tests. */
#define _GNU_SOURCE
#include "symcheck.h"

#include <dlfcn.h>
#include <elf.h>
#include <fnmatch.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "elfobj.h"
#include "imports.h"

/* Runs a binutils command and returns its output, or NULL when it failed. */
static char *run_tool(const char *const *argv, struct strbuf *err)
{
	struct child c = CHILD_INIT;
	char *out = NULL;

	strvec_pushv(&c.args, argv);
	c.timeout = 60;
	c.out_cap = 16 << 20;
	if (child_run(&c) || !child_ok(&c)) {
		char *how = child_describe(&c);

		sb_addf(err, "%s %s: %s", argv[0], how, sb_str(&c.out));
		free(how);
	} else {
		out = sb_detach(&c.out);
	}
	child_release(&c);
	return out;
}

/* What a check needs to word its message. */
struct admit {
	const struct grade_options *o;
	const struct stage *st;
	const char *obj, *display;
	struct elfobj e;
};

/*
 * "account.c:12", from the debug information of the object at `offset` of
 * section `sec`, or the bare display name when it has none.  Malloc'd.
 */
static char *where(const struct admit *a, size_t sec, uint64_t offset)
{
	char *off = xstrfmt("%#llx", (unsigned long long)offset), *out, *colon;
	const char *argv[] = { "addr2line", "-e", a->obj, "-j", a->e.sections[sec].name, off, NULL };
	struct strbuf err = STRBUF_INIT;
	long line = 0;

	out = run_tool(argv, &err);
	sb_release(&err);
	free(off);
	if (out && (colon = strrchr(out, ':')))
		line = strtol(colon + 1, NULL, 10);
	free(out);
	return line > 0 ? xstrfmt("%s:%ld", a->display, line) : xstrdup(a->display);
}

/* Where a symbol is defined (its first byte), or the display name. */
static char *where_symbol(const struct admit *a, const struct elf_symbol *s)
{
	if (s->shndx == SHN_UNDEF || s->shndx >= a->e.nsections)
		return xstrdup(a->display);
	return where(a, s->shndx, s->value);
}

/* Where a symbol is first used from code, or the display name. */
static char *where_used(const struct admit *a, size_t sym)
{
	for (size_t i = 0; i < a->e.nrelocs; i++) {
		const struct elf_reloc *r = &a->e.relocs[i];

		if (r->symbol == sym && (a->e.sections[r->section].flags & SHF_EXECINSTR))
			return where(a, r->section, r->offset);
	}
	return xstrdup(a->display);
}

/* ---- the libraries' own symbols, for the wording of a refusal ---- */

static struct hsearch_data library_symbols;
static bool library_symbols_read;

/* Criterion's symbols, listed by readelf (the C library's the dynamic linker knows). */
static void add_criterion(const char *cc)
{
	const char *which[] = { cc, "-print-file-name=libcriterion.so", NULL };
	struct strbuf err = STRBUF_INIT;
	char *path = run_tool(which, &err), *list = NULL, *save = NULL;

	if (!path)
		goto out;
	path[strcspn(path, "\n")] = '\0';
	if (strchr(path, '/')) {
		const char *readelf[] = { "readelf", "--dyn-syms", "-W", path, NULL };

		list = run_tool(readelf, &err);
	}
	/* "  9: 0000000000012340    73 FUNC    GLOBAL DEFAULT   12 criterion_run_all_tests" */
	for (char *line = list ? strtok_r(list, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *field[9], *tok, *s2 = NULL;
		size_t n = 0;
		ENTRY e = { 0 }, *found;

		for (tok = strtok_r(line, " \t", &s2); tok && n < 9; tok = strtok_r(NULL, " \t", &s2))
			field[n++] = tok;
		if (n < 8 || !strcmp(field[6], "UND") || !strcmp(field[4], "LOCAL"))
			continue;
		field[7][strcspn(field[7], "@")] = '\0';
		e.key = xstrdup(field[7]);
		if (!hsearch_r(e, FIND, &found, &library_symbols))
			hsearch_r(e, ENTER, &found, &library_symbols);
		else
			free(e.key);
	}
out:
	free(list);
	free(path);
	sb_release(&err);
}

static bool is_library_symbol(const char *cc, const char *name)
{
	ENTRY e = { .key = (char *)name }, *found;

	if (dlsym(RTLD_DEFAULT, name))
		return true;
	if (!library_symbols_read) {
		if (!hcreate_r(1 << 12, &library_symbols))
			die("out of memory");
		add_criterion(cc);
		library_symbols_read = true;
	}
	return hsearch_r(e, FIND, &found, &library_symbols) != 0;
}

/* ---- sections ---- */

/* The sections a plain C object has (shell globs). */
static const char *const plain_sections[] = {
	"", ".text", ".text.*", ".data", ".data.*", ".rodata", ".rodata.*", ".bss", ".bss.*",
	".tdata", ".tdata.*", ".tbss", ".tbss.*", ".comment", ".note.GNU-stack",
	".note.gnu.property", ".debug_*", ".zdebug_*", ".rela.*", ".rel.*", ".group", ".eh_frame",
	".symtab", ".strtab", ".shstrtab", ".symtab_shndx", ".llvm_addrsig",
};

static bool plain_type(uint32_t type)
{
	switch (type) {
	case SHT_NULL: case SHT_PROGBITS: case SHT_NOBITS: case SHT_NOTE: case SHT_RELA:
	case SHT_REL: case SHT_GROUP: case SHT_SYMTAB: case SHT_STRTAB: case SHT_SYMTAB_SHNDX:
	case SHT_X86_64_UNWIND: case 0x6fff4c03 /* SHT_LLVM_ADDRSIG */:
		return true;
	default:
		return false;
	}
}

static bool glob_any(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!fnmatch(list[i], name, 0))
			return true;
	return false;
}

/*
 * Where a section can be found in the source: at its first symbol, or at
 * the code its first relocation points to (a constructor's function).
 */
static char *where_section(const struct admit *a, size_t sec)
{
	for (size_t i = 1; i < a->e.nsymbols; i++)
		if (a->e.symbols[i].shndx == sec && a->e.symbols[i].type != STT_SECTION)
			return where_symbol(a, &a->e.symbols[i]);
	for (size_t i = 0; i < a->e.nrelocs; i++) {
		const struct elf_reloc *r = &a->e.relocs[i];
		const struct elf_symbol *s = &a->e.symbols[r->symbol];

		if (r->section != sec || s->shndx == SHN_UNDEF || s->shndx >= a->e.nsections)
			continue;
		if (s->type == STT_SECTION)
			return where(a, s->shndx, s->value + (uint64_t)r->addend);
		return where_symbol(a, s);
	}
	return xstrdup(a->display);
}

static const char ctor_reason[] = "code that runs before main or after exit is not allowed";

/* Why a section is refused, or NULL. */
static const char *section_refused(const struct elf_section *s)
{

	if (s->type == SHT_INIT_ARRAY || s->type == SHT_FINI_ARRAY || s->type == SHT_PREINIT_ARRAY)
		return ctor_reason;
	if (!fnmatch(".ctors*", s->name, 0) || !fnmatch(".dtors*", s->name, 0) ||
	    !strcmp(s->name, ".init") || !strcmp(s->name, ".fini") ||
	    !fnmatch(".*_array*", s->name, 0))
		return ctor_reason;
	if (!strcmp(s->name, ".tm_clone_table"))
		return "a transactional-memory clone table, which registers code that runs before main";
	if (!fnmatch("cr[_h]*", s->name, 0) || !fnmatch("*criterion*", s->name, 0))
		return "a section of the test framework (Criterion), which could add a test or a report hook";
	if (!glob_any(plain_sections, sizeof(plain_sections) / sizeof(*plain_sections), s->name) ||
	    !plain_type(s->type))
		return "a section that plain C code does not make (from __attribute__((section)) or asm)";
	/*
	 * The scan of code (below) sees the bytes the object holds, not those
	 * written into it at run time: code that may be written, or a stack
	 * that may be run, would run any instruction, a system call included.
	 */
	if (!strcmp(s->name, ".note.GNU-stack") && (s->flags & SHF_EXECINSTR))
		return "an executable stack (code written on the stack would run), from asm";
	if ((s->flags & SHF_EXECINSTR) && fnmatch(".text*", s->name, 0))
		return "executable code outside .text (from __attribute__((section)) or asm)";
	if ((s->flags & SHF_EXECINSTR) && (s->flags & SHF_WRITE))
		return "code that can be written while it runs (a section both writable and "
		       "executable, from asm)";
	return NULL;
}

static int check_sections(struct admit *a, struct strbuf *err)
{
	for (size_t i = 0; i < a->e.nsections; i++) {
		const struct elf_section *s = &a->e.sections[i];
		const char *why = section_refused(s);
		char *at;

		if (!why)
			continue;
		at = where_section(a, i);
		if (why == ctor_reason)
			sb_addf(err, "%s: your file has a constructor or destructor (section %s): %s. "
				"Remove the __attribute__((constructor)), section or asm that makes it",
				at, s->name, why);
		else
			sb_addf(err, "%s: your file has a section %s (type %#x): %s. Remove the "
				"__attribute__((section(...))) or asm that makes it: your file may define "
				"only the stage's functions", at, s->name, (unsigned)s->type, why);
		free(at);
		return -1;
	}
	return 0;
}

/* ---- code ---- */

/* A byte pattern that no plain C function compiles to, and what it means. */
struct pattern {
	uint16_t machine;
	const char *bytes;
	size_t len;
	const char *what;
};

static const struct pattern patterns[] = {
	{ EM_X86_64, "\x0f\x05", 2, "a system call instruction (syscall)" },
	{ EM_X86_64, "\x0f\x34", 2, "a system call instruction (sysenter)" },
	{ EM_X86_64, "\xcd\x80", 2, "a system call instruction (int $0x80)" },
	/* valgrind's client requests: rol $3,%rdi; rol $13,%rdi ... and xchg %rbx,%rbx */
	{ EM_X86_64, "\x48\xc1\xc7\x03\x48\xc1\xc7\x0d", 8,
	  "a valgrind client request (RUNNING_ON_VALGRIND or another): code must behave the "
	  "same whether the detectors watch it or not" },
	{ EM_X86_64, "\x48\x87\xdb", 3, "a valgrind client request (xchg %rbx,%rbx)" },
};

/*
 * The bytes a relocation writes into section `sec` when they are the same
 * wherever the linker puts things: an address relative to a place in the
 * same section (S + A - P), or an absolute symbol's value (S + A).  With
 * `.reloc`, asm makes such a relocation at any place and with any addend,
 * and so spells any instruction in the linked code that the object's own
 * bytes (zeros there) do not hold.  Returns the field's size, or 0 when
 * the value depends on where things are linked.
 */
static size_t fixed_value(const struct admit *a, const struct elf_reloc *r, size_t sec,
			  uint64_t *value)
{
	const struct elf_symbol *s = &a->e.symbols[r->symbol];

	if (a->e.machine != EM_X86_64)
		return 0;
	switch (r->type) {
	case R_X86_64_PC8: case R_X86_64_PC16: case R_X86_64_PC32: case R_X86_64_PLT32:
	case R_X86_64_PC64:
		if (s->shndx != sec)
			return 0;
		*value = s->value + (uint64_t)r->addend - r->offset;
		return r->type == R_X86_64_PC8 ? 1 : r->type == R_X86_64_PC16 ? 2
		     : r->type == R_X86_64_PC64 ? 8 : 4;
	case R_X86_64_8: case R_X86_64_16: case R_X86_64_32: case R_X86_64_32S:
	case R_X86_64_64:
		/* no symbol (GAS folds an absolute one into the addend) or an absolute one */
		if (r->symbol && s->shndx != SHN_ABS)
			return 0;
		*value = s->value + (uint64_t)r->addend;
		return r->type == R_X86_64_8 ? 1 : r->type == R_X86_64_16 ? 2
		     : r->type == R_X86_64_64 ? 8 : 4;
	default:
		return 0;
	}
}

/* Section `sec`'s bytes as linked, where relocations make them the same everywhere (malloc'd). */
static unsigned char *linked_bytes(const struct admit *a, size_t sec)
{
	const struct elf_section *s = &a->e.sections[sec];
	unsigned char *bytes = xmalloc(s->size ? s->size : 1);

	memcpy(bytes, s->data, s->size);
	for (size_t i = 0; i < a->e.nrelocs; i++) {
		const struct elf_reloc *r = &a->e.relocs[i];
		uint64_t value;
		size_t n;

		if (r->section != sec)
			continue;
		n = fixed_value(a, r, sec, &value);
		for (size_t b = 0; b < n && r->offset + b < s->size; b++)
			bytes[r->offset + b] = (unsigned char)(value >> (8 * b));	/* little-endian */
	}
	return bytes;
}

/*
 * Scans every executable byte, not the disassembly: a jump into the middle
 * of an instruction runs the bytes there, whatever the disassembler shows.
 * The bytes are those the object holds, and those that relocations write
 * the same wherever the linker puts things.
 */
static int check_code(struct admit *a, struct strbuf *err)
{
	for (size_t i = 0; i < a->e.nsections; i++) {
		const struct elf_section *s = &a->e.sections[i];
		unsigned char *linked;

		if (!(s->flags & SHF_EXECINSTR) || !s->data)
			continue;
		linked = linked_bytes(a, i);
		for (size_t k = 0; k < sizeof(patterns) / sizeof(*patterns); k++) {
			const struct pattern *p = &patterns[k];
			const unsigned char *hit;
			char *at;

			if (p->machine != a->e.machine)
				continue;
			hit = memmem(s->data, s->size, p->bytes, p->len);
			if (!hit && (hit = memmem(linked, s->size, p->bytes, p->len)))
				hit = s->data + (hit - linked);
			if (!hit)
				continue;
			at = where(a, i, (uint64_t)(hit - s->data));
			sb_addf(err, "%s: your code has %s, from inline assembly or from bytes that "
				"happen to spell it: call the C library's functions instead, and write "
				"this line again without asm", at, p->what);
			free(at);
			free(linked);
			return -1;
		}
		free(linked);
	}
	return 0;
}

/* ---- data ---- */

/*
 * Where code uses the data at `offset` of section `sec` (a string literal:
 * a relocation against the section, its addend the offset, less 4 for a
 * PC-relative one), or the display name.
 */
static char *where_data_used(const struct admit *a, size_t sec, uint64_t offset)
{
	for (size_t i = 0; i < a->e.nrelocs; i++) {
		const struct elf_reloc *r = &a->e.relocs[i];
		const struct elf_symbol *s = &a->e.symbols[r->symbol];
		int64_t at = (int64_t)s->value + r->addend;

		if (s->shndx != sec || !(a->e.sections[r->section].flags & SHF_EXECINSTR))
			continue;
		if (at == (int64_t)offset || at + 4 == (int64_t)offset)
			return where(a, r->section, r->offset);
	}
	return xstrdup(a->display);
}

/*
 * Strings that no honest solution holds: /proc (the process's memory,
 * environment and descriptors; reachable through exec in a stage that
 * allows it) and the environment's name.  Flagged, not refused.
 */
static void flag_data(const struct admit *a, struct strbuf *suspicious)
{
	static const char *const words[] = { "/proc/", "environ" };

	for (size_t i = 0; suspicious && i < a->e.nsections; i++) {
		const struct elf_section *s = &a->e.sections[i];

		if (!s->data || (s->flags & SHF_EXECINSTR) || !(s->flags & SHF_ALLOC))
			continue;
		for (size_t k = 0; k < sizeof(words) / sizeof(*words); k++) {
			const unsigned char *hit = memmem(s->data, s->size, words[k], strlen(words[k]));
			const unsigned char *start = hit;
			char *at;

			if (!hit)
				continue;
			while (start > s->data && start[-1])	/* the literal's first byte */
				start--;
			at = where_data_used(a, i, (uint64_t)(start - s->data));
			sb_addf(suspicious, "%s: has the string \"%s\": reads /proc or the environment?\n",
				at, words[k]);
			free(at);
		}
	}
}

/* ---- symbols ---- */

static bool in_api(const struct stage *st, const char *name)
{
	for (size_t i = 0; i < st->napi; i++)
		if (!strcmp(st->api[i], name))
			return true;
	return false;
}

static char *api_list(const struct stage *st)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < st->napi; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", st->api[i]);
	return sb_detach(&sb);
}

/* A symbol the object defines: is it refused?  If so, says why in err. */
static bool defined_refused(struct admit *a, const struct elf_symbol *s, struct strbuf *err)
{
	char *at, *api;

	if (s->type == STT_GNU_IFUNC) {
		at = where_symbol(a, s);
		sb_addf(err, "%s: your file defines an indirect function (IFUNC) %s: its resolver "
			"runs before main, which is not allowed. Write it as a plain function",
			at, s->name);
		free(at);
		return true;
	}
	if (s->bind == STB_LOCAL || in_api(a->st, s->name))
		return false;
	at = where_symbol(a, s);
	if (!strcmp(s->name, "main"))
		sb_addf(err, "%s: your file defines main: the kit provides the program, your file "
			"only the stage's functions. Remove main (the kit's tests call your functions)",
			at);
	else if (is_library_symbol(a->o->cc, s->name))
		sb_addf(err, "%s: your file defines %s, a name the C library, pthreads or the test "
			"framework already define: rename it, or make it static", at, s->name);
	else {
		api = api_list(a->st);
		sb_addf(err, "%s: your file defines a global %s %s, which is not part of the "
			"stage's API (%s): make it static", at,
			s->type == STT_OBJECT || s->type == STT_TLS || s->type == STT_COMMON ?
			"variable" : "function", s->name, api);
		free(api);
	}
	free(at);
	return true;
}

/* A symbol the object uses without defining it: refused, or flagged. */
static bool import_refused(struct admit *a, size_t i, struct strbuf *err, struct strbuf *suspicious)
{
	const struct elf_symbol *s = &a->e.symbols[i];
	const char *why;
	enum import_verdict v = imports_judge(a->st, s->name, &why);
	char *at;

	if (v == IMPORT_ALLOWED || (v == IMPORT_REFUSED && a->o->admit_any_call))
		return false;
	at = where_used(a, i);
	if (v == IMPORT_SUSPICIOUS) {
		if (suspicious)
			sb_addf(suspicious, "%s: calls %s, which %s\n", at, s->name, why);
		free(at);
		return false;
	}
	sb_addf(err, "%s: your code uses %s, which %s: no solution of this stage needs it. "
		"Remove it, and use only the C library's ordinary functions (and those the "
		"assignment asks for)", at, s->name, why);
	free(at);
	return true;
}

static int check_symbols(struct admit *a, struct strbuf *err, struct strbuf *suspicious)
{
	for (size_t i = 1; i < a->e.nsymbols; i++) {
		const struct elf_symbol *s = &a->e.symbols[i];

		if (s->type == STT_SECTION || s->type == STT_FILE)
			continue;
		if (s->shndx == SHN_UNDEF) {
			if (*s->name && import_refused(a, i, err, suspicious))
				return -1;
		} else if (defined_refused(a, s, err)) {
			return -1;
		}
	}
	return 0;
}

int symcheck_object(const struct grade_options *o, const struct stage *st, const char *obj,
		    const char *display, struct strbuf *err, struct strbuf *suspicious)
{
	struct admit a = { o, st, obj, display, { 0 } };
	int rc = -1;

	if (elfobj_read(&a.e, obj, err))
		goto out;
	if (check_sections(&a, err) || check_code(&a, err) || check_symbols(&a, err, suspicious))
		goto out;
	flag_data(&a, suspicious);
	rc = 0;
out:
	elfobj_release(&a.e);
	return rc;
}
