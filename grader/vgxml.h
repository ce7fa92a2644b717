/* Reading valgrind's XML output (Helgrind, DRD) with expat. */
#ifndef RACECOURSE_VGXML_H
#define RACECOURSE_VGXML_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct vg_frame {
	char *fn;		/* function, or NULL */
	char *dir;		/* source directory, or NULL */
	char *file;		/* source file name, or NULL */
	char *obj;		/* the object (executable or library) */
	int line;		/* 0 when unknown */
};

/* A stack trace, with the text valgrind printed just before it. */
struct vg_stack {
	char *label;		/* e.g. "This conflicts with a previous write ..." */
	struct vg_frame *frames;
	size_t nframes, alloc;
};

struct vg_error {
	char *kind;		/* "Race", "LockOrder", "ConflictingAccess", ... */
	char *what;		/* the headline */
	int tid;		/* the thread the headline is about, or 0 */
	struct vg_stack *stacks;	/* stacks[0] is the headline's */
	size_t nstacks, alloc;
	char **aux;		/* every auxiliary text, in order */
	size_t naux, aux_alloc;
};

/* A thread that Helgrind announced, with the stack that created it. */
struct vg_thread {
	int id;
	struct vg_stack created;
};

struct vg_report {
	char *tool;		/* "helgrind", "drd" */
	struct vg_error *errors;
	size_t nerrors, alloc;
	struct vg_thread *threads;
	size_t nthreads, threads_alloc;
	bool truncated;		/* the file ended early: the process was killed */
};

/*
 * Parses one valgrind XML document and appends what it finds to r (so that
 * the files of several processes add up).  A document cut short, as when
 * the process was killed at a time limit or the tool itself failed, keeps
 * the errors that were complete and sets r->truncated.  Returns 0, or -1 with a one-line reason
 * in err for a document that is not valgrind XML.
 */
int vgxml_parse(struct vg_report *r, const char *data, size_t len, struct strbuf *err);
/* vgxml_parse() on a file; -1 with the reason in err when it cannot be read. */
int vgxml_parse_file(struct vg_report *r, const char *path, struct strbuf *err);
void vg_report_release(struct vg_report *r);

/* The thread with that id, or NULL. */
const struct vg_thread *vg_report_thread(const struct vg_report *r, int id);

#endif
