/* Detector findings in the student's code, from the sanitizers' report text. */
#include "tsan.h"

#include <stdlib.h>
#include <string.h>

#include "tsan_text.h"
#include "util.h"

/* ---- turning a warning into a finding ---- */

static const struct source *student_source(const struct tframe *fr, const struct source *srcs,
					   size_t nsrcs)
{
	if (!fr->file || fr->line < 1)
		return NULL;
	for (size_t i = 0; i < nsrcs; i++)
		if (srcs[i].staged && !strcmp(srcs[i].staged, fr->file))
			return &srcs[i];
	return NULL;
}

static bool in_helper_dir(const char *file, const char *helper_dir)
{
	size_t n = helper_dir ? strlen(helper_dir) : 0;

	return n && !strncmp(file, helper_dir, n) && file[n] == '/' && !strchr(file + n + 1, '/');
}

/* The first frame in the program's own sources, not in the kit's helpers. */
static const struct tframe *first_sourced(const struct tstack *s, const char *helper_dir)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct tframe *fr = &s->frames[i];

		if (!fr->file || !fr->line || !fr->fn || fr->lib || strstr(fr->file, "libsanitizer/"))
			continue;
		if (in_helper_dir(fr->file, helper_dir))
			continue;
		return fr;
	}
	return NULL;
}

/*
 * The thread a label is about: "by thread T2" and "in thread T2" give 2,
 * "by main thread" 0, with *is_main set; -1 when it does not say.
 */
static int thread_in(const char *label, bool *is_main)
{
	const char *t;

	*is_main = false;
	if (!label)
		return -1;
	if ((t = strstr(label, "thread T")) && tsan_is_digit(t[8]))
		return atoi(t + 8);
	if (strstr(label, "main thread")) {
		*is_main = true;
		return 0;
	}
	return -1;
}

static char *where_created(const struct tblock *b, int tid, const struct source *srcs,
			   size_t nsrcs, const char *helper_dir)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct tstack *s = &b->stacks[i];
		const struct tframe *fr;

		if (!s->label || !tsan_starts_with(s->label, "Thread T") || atoi(s->label + 8) != tid ||
		    !strstr(s->label, "created by"))
			continue;
		/* The innermost frame in the student's file, else in the kit's. */
		for (size_t j = 0; j < s->n; j++) {
			const struct source *src = student_source(&s->frames[j], srcs, nsrcs);

			if (src)
				return xstrfmt("%s:%d", src->display, s->frames[j].line);
		}
		fr = first_sourced(s, helper_dir);
		return fr ? xstrfmt("%s:%d (%s)", base_name(fr->file), fr->line, fr->fn) : NULL;
	}
	return NULL;
}

/*
 * "Previous write of size 8 at 0x7b04 by main thread (mutexes: write M0)"
 * becomes "a previous write of size 8 by the main thread", as Helgrind's
 * labels read: no addresses, no TSan names for locks.
 */
static char *access_label(const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	if (tsan_starts_with(text, "Previous ")) {
		sb_adds(&sb, "a previous ");
		text += 9;
	}
	if (*text >= 'A' && *text <= 'Z') {
		char c = (char)(*text++ - 'A' + 'a');

		sb_add(&sb, &c, 1);
	}
	while (*text) {
		if (tsan_starts_with(text, " at 0x")) {
			text += 6;
			while (tsan_is_digit(*text) || (*text >= 'a' && *text <= 'f') ||
			       (*text >= 'A' && *text <= 'F'))
				text++;
		} else if (tsan_starts_with(text, " (mutexes:")) {
			const char *close = strchr(text, ')');

			text = close ? close + 1 : text + strlen(text);
		} else if (tsan_starts_with(text, "by main thread")) {
			sb_adds(&sb, "by the main thread");
			text += 14;
		} else {
			sb_add(&sb, text++, 1);
		}
	}
	return sb_detach(&sb);
}

/* Whether a section is one of the accesses of a race. */
static bool is_access(const char *label)
{
	if (!label)
		return false;
	if (tsan_starts_with(label, "Previous "))
		label += 9;
	if (tsan_starts_with(label, "Atomic ") || tsan_starts_with(label, "atomic "))
		label += 7;
	return tsan_starts_with(label, "Read of size") || tsan_starts_with(label, "read of size") ||
	       tsan_starts_with(label, "Write of size") || tsan_starts_with(label, "write of size");
}

