/* The locks each thread held at a race's accesses, from Helgrind's text log. */
#define _GNU_SOURCE
#include "hglocks.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* A lock the log announced: "Lock at 0x10C080 was first observed". */
struct lock_name {
	char *addr;
	char *name;
};

struct parse {
	struct hg_locks *out;
	struct lock_name *locks;
	size_t nlocks, locks_alloc;
	struct hg_access *access;	/* the access whose frames come next, or NULL */
	struct lock_name *lock;		/* the lock whose description comes next, or NULL */
	char **held;			/* per access: the addresses its "Locks held" gave */
	size_t held_alloc;
};

/* The line without valgrind's "==1234== " prefix. */
static const char *body_of(const char *line)
{
	if (!strncmp(line, "==", 2)) {
		const char *end = strstr(line + 2, "==");

		if (end)
			line = end + 2 + (end[2] == ' ');
	}
	return line;
}

/* "   by 0x1091B9: depositor (driver.c:8)" gives "driver.c:8"; NULL when no line. */
static char *frame_place(const char *line)
{
	const char *open, *colon;
	size_t len = strlen(line);

	if (strncmp(line, "   at 0x", 8) && strncmp(line, "   by 0x", 8))
		return NULL;
	if (!len || line[len - 1] != ')' || !(open = strrchr(line, '(')))
		return NULL;
	colon = strrchr(open, ':');
	if (!colon || colon[1] < '0' || colon[1] > '9' || strchr(open, ' '))
		return NULL;
	return xstrndup(open + 1, len - 2 - (size_t)(open - line));
}

static struct hg_access *new_access(struct parse *p, const char *kind)
{
	struct hg_locks *l = p->out;
	struct hg_access *a;

	ALLOC_GROW(l->v, l->n + 1, l->alloc);
	ALLOC_GROW(p->held, l->n + 1, p->held_alloc);
	a = &l->v[l->n];
	memset(a, 0, sizeof(*a));
	a->kind = xstrdup(kind);
	a->frames = xstrdup("");
	p->held[l->n++] = NULL;
	return a;
}

static void parse_line(struct parse *p, const char *line)
{
	const char *s = body_of(line), *at;
	char *place;

	if (!strncmp(s, "Possible data race during ", 26) ||
	    !strncmp(s, "This conflicts with a previous ", 31)) {
		const char *kind = s[0] == 'P' ? s + 26 : s + 31;

		p->access = new_access(p, !strncmp(kind, "read", 4) ? "read" : "write");
		p->lock = NULL;
	} else if (p->access && !strncmp(s, "Locks held: ", 12)) {
		struct hg_locks *l = p->out;

		if (!strcmp(s + 12, "none"))
			p->access->locks = xstrdup("none");
		else if ((at = strstr(s, " at address"))) {
			/* "1, at address 0x1" or "2, at addresses 0x1 0x2" */
			at += strlen(" at address");
			at += strcspn(at, " ");
			p->held[l->n - 1] = xstrdup(at + strspn(at, " "));
		}
	} else if (!strncmp(s, " Lock at ", 9) || !strncmp(s, "Lock at ", 8)) {
		const char *addr = strstr(s, "0x");

		ALLOC_GROW(p->locks, p->nlocks + 1, p->locks_alloc);
		p->lock = &p->locks[p->nlocks++];
		p->lock->addr = addr ? xstrndup(addr, strcspn(addr, " ")) : xstrdup("");
		p->lock->name = NULL;
		p->access = NULL;
	} else if ((place = frame_place(s))) {
		if (p->access) {
			char *frames = xstrfmt("%s%s\n", p->access->frames, place);

			free(p->access->frames);
			p->access->frames = frames;
		} else if (p->lock && !p->lock->name && !strstr(place, "hg_intercepts.c")) {
			p->lock->name = xstrfmt("the lock first used at %s", place);
		}
		free(place);
	} else if (p->lock && strstr(s, "inside data symbol \"")) {
		const char *name = strstr(s, "symbol \"") + 8;

		free(p->lock->name);
		p->lock->name = xstrndup(name, strcspn(name, "\""));
	} else if (!*s || !strncmp(s, "---", 3)) {
		p->access = NULL;
		p->lock = NULL;
	}
}

/* "0x10C080 0x10C0A8" in words, by the names the log gave those locks. */
static char *name_locks(const struct parse *p, const char *addrs)
{
	struct strbuf sb = STRBUF_INIT;

	while (*addrs) {
		size_t n = strcspn(addrs, " ,");
		const char *name = NULL;

		for (size_t i = 0; n && i < p->nlocks && !name; i++)
			if (strlen(p->locks[i].addr) == n && !strncasecmp(p->locks[i].addr, addrs, n))
				name = p->locks[i].name;
		if (n) {
			if (sb.len)
				sb_adds(&sb, ", ");
			if (name)
				sb_adds(&sb, name);
			else
				sb_addf(&sb, "the lock at %.*s", (int)n, addrs);
		}
		addrs += n;
		addrs += strspn(addrs, " ,");
	}
	return sb.len ? sb_detach(&sb) : NULL;
}

void hglocks_parse(struct hg_locks *l, const char *log)
{
	struct parse p = { .out = l };

	memset(l, 0, sizeof(*l));
	while (log && *log) {
		size_t n = strcspn(log, "\n");
		char *line = xstrndup(log, n);

		parse_line(&p, line);
		free(line);
		log += n + (log[n] == '\n');
	}
	/* The locks are announced before the race that holds them, but name them all at the end. */
	for (size_t i = 0; i < l->n; i++) {
		if (p.held[i] && !l->v[i].locks)
			l->v[i].locks = name_locks(&p, p.held[i]);
		free(p.held[i]);
	}
	for (size_t i = 0; i < p.nlocks; i++) {
		free(p.locks[i].addr);
		free(p.locks[i].name);
	}
	free(p.locks);
	free(p.held);
}

void hglocks_release(struct hg_locks *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].kind);
		free(l->v[i].frames);
		free(l->v[i].locks);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool has_frame(const struct hg_access *a, const char *file, int line)
{
	char *want = xstrfmt("%s:%d\n", base_name(file), line);
	const char *hit = strstr(a->frames, want);
	bool found = hit && (hit == a->frames || hit[-1] == '\n');

	free(want);
	return found;
}

void hglocks_apply(const struct hg_locks *l, struct findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct finding *fi = &f->v[i];

		if (fi->kind != FINDING_RACE || !(fi->tools & TOOL_HELGRIND))
			continue;
		for (size_t k = 0; k < fi->nsites; k++) {
			struct site *s = &fi->sites[k];

			for (size_t j = 0; !s->locks && j < l->n; j++)
				if (l->v[j].locks && strstr(s->label, l->v[j].kind) &&
				    has_frame(&l->v[j], s->file, s->line))
					s->locks = xstrdup(l->v[j].locks);
		}
	}
}
