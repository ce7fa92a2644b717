/* Reading a relocatable ELF object: its sections, symbols and relocations. */
#ifndef RACECOURSE_ELFOBJ_H
#define RACECOURSE_ELFOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct elf_section {
	const char *name;	/* points into the object's image */
	uint32_t type;		/* SHT_* */
	uint64_t flags;		/* SHF_* */
	const unsigned char *data;	/* NULL for SHT_NOBITS */
	size_t size;
	uint32_t info;		/* for a relocation section: the section it applies to */
	uint32_t link;		/* for a symbol table: its string table */
};

struct elf_symbol {
	const char *name;
	unsigned char type;	/* STT_* */
	unsigned char bind;	/* STB_* */
	uint16_t shndx;		/* SHN_UNDEF when imported */
	uint64_t value;		/* offset in its section */
};

/* Where a relocation refers to a symbol: the first such place is enough to name a line. */
struct elf_reloc {
	size_t section;		/* the section patched */
	uint64_t offset;
	size_t symbol;
	int64_t addend;		/* 0 for SHT_REL */
	uint32_t type;		/* R_X86_64_*, or the machine's own */
};

/* A 64-bit little-endian relocatable object, read whole into memory. */
struct elfobj {
	unsigned char *image;
	size_t size;
	uint16_t machine;	/* EM_X86_64, EM_AARCH64... */
	struct elf_section *sections;
	size_t nsections;
	struct elf_symbol *symbols;	/* index 0 is the null symbol */
	size_t nsymbols;
	struct elf_reloc *relocs;
	size_t nrelocs;
};

/*
 * Reads the object at `path`, checking every offset against its size.
 * Returns 0, or -1 with a one-line reason in err (not a file, not a
 * relocatable 64-bit little-endian object, truncated or inconsistent).
 */
int elfobj_read(struct elfobj *e, const char *path, struct strbuf *err);
void elfobj_release(struct elfobj *e);

/* The section named `name`'s index, or -1. */
long elfobj_section(const struct elfobj *e, const char *name);

#endif