/* A site for the stack: its first frame in the student's file, else in the kit's. */
static bool make_site(struct site *site, const struct tstack *s, char *label, int thread,
		      const struct tblock *b, const struct source *srcs, size_t nsrcs,
		      const char *helper_dir)
{
	const struct tframe *fr = NULL;
	const struct source *src = NULL;

	memset(site, 0, sizeof(*site));
	for (size_t i = 0; i < s->n && !src; i++) {
		src = student_source(&s->frames[i], srcs, nsrcs);
		if (src)
			fr = &s->frames[i];
	}
	if (!src)
		fr = first_sourced(s, helper_dir);
	if (!fr) {
		free(label);
		return false;
	}
	site->label = label;
	site->thread = thread > 0 ? thread : 0;
	site->line = fr->line;
	site->function = xstrdup(fr->fn ? fr->fn : "?");
	site->student = src != NULL;
	site->file = xstrdup(src ? src->display : base_name(fr->file));
	if (src && source_line(src, fr->line))
		site->text = xstrdup(source_line(src, fr->line));
	if (site->thread)
		site->thread_origin = where_created(b, site->thread, srcs, nsrcs, helper_dir);
	return true;
}

static void add_site(struct finding *nf, size_t *alloc, const struct tstack *s, char *label,
		     int thread, const struct tblock *b, const struct source *srcs, size_t nsrcs,
		     const char *helper_dir)
{
	ALLOC_GROW(nf->sites, nf->nsites + 1, *alloc);
	if (make_site(&nf->sites[nf->nsites], s, label, thread, b, srcs, nsrcs, helper_dir))
		nf->nsites++;
}

/* Lock "M0" (id, n bytes) of a report, by where it says the lock was created. */
static char *lock_name(const struct tblock *b, const char *id, size_t n, const char *helper_dir)
{
	for (size_t i = 0; i < b->n; i++) {
		const char *label = b->stacks[i].label;
		const struct tframe *fr;

		/* "Mutex M0 (0x7b0c00000000) created at:" */
		if (!label || !tsan_starts_with(label, "Mutex ") || strncmp(label + 6, id, n) ||
		    !tsan_starts_with(label + 6 + n, " (0x"))
			continue;
		fr = first_sourced(&b->stacks[i], helper_dir);
		if (fr)
			return xstrfmt("the lock first used at %s:%d", base_name(fr->file), fr->line);
	}
	return xstrdup("a lock");
}

/*
 * The locks a thread held at an access, as its label's "(mutexes: write
 * M0, read M1)" says, in the words of Helgrind's sites: "none" when it
 * does not say.
 */
static char *locks_held(const char *label, const struct tblock *b, const char *helper_dir)
{
	const char *m = strstr(label, "(mutexes: "), *end;
	struct strbuf sb = STRBUF_INIT;

	if (!m)
		return xstrdup("none");
	end = strchr(m, ')');
	for (m += 10; (m = strchr(m, 'M')) && (!end || m < end);) {
		size_t n = 1 + strspn(m + 1, "0123456789");
		char *name = lock_name(b, m, n, helper_dir);

		sb_addf(&sb, "%s%s", sb.len ? ", " : "", name);
		free(name);
		m += n;
	}
	return sb.len ? sb_detach(&sb) : xstrdup("a lock");
}

static void race_sites(struct finding *nf, size_t *alloc, const struct tblock *b,
		       const struct source *srcs, size_t nsrcs, const char *helper_dir)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct tstack *s = &b->stacks[i];
		size_t before = nf->nsites;
		bool is_main;

		if (!is_access(s->label))
			continue;
		add_site(nf, alloc, s, access_label(s->label), thread_in(s->label, &is_main), b,
			 srcs, nsrcs, helper_dir);
		if (nf->nsites > before)
			nf->sites[before].locks = locks_held(s->label, b, helper_dir);
	}
}

/* Whether the sites of a use after free are in two threads, as a race is. */
static bool two_threads(const struct tblock *b)
{
	int first = -2;
	bool is_main;

	for (size_t i = 0; i < b->n; i++) {
		int t;

		if (!is_access(b->stacks[i].label))
			continue;
		t = thread_in(b->stacks[i].label, &is_main);
		if (first == -2)
			first = t;
		else if (t != first)
			return true;
	}
	return false;
}

/* One edge of a lock-order cycle: lock `acquired` taken while holding `held`. */
struct edge {
	int acquired, held, thread;
	bool is_main;
	const struct tstack *here, *before;	/* where each was taken; before may be NULL */
};

static char lock_letter(int *locks, size_t *nlocks, int id)
{
	size_t i;

	for (i = 0; i < *nlocks; i++)
		if (locks[i] == id)
			break;
	if (i == *nlocks && *nlocks < 26)
		locks[(*nlocks)++] = id;
	return i < 26 ? (char)('A' + i) : '?';
}

