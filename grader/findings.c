/* Detector findings in the student's code, from valgrind's reports. */
#include "findings.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static enum finding_kind classify(const char *kind)
{
	if (!kind)
		return FINDING_MISUSE;
	if (!strcmp(kind, "Race") || !strcmp(kind, "ConflictingAccess"))
		return FINDING_RACE;
	if (!strcmp(kind, "LockOrder"))
		return FINDING_LOCK_ORDER;
	return FINDING_MISUSE;
}

const char *finding_kind_name(enum finding_kind kind)
{
	switch (kind) {
	case FINDING_RACE: return "data race";
	case FINDING_LOCK_ORDER: return "lock order violated (a possible deadlock)";
	case FINDING_MEMORY: return "memory error";
	default: return "misuse of the pthread API";
	}
}

const char *finding_kind_tag(enum finding_kind kind)
{
	switch (kind) {
	case FINDING_RACE: return "race";
	case FINDING_LOCK_ORDER: return "lock-order";
	case FINDING_MEMORY: return "memory";
	default: return "misuse";
	}
}

const char *finding_kind_advice(enum finding_kind kind)
{
	switch (kind) {
	case FINDING_RACE:
		return "Two threads used this memory at the same time and at least one wrote it, "
		       "with no lock ordering them: the result depends on timing even when this "
		       "run's output was right. Usually: take the same mutex around every access, "
		       "reads included, or give each thread its own copy and combine after "
		       "pthread_join.";
	case FINDING_LOCK_ORDER:
		return "These locks were taken in one order in one place and in the opposite order "
		       "in another: two threads doing both at once deadlock. Usually: always take "
		       "the locks in one global order (for example by account index).";
	case FINDING_MEMORY:
		return "The code used memory it does not own: a block after it was freed (often "
		       "one another thread freed between two critical sections), past the end of "
		       "a block or an array, or a block freed twice. The run may still have given "
		       "the right output; the next one may crash or corrupt data. Usually: keep "
		       "a pointer only while the lock that protects the block is held, and size "
		       "buffers by what they hold.";
	default:
		return "A pthread function was called in a way it does not allow (unlocking a "
		       "mutex this thread does not hold, destroying a lock in use, ...). Usually: "
		       "pair every lock with exactly one unlock on every path.";
	}
}

/* ---- turning valgrind's stacks into sites ---- */

static const struct source *student_source(const struct vg_frame *fr, const struct source *srcs,
					   size_t nsrcs)
{
	if (!fr->file || !fr->dir)
		return NULL;
	for (size_t i = 0; i < nsrcs; i++) {
		const char *staged = srcs[i].staged;
		size_t dirlen = strlen(fr->dir);

		if (!strncmp(staged, fr->dir, dirlen) && staged[dirlen] == '/' &&
		    !strcmp(staged + dirlen + 1, fr->file))
			return &srcs[i];
	}
	return NULL;
}

/* Stacks that show where memory was allocated or a lock first seen, not an access. */
static bool is_access_stack(const struct vg_stack *s)
{
	static const char *const skip[] = {
		"Address ", "Location ", "Lock at ", "allocated", "Block was",
		"other segment", "first observed",
	};

	for (size_t i = 0; i < sizeof(skip) / sizeof(*skip); i++)
		if (!strncmp(s->label, skip[i], strlen(skip[i])))
			return false;
	/* "Mutex 0x.. was first observed at", but not DRD's "Mutex not locked" */
	return !strstr(s->label, "first observed");
}

/* valgrind's words without the addresses, which mean nothing to a student. */
static char *plain_words(const char *text)
{
	static const char *const prefixes[] = { "Possible data race during ", "This conflicts with " };
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (!strncmp(text, prefixes[i], strlen(prefixes[i])))
			text += strlen(prefixes[i]);
	while (*text) {
		/* DRD's mutex state after the address: nothing a student can use */
		if (!strncmp(text, ", recursion count ", 18))
			break;
		if (!strncmp(text, " at address 0x", 14)) {
			text += 14;	/* DRD: "The object at address 0x.. is not a mutex" */
			while (isxdigit((unsigned char)*text))
				text++;
			continue;
		}
		if (!strncmp(text, " at 0x", 6) || !strncmp(text, " 0x", 3)) {
			text += text[1] == 'a' ? 6 : 3;
			while ((*text >= '0' && *text <= '9') || (*text >= 'a' && *text <= 'f') ||
			       (*text >= 'A' && *text <= 'F'))
				text++;
			continue;
		}
		sb_add(&sb, text++, 1);
	}
	return sb_detach(&sb);
}

/* "thread #3" (Helgrind) or "thread 3" (DRD) in a label. */
static int thread_in(const char *label)
{
	const char *t = strstr(label, "thread ");

	if (!t)
		t = strstr(label, "Thread ");
	if (!t)
		return 0;
	t += 7;
	if (*t == '#')
		t++;
	return atoi(t);
}

