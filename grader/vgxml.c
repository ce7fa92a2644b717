/* Reading valgrind's XML output (Helgrind, DRD) with expat. */
#include "vgxml.h"

#include <errno.h>
#include <expat.h>
#include <stdlib.h>
#include <string.h>

/*
 * The parser keeps a little state: which element it is in, the text of the
 * current leaf, and the error, stack and frame being built.  Text that comes
 * before a <stack> (a <what>, <auxwhat> or <xauxwhat><text>) becomes that
 * stack's label, which is how valgrind pairs them.
 */
struct parser {
	struct vg_report *r;
	struct strbuf text;
	char *pending_label;
	struct vg_error *error;		/* the error being read, or NULL */
	struct vg_thread *thread;	/* the announced thread being read */
	struct vg_stack *stack;		/* the stack being read, or NULL */
	struct vg_frame *frame;		/* the frame being read, or NULL */
	int depth, error_depth;
	bool in_xwhat, in_xauxwhat;
	bool in_observed;		/* in DRD's <first_observed_at> */
	bool saw_tool;			/* this document named its tool: it is valgrind's */
};

static void set_label(struct parser *p, const char *text)
{
	free(p->pending_label);
	p->pending_label = xstrdup(text);
}

static struct vg_stack *new_stack(struct parser *p)
{
	struct vg_stack *s;

	if (p->thread) {
		s = &p->thread->created;
	} else if (p->error) {
		struct vg_error *e = p->error;

		ALLOC_GROW(e->stacks, e->nstacks + 1, e->alloc);
		s = &e->stacks[e->nstacks++];
		memset(s, 0, sizeof(*s));
	} else {
		return NULL;
	}
	s->label = p->pending_label ? p->pending_label : xstrdup("");
	p->pending_label = NULL;
	return s;
}

static void on_start(void *data, const char *name, const char **attrs)
{
	struct parser *p = data;
	struct vg_report *r = p->r;

	(void)attrs;
	p->depth++;
	p->text.len = 0;
	if (p->text.buf)
		p->text.buf[0] = '\0';
	if (!strcmp(name, "error") && !p->error) {
		ALLOC_GROW(r->errors, r->nerrors + 1, r->alloc);
		p->error = &r->errors[r->nerrors];
		memset(p->error, 0, sizeof(*p->error));
		p->error_depth = p->depth;
	} else if (!strcmp(name, "announcethread") && !p->error) {
		ALLOC_GROW(r->threads, r->nthreads + 1, r->threads_alloc);
		p->thread = &r->threads[r->nthreads];
		memset(p->thread, 0, sizeof(*p->thread));
	} else if (!strcmp(name, "stack")) {
		p->stack = new_stack(p);
	} else if (!strcmp(name, "frame") && p->stack) {
		struct vg_stack *s = p->stack;

		ALLOC_GROW(s->frames, s->nframes + 1, s->alloc);
		p->frame = &s->frames[s->nframes++];
		memset(p->frame, 0, sizeof(*p->frame));
	} else if (!strcmp(name, "xwhat")) {
		p->in_xwhat = true;
	} else if (!strcmp(name, "xauxwhat")) {
		p->in_xauxwhat = true;
	} else if (!strcmp(name, "first_observed_at")) {
		/* DRD: where a mutex or condvar was first seen, not the misuse */
		p->in_observed = true;
		set_label(p, "first observed");
	} else if (!strcmp(name, "allocation_context")) {
		set_label(p, "allocated");
	} else if (!strcmp(name, "other_segment_start") || !strcmp(name, "other_segment_end")) {
		/* DRD: where the conflicting thread's segment began and ended */
		set_label(p, "other segment");
	}
}

static void add_aux(struct vg_error *e, const char *text)
{
	ALLOC_GROW(e->aux, e->naux + 1, e->aux_alloc);
	e->aux[e->naux++] = xstrdup(text);
}

static void on_frame_field(struct vg_frame *f, const char *name, const char *text)
{
	if (!strcmp(name, "fn"))
		f->fn = xstrdup(text);
	else if (!strcmp(name, "dir"))
		f->dir = xstrdup(text);
	else if (!strcmp(name, "file"))
		f->file = xstrdup(text);
	else if (!strcmp(name, "obj"))
		f->obj = xstrdup(text);
	else if (!strcmp(name, "line"))
		f->line = atoi(text);
}