/*
 * "Mutex M1 acquired here while holding mutex M0 in thread T1", then "Mutex
 * M0 previously acquired by the same thread here", once per edge of the
 * cycle.  Said as findings.c says Helgrind's: the first edge establishes
 * the order A before B, the others break it.
 */
static void lock_order_sites(struct finding *nf, size_t *alloc, const struct tblock *b,
			     const struct source *srcs, size_t nsrcs, const char *helper_dir)
{
	static const char holding[] = " acquired here while holding mutex M";
	struct edge edges[MAX_STACKS];
	size_t nedges = 0, nlocks = 0;
	int locks[26];

	for (size_t i = 0; i < b->n; i++) {
		const struct tstack *s = &b->stacks[i];
		const char *held;
		int m;

		if (!s->label || !tsan_starts_with(s->label, "Mutex M") || !tsan_is_digit(s->label[7]))
			continue;
		m = atoi(s->label + 7);
		if ((held = strstr(s->label, holding))) {
			struct edge *e = &edges[nedges++];

			e->acquired = m;
			e->held = atoi(held + sizeof(holding) - 1);
			e->thread = thread_in(strstr(held, " in ") ? strstr(held, " in ") : "",
					      &e->is_main);
			e->here = s;
			e->before = NULL;
		} else if (strstr(s->label, "previously acquired") && nedges &&
			   edges[nedges - 1].held == m) {
			edges[nedges - 1].before = s;
		}
	}
	for (size_t i = 0; i < nedges; i++) {
		lock_letter(locks, &nlocks, edges[i].held);
		lock_letter(locks, &nlocks, edges[i].acquired);
	}
	for (size_t i = 1; i < nedges; i++) {
		const struct edge *e = &edges[i];
		char *who = e->thread > 0 ? xstrfmt("thread T%d", e->thread)
			  : xstrdup(e->is_main ? "the main thread" : "a thread");

		add_site(nf, alloc, e->here,
			 xstrfmt("%s took lock %c here while holding lock %c%s", who,
				 lock_letter(locks, &nlocks, e->acquired),
				 lock_letter(locks, &nlocks, e->held),
				 nedges == 2 ? ": the opposite order" : ""),
			 e->thread, b, srcs, nsrcs, helper_dir);
		free(who);
	}
	if (nedges && edges[0].before)
		add_site(nf, alloc, edges[0].before,
			 xstrfmt("first, one thread took lock %c here",
				 lock_letter(locks, &nlocks, edges[0].held)),
			 0, b, srcs, nsrcs, helper_dir);
	if (nedges)
		add_site(nf, alloc, edges[0].here,
			 xstrfmt("then lock %c here, while holding %c",
				 lock_letter(locks, &nlocks, edges[0].acquired),
				 lock_letter(locks, &nlocks, edges[0].held)),
			 0, b, srcs, nsrcs, helper_dir);
}

/* The variable the warning is about, when TSan says. */
static char *variable_of(const struct tblock *b, const struct source *srcs, size_t nsrcs)
{
	for (size_t i = 0; i < b->nnotes; i++) {
		const char *start, *end;

		if (!tsan_starts_with(b->notes[i], "Location is global '"))
			continue;
		start = b->notes[i] + 20;
		end = strchr(start, '\'');
		if (end && end > start && strncmp(start, "<null>", 6))
			return xstrndup(start, (size_t)(end - start));
	}
	/* A heap block: say where the student allocated it. */
	for (size_t i = 0; i < b->n; i++) {
		const struct tstack *s = &b->stacks[i];

		if (!s->label || !(tsan_starts_with(s->label, "Location is heap block") ||
				   tsan_starts_with(s->label, "previously allocated by") ||
				   tsan_starts_with(s->label, "allocated by")))
			continue;
		for (size_t j = 0; j < s->n; j++) {
			const struct source *src = student_source(&s->frames[j], srcs, nsrcs);

			if (src)
				return xstrfmt("memory allocated at %s:%d", src->display,
					       s->frames[j].line);
		}
	}
	return NULL;
}

/*
 * The sites of a memory error: the bad access (or, for a crash or a bad
 * free, the stack right under the headline), then where the block was
 * freed and where it was allocated.
 */