/*
 * The first frame of a stack in the program's own sources: one with a file
 * and a line, not in a system library, nor in the kit's helpers.
 */
static const struct vg_frame *first_sourced(const struct vg_stack *s, const char *helper_dir)
{
	for (size_t i = 0; i < s->nframes; i++) {
		const struct vg_frame *fr = &s->frames[i];

		if (!fr->file || !fr->line || !fr->fn || (fr->obj && strstr(fr->obj, "/lib")))
			continue;
		if (helper_dir && fr->dir && !strcmp(fr->dir, helper_dir))
			continue;
		return fr;
	}
	return NULL;
}

static char *where_created(const struct vg_report *r, int tid, const struct source *srcs,
			   size_t nsrcs, const char *helper_dir)
{
	const struct vg_thread *t = vg_report_thread(r, tid);
	const struct vg_frame *fr;

	if (!t)
		return tid == 1 ? xstrdup("the main thread") : NULL;
	/* The innermost frame in the student's file, else in the kit's. */
	for (size_t i = 0; i < t->created.nframes; i++) {
		const struct source *src = student_source(&t->created.frames[i], srcs, nsrcs);

		if (src)
			return xstrfmt("%s:%d", src->display, t->created.frames[i].line);
	}
	fr = first_sourced(&t->created, helper_dir);
	return fr ? xstrfmt("%s:%d (%s)", fr->file, fr->line, fr->fn) : NULL;
}

/*
 * Helgrind describes a lock-order violation with addresses: "lock order
 * "0x4A4B090 before 0x4A4B0C0" violated", then where that order was
 * established.  Call the locks A and B and say what each place did.
 */
static char *lock_order_label(const char *label, int thread)
{
	if (!strncmp(label, "Required order was established", 30))
		return xstrdup("first, one thread took lock A here");
	if (!strncmp(label, "followed by a later acquisition", 31))
		return xstrdup("then lock B here, while holding A");
	if (thread)
		return xstrfmt("thread #%d took lock A here while holding lock B: the opposite order",
			       thread);
	return xstrdup("a thread took lock A here while holding lock B: the opposite order");
}

static bool make_site(struct site *site, const struct vg_stack *s, const struct vg_report *r,
		      const struct source *srcs, size_t nsrcs, const char *helper_dir,
		      bool lock_order)
{
	const struct vg_frame *fr = NULL;
	const struct source *src = NULL;

	memset(site, 0, sizeof(*site));
	for (size_t i = 0; i < s->nframes && !src; i++) {
		src = student_source(&s->frames[i], srcs, nsrcs);
		if (src)
			fr = &s->frames[i];
	}
	if (!src)
		fr = first_sourced(s, helper_dir);
	if (!fr)
		return false;
	site->thread = thread_in(s->label);
	site->label = lock_order ? lock_order_label(s->label, site->thread) : plain_words(s->label);
	site->line = fr->line;
	site->function = xstrdup(fr->fn);
	site->student = src != NULL;
	site->file = xstrdup(src ? src->display : fr->file);
	if (src && source_line(src, fr->line))
		site->text = xstrdup(source_line(src, fr->line));
	if (site->thread)
		site->thread_origin = where_created(r, site->thread, srcs, nsrcs, helper_dir);
	return true;
}

void site_release(struct site *s)
{
	free(s->label);
	free(s->file);
	free(s->function);
	free(s->text);
	free(s->thread_origin);
	free(s->locks);
}

/* The variable the error is about, when valgrind says. */
static char *variable_of(const struct vg_error *e, const struct source *srcs, size_t nsrcs)
{
	for (size_t i = 0; i < e->naux; i++) {
		const char *sym = strstr(e->aux[i], "data symbol \"");

		if (sym) {
			const char *start = sym + 13, *end = strchr(start, '"');

			if (end)
				return xstrfmt("%.*s", (int)(end - start), start);
		}
	}
	/* A heap block: say where the student allocated it. */
	for (size_t i = 0; i < e->nstacks; i++) {
		const struct vg_stack *s = &e->stacks[i];

		if (strncmp(s->label, "Address ", 8) && strcmp(s->label, "allocated"))
			continue;
		for (size_t j = 0; j < s->nframes; j++) {
			const struct source *src = student_source(&s->frames[j], srcs, nsrcs);

			if (src)
				return xstrfmt("memory allocated at %s:%d", src->display,
					       s->frames[j].line);
		}
	}
	return NULL;
}

/* ---- merging ---- */

static bool has_place(const struct finding *f, const struct site *s)
{
	for (size_t i = 0; i < f->nsites; i++)
		if (f->sites[i].student && f->sites[i].line == s->line &&
		    !strcmp(f->sites[i].file, s->file))
			return true;
	return false;
}