static void on_end(void *data, const char *name)
{
	struct parser *p = data;
	const char *text = sb_str(&p->text);
	struct vg_error *e = p->error;

	if (p->frame && strcmp(name, "frame")) {
		on_frame_field(p->frame, name, text);
	} else if (!strcmp(name, "frame")) {
		p->frame = NULL;
	} else if (!strcmp(name, "stack")) {
		p->stack = NULL;
	} else if (!strcmp(name, "tool") && !e) {
		p->saw_tool = true;
		if (!p->r->tool)
			p->r->tool = xstrdup(text);
	} else if (p->thread && !strcmp(name, "hthreadid")) {
		p->thread->id = atoi(text);
	} else if (!strcmp(name, "announcethread")) {
		if (p->thread)
			p->r->nthreads++;
		p->thread = NULL;
	} else if (e && !strcmp(name, "kind")) {
		e->kind = xstrdup(text);
	} else if (e && p->in_observed && !strcmp(name, "what")) {
		/* "mutex": what the object is, not what went wrong */
	} else if (!strcmp(name, "first_observed_at")) {
		p->in_observed = false;
	} else if (e && !e->what && !strcmp(name, "what")) {
		e->what = xstrdup(text);
		set_label(p, text);
	} else if (e && p->in_xwhat && !strcmp(name, "text")) {
		e->what = xstrdup(text);
		set_label(p, text);
	} else if (e && p->in_xwhat && !strcmp(name, "hthreadid")) {
		e->tid = atoi(text);
	} else if (e && p->in_xauxwhat && !strcmp(name, "text")) {
		add_aux(e, text);
		set_label(p, text);
	} else if (e && !strcmp(name, "auxwhat")) {
		add_aux(e, text);
		set_label(p, text);
	} else if (!strcmp(name, "xwhat")) {
		p->in_xwhat = false;
	} else if (!strcmp(name, "xauxwhat")) {
		p->in_xauxwhat = false;
	} else if (e && !strcmp(name, "error") && p->depth == p->error_depth) {
		p->r->nerrors++;	/* complete: keep it */
		p->error = NULL;
		free(p->pending_label);
		p->pending_label = NULL;
	}
	p->text.len = 0;
	if (p->text.buf)
		p->text.buf[0] = '\0';
	p->depth--;
}

static void on_text(void *data, const char *s, int len)
{
	struct parser *p = data;

	sb_add(&p->text, s, (size_t)len);
}

static void free_stack(struct vg_stack *s)
{
	for (size_t i = 0; i < s->nframes; i++) {
		free(s->frames[i].fn);
		free(s->frames[i].dir);
		free(s->frames[i].file);
		free(s->frames[i].obj);
	}
	free(s->frames);
	free(s->label);
}

static void free_error(struct vg_error *e)
{
	free(e->kind);
	free(e->what);
	for (size_t i = 0; i < e->nstacks; i++)
		free_stack(&e->stacks[i]);
	free(e->stacks);
	for (size_t i = 0; i < e->naux; i++)
		free(e->aux[i]);
	free(e->aux);
}

int vgxml_parse(struct vg_report *r, const char *data, size_t len, struct strbuf *err)
{
	XML_Parser xp = XML_ParserCreate(NULL);
	struct parser p;
	int rc = 0;

	if (!xp)
		die("out of memory");
	memset(&p, 0, sizeof(p));
	p.r = r;
	XML_SetUserData(xp, &p);
	XML_SetElementHandler(xp, on_start, on_end);
	XML_SetCharacterDataHandler(xp, on_text);
	if (!len) {
		/* killed before it wrote anything */
		r->truncated = true;
	} else if (XML_Parse(xp, data, (int)len, 1) == XML_STATUS_ERROR) {
		enum XML_Error code = XML_GetErrorCode(xp);

		/*
		 * A process killed at its time limit leaves a document that
		 * stops mid-way, and a tool that fails (code that corrupts
		 * memory can make it assert) writes its last words into it:
		 * what was complete before either still counts.  Before the
		 * <tool> element, it was never valgrind's.
		 */
		if (((code == XML_ERROR_NO_ELEMENTS || code == XML_ERROR_UNCLOSED_TOKEN ||
		      code == XML_ERROR_PARTIAL_CHAR) &&
		     XML_GetCurrentByteIndex(xp) >= (XML_Index)len - 1) || p.saw_tool) {
			r->truncated = true;
		} else {
			sb_addf(err, "not valgrind XML: line %lu: %s",
				(unsigned long)XML_GetCurrentLineNumber(xp), XML_ErrorString(code));
			rc = -1;
		}
	}
	/* An error or thread still open when the document ended is dropped. */
	if (p.error)
		free_error(p.error);
	if (p.thread)
		free_stack(&p.thread->created);
	free(p.pending_label);
	sb_release(&p.text);
	XML_ParserFree(xp);
	if (!rc && !r->tool && !r->nerrors && !r->truncated) {
		sb_adds(err, "not valgrind XML: no <tool> element");
		rc = -1;
	}
	return rc;
}

int vgxml_parse_file(struct vg_report *r, const char *path, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	if (read_file(path, &sb)) {
		sb_addf(err, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	rc = vgxml_parse(r, sb_str(&sb), sb.len, err);
	if (rc) {
		struct strbuf msg = STRBUF_INIT;

		sb_addf(&msg, "%s: %s", path, sb_str(err));
		sb_release(err);
		*err = msg;
	}
	sb_release(&sb);
	return rc;
}

void vg_report_release(struct vg_report *r)
{
	for (size_t i = 0; i < r->nerrors; i++)
		free_error(&r->errors[i]);
	free(r->errors);
	for (size_t i = 0; i < r->nthreads; i++)
		free_stack(&r->threads[i].created);
	free(r->threads);
	free(r->tool);
	memset(r, 0, sizeof(*r));
}

const struct vg_thread *vg_report_thread(const struct vg_report *r, int id)
{
	for (size_t i = 0; i < r->nthreads; i++)
		if (r->threads[i].id == id)
			return &r->threads[i];
	return NULL;
}