static void memory_sites(struct finding *nf, size_t *alloc, const struct tblock *b,
			 const struct source *srcs, size_t nsrcs, const char *helper_dir)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct tstack *s = &b->stacks[i];
		bool is_main;
		char *label;

		if (!s->label)
			label = xstrdup(b->what);
		else if (is_access(s->label))
			label = access_label(s->label);
		else if (tsan_starts_with(s->label, "freed by") ||
			 tsan_starts_with(s->label, "previously allocated by") ||
			 tsan_starts_with(s->label, "allocated by"))
			label = access_label(tsan_starts_with(s->label, "previously ") ? s->label + 11
										 : s->label);
		else
			continue;
		add_site(nf, alloc, s, label, thread_in(s->label, &is_main), b, srcs, nsrcs,
			 helper_dir);
	}
}

/* AddressSanitizer's name of an error, in words. */
static char *memory_headline(const char *what)
{
	static const struct { const char *asan, *words; } names[] = {
		{ "heap-use-after-free", "memory used after it was freed" },
		{ "heap-buffer-overflow", "an access past the end (or before the start) of a "
					  "block from malloc" },
		{ "stack-buffer-overflow", "an access past the end of a local array" },
		{ "global-buffer-overflow", "an access past the end of a global array" },
		{ "stack-use-after-return", "a local variable used after its function returned" },
		{ "attempting double-free", "a block freed twice" },
		{ "attempting free", "free() of memory that did not come from malloc()" },
		{ "SEGV", "a crash: a bad pointer was followed" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (tsan_starts_with(what, names[i].asan))
			return xstrdup(names[i].words);
	return xstrdup(what);
}

static bool classify(const struct tblock *b, enum finding_kind *kind)
{
	if (b->asan) {
		*kind = FINDING_MEMORY;
		return true;
	}
	if (tsan_starts_with(b->what, "data race")) {
		*kind = FINDING_RACE;
		return true;
	}
	if (tsan_starts_with(b->what, "heap-use-after-free")) {
		*kind = FINDING_MEMORY;
		return two_threads(b);
	}
	if (tsan_starts_with(b->what, "lock-order-inversion")) {
		*kind = FINDING_LOCK_ORDER;
		return true;
	}
	*kind = FINDING_MISUSE;
	return strstr(b->what, "mutex") != NULL;
}

static void block_add(struct findings *f, const struct tblock *b, const struct source *srcs,
		      size_t nsrcs, const char *helper_dir)
{
	struct finding nf;
	size_t alloc = 0;
	bool students = false;

	memset(&nf, 0, sizeof(nf));
	if (!b->what || !classify(b, &nf.kind))
		return;
	if (nf.kind == FINDING_RACE)
		race_sites(&nf, &alloc, b, srcs, nsrcs, helper_dir);
	else if (nf.kind == FINDING_LOCK_ORDER)
		lock_order_sites(&nf, &alloc, b, srcs, nsrcs, helper_dir);
	else if (nf.kind == FINDING_MEMORY && b->asan)
		memory_sites(&nf, &alloc, b, srcs, nsrcs, helper_dir);
	else if (nf.kind == FINDING_MEMORY)
		race_sites(&nf, &alloc, b, srcs, nsrcs, helper_dir);
	else if (b->n && !b->stacks[0].label)
		add_site(&nf, &alloc, &b->stacks[0], xstrdup(b->what), -1, b, srcs, nsrcs, helper_dir);
	for (size_t i = 0; i < nf.nsites; i++)
		students |= nf.sites[i].student;
	if (!students) {
		finding_release(&nf);
		return;
	}
	if (nf.kind == FINDING_LOCK_ORDER)
		nf.headline = xstrdup("two locks were taken in both orders");
	else if (nf.kind == FINDING_MEMORY)
		nf.headline = memory_headline(b->what);
	else if (nf.kind == FINDING_RACE)
		nf.headline = xstrdup(nf.sites[0].label);
	else
		nf.headline = xstrdup(b->what);
	nf.variable = variable_of(b, srcs, nsrcs);
	nf.tools = b->asan ? TOOL_ASAN : TOOL_TSAN;
	nf.occurrences = 1;
	findings_merge(f, &nf);
}

struct add_ctx {
	struct findings *f;
	const struct source *srcs;
	size_t nsrcs;
	const char *helper_dir;
};

static void add_block(const struct tblock *b, void *arg)
{
	const struct add_ctx *ctx = arg;

	block_add(ctx->f, b, ctx->srcs, ctx->nsrcs, ctx->helper_dir);
}

void tsan_add_report(struct findings *f, const char *text, size_t len, const struct source *srcs,
		     size_t nsrcs, const char *helper_dir)
{
	struct add_ctx ctx = { f, srcs, nsrcs, helper_dir };

	tsan_text_read(text, len, add_block, &ctx);
}