/*
 * Whether b is a finding already in a: Helgrind reports a race once for the
 * read and once for the write of `n++`, and DRD reports it again; all three
 * are one finding at that line.  A lock-order cycle is the same only when
 * all its lines are.
 */
static bool same_places(const struct finding *a, const struct finding *b)
{
	if (a->kind != b->kind)
		return false;
	for (size_t j = 0; j < b->nsites; j++) {
		if (!b->sites[j].student)
			continue;
		if (!has_place(a, &b->sites[j]))
			return false;
		if (b->kind != FINDING_LOCK_ORDER)
			return true;
	}
	return true;
}

void finding_release(struct finding *f)
{
	for (size_t i = 0; i < f->nsites; i++)
		site_release(&f->sites[i]);
	free(f->sites);
	free(f->headline);
	free(f->variable);
}

/*
 * DRD's "Mutex still locked at thread exit" happens in the kit's join, not
 * the student's code; the only line of theirs is where DRD first saw the
 * mutex (the lock a thread returned holding).  Use it when nothing else is.
 */
static bool observed_site(struct finding *nf, const struct vg_error *e, const struct vg_report *r,
			  const struct source *srcs, size_t nsrcs, const char *helper_dir)
{
	for (size_t j = 0; j < e->nstacks; j++) {
		struct site *site = &nf->sites[nf->nsites];

		if (strcmp(e->stacks[j].label, "first observed"))
			continue;
		if (!make_site(site, &e->stacks[j], r, srcs, nsrcs, helper_dir, false))
			continue;
		if (!site->student) {
			site_release(site);
			continue;
		}
		free(site->label);
		site->label = xstrdup("the mutex, as first locked or made here");
		nf->nsites++;
		return true;
	}
	return false;
}

void findings_add_report(struct findings *f, const struct vg_report *r, unsigned tool,
			 const struct source *srcs, size_t nsrcs, const char *helper_dir)
{
	for (size_t i = 0; i < r->nerrors; i++) {
		const struct vg_error *e = &r->errors[i];
		struct finding nf;
		bool students = false;

		memset(&nf, 0, sizeof(nf));
		nf.kind = classify(e->kind);
		nf.sites = xcalloc(e->nstacks ? e->nstacks : 1, sizeof(*nf.sites));
		for (size_t j = 0; j < e->nstacks; j++) {
			if (!is_access_stack(&e->stacks[j]))
				continue;
			if (make_site(&nf.sites[nf.nsites], &e->stacks[j], r, srcs, nsrcs, helper_dir,
				      nf.kind == FINDING_LOCK_ORDER)) {
				students |= nf.sites[nf.nsites].student;
				nf.nsites++;
			}
		}
		if (!students && nf.kind == FINDING_MISUSE)
			students = observed_site(&nf, e, r, srcs, nsrcs, helper_dir);
		if (!students) {
			finding_release(&nf);
			continue;
		}
		if (nf.kind == FINDING_LOCK_ORDER)
			nf.headline = xstrdup("two locks were taken in both orders");
		else
			nf.headline = plain_words(e->what ? e->what : e->kind ? e->kind : "");
		nf.variable = variable_of(e, srcs, nsrcs);
		nf.tools = tool;
		nf.occurrences = 1;
		findings_merge(f, &nf);
	}
}

void findings_merge(struct findings *f, struct finding *nf)
{
	for (size_t k = 0; k < f->n; k++) {
		struct finding *old = &f->v[k];

		if (!same_places(old, nf))
			continue;
		old->tools |= nf->tools;
		old->occurrences += nf->occurrences;
		if (!old->variable) {
			old->variable = nf->variable;
			nf->variable = NULL;
		}
		finding_release(nf);
		return;
	}
	ALLOC_GROW(f->v, f->n + 1, f->alloc);
	f->v[f->n++] = *nf;
	memset(nf, 0, sizeof(*nf));
}

char *finding_tools_text(unsigned tools)
{
	static const struct {
		unsigned flag;
		const char *name;
	} names[] = {
		{ TOOL_HELGRIND, "Helgrind" }, { TOOL_DRD, "DRD" }, { TOOL_TSAN, "ThreadSanitizer" },
		{ TOOL_ASAN, "AddressSanitizer" },
	};
	struct strbuf sb = STRBUF_INIT;
	size_t n = 0, total = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		total += (tools & names[i].flag) != 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		if (!(tools & names[i].flag))
			continue;
		n++;
		sb_addf(&sb, "%s%s", n == 1 ? "" : n == total ? " and " : ", ", names[i].name);
	}
	return sb_detach(&sb);
}

void findings_release(struct findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		finding_release(&f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}
