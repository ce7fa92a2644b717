/* Reading a relocatable ELF object: its sections, symbols and relocations. */
#include "elfobj.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Does [off, off + len) lie within the image? */
static bool inside(const struct elfobj *e, uint64_t off, uint64_t len)
{
	return off <= e->size && len <= e->size - off;
}

/* A NUL-terminated string at `off` of a string table section, or NULL. */
static const char *string_at(const struct elf_section *tab, uint64_t off)
{
	if (!tab->data || off >= tab->size || !memchr(tab->data + off, '\0', tab->size - off))
		return NULL;
	return (const char *)tab->data + off;
}

static int read_sections(struct elfobj *e, const Elf64_Ehdr *h, struct strbuf *err)
{
	const struct elf_section *names;

	if (h->e_shentsize != sizeof(Elf64_Shdr) || !h->e_shnum ||
	    !inside(e, h->e_shoff, (uint64_t)h->e_shnum * sizeof(Elf64_Shdr)) ||
	    h->e_shstrndx >= h->e_shnum) {
		sb_adds(err, "its section table is damaged");
		return -1;
	}
	e->nsections = h->e_shnum;
	e->sections = xcalloc(e->nsections, sizeof(*e->sections));
	for (size_t i = 0; i < e->nsections; i++) {
		Elf64_Shdr s;

		memcpy(&s, e->image + h->e_shoff + i * sizeof(s), sizeof(s));
		e->sections[i].type = s.sh_type;
		e->sections[i].flags = s.sh_flags;
		e->sections[i].size = s.sh_size;
		e->sections[i].info = s.sh_info;
		e->sections[i].link = s.sh_link;
		e->sections[i].name = (const char *)(uintptr_t)s.sh_name;	/* resolved below */
		if (s.sh_type == SHT_NOBITS || s.sh_type == SHT_NULL)
			continue;
		if (!inside(e, s.sh_offset, s.sh_size)) {
			sb_addf(err, "its section %zu lies outside the file", i);
			return -1;
		}
		e->sections[i].data = e->image + s.sh_offset;
	}
	names = &e->sections[h->e_shstrndx];
	for (size_t i = 0; i < e->nsections; i++) {
		const char *name = string_at(names, (uintptr_t)e->sections[i].name);

		if (!name) {
			sb_addf(err, "its section %zu has no name", i);
			return -1;
		}
		e->sections[i].name = name;
	}
	return 0;
}

static int read_symbols(struct elfobj *e, struct strbuf *err)
{
	for (size_t i = 0; i < e->nsections; i++) {
		const struct elf_section *s = &e->sections[i], *strtab;
		Elf64_Sym sym;

		if (s->type != SHT_SYMTAB)
			continue;
		if (e->symbols || s->size % sizeof(sym) || !s->data) {
			sb_adds(err, "its symbol table is damaged");
			return -1;
		}
		if (s->link >= e->nsections) {
			sb_adds(err, "its symbol table has no string table");
			return -1;
		}
		strtab = &e->sections[s->link];
		e->nsymbols = s->size / sizeof(sym);
		e->symbols = xcalloc(e->nsymbols ? e->nsymbols : 1, sizeof(*e->symbols));
		for (size_t k = 0; k < e->nsymbols; k++) {
			struct elf_symbol *out = &e->symbols[k];

			memcpy(&sym, s->data + k * sizeof(sym), sizeof(sym));
			out->name = string_at(strtab, sym.st_name);
			if (!out->name) {
				sb_addf(err, "its symbol %zu has no name", k);
				return -1;
			}
			out->type = ELF64_ST_TYPE(sym.st_info);
			out->bind = ELF64_ST_BIND(sym.st_info);
			out->shndx = sym.st_shndx;
			out->value = sym.st_value;
		}
	}
	return 0;
}

static int read_relocs(struct elfobj *e, struct strbuf *err)
{
	size_t alloc = 0;

	for (size_t i = 0; i < e->nsections; i++) {
		const struct elf_section *s = &e->sections[i];
		size_t entsize = s->type == SHT_RELA ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);

		if (s->type != SHT_RELA && s->type != SHT_REL)
			continue;
		if (!s->data || s->size % entsize || s->info >= e->nsections) {
			sb_addf(err, "its relocation section %s is damaged", s->name);
			return -1;
		}
		for (size_t k = 0; k < s->size / entsize; k++) {
			Elf64_Rela r = { 0 };	/* a Rela begins like a Rel */
			size_t sym;

			memcpy(&r, s->data + k * entsize, entsize);
			sym = ELF64_R_SYM(r.r_info);
			if (sym >= e->nsymbols) {
				sb_addf(err, "its relocation section %s names no symbol", s->name);
				return -1;
			}
			ALLOC_GROW(e->relocs, e->nrelocs + 1, alloc);
			e->relocs[e->nrelocs++] = (struct elf_reloc){ s->info, r.r_offset, sym, r.r_addend,
								 (uint32_t)ELF64_R_TYPE(r.r_info) };
		}
	}
	return 0;
}

int elfobj_read(struct elfobj *e, const char *path, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	Elf64_Ehdr h;

	memset(e, 0, sizeof(*e));
	if (read_file(path, &sb)) {
		sb_addf(err, "cannot read %s: %s", path, strerror(errno));
		sb_release(&sb);
		return -1;
	}
	e->size = sb.len;
	e->image = (unsigned char *)sb_detach(&sb);
	if (e->size < sizeof(h) || memcmp(e->image, ELFMAG, SELFMAG)) {
		sb_addf(err, "%s is not an ELF object", path);
		return -1;
	}
	memcpy(&h, e->image, sizeof(h));
	if (h.e_ident[EI_CLASS] != ELFCLASS64 || h.e_ident[EI_DATA] != ELFDATA2LSB ||
	    h.e_type != ET_REL) {
		sb_addf(err, "%s is not a 64-bit little-endian relocatable object", path);
		return -1;
	}
	e->machine = h.e_machine;
	if (read_sections(e, &h, err) || read_symbols(e, err) || read_relocs(e, err)) {
		sb_addf(err, " (%s)", path);
		return -1;
	}
	return 0;
}

void elfobj_release(struct elfobj *e)
{
	free(e->image);
	free(e->sections);
	free(e->symbols);
	free(e->relocs);
	memset(e, 0, sizeof(*e));
}

long elfobj_section(const struct elfobj *e, const char *name)
{
	for (size_t i = 0; i < e->nsections; i++)
		if (!strcmp(e->sections[i].name, name))
			return (long)i;
	return -1;
}
