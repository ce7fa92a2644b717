/* Detector findings in the student's code, from valgrind's reports. */
#ifndef RACECOURSE_FINDINGS_H
#define RACECOURSE_FINDINGS_H

#include <stddef.h>

#include "submission.h"
#include "vgxml.h"

enum finding_kind {
	FINDING_RACE,		/* two threads touch the same memory, one writes, no lock orders them */
	FINDING_LOCK_ORDER,	/* two locks taken in both orders: a possible deadlock */
	FINDING_MISUSE,		/* the pthread API used wrongly */
	FINDING_MEMORY,		/* memory used after free, past its end, freed twice */
};

#define TOOL_HELGRIND 1u
#define TOOL_DRD 2u
#define TOOL_TSAN 4u
#define TOOL_ASAN 8u
#define TOOL_VALGRIND (TOOL_HELGRIND | TOOL_DRD)

/* One place the finding is about: an access, or the taking of a lock. */
struct site {
	char *label;		/* in plain words: "read of size 8 by thread #3" */
	char *file;		/* the path shown: the student's, or the kit file's name */
	int line;
	char *function;
	char *text;		/* the source line, when it is the student's */
	int thread;		/* the thread, or 0 */
	char *thread_origin;	/* where that thread was created, "scenarios.c:40", or NULL */
	char *locks;		/* the locks its thread held there, "none", or NULL: unknown */
	bool student;		/* in the student's file */
};

struct finding {
	enum finding_kind kind;
	char *headline;		/* valgrind's words, without addresses */
	char *variable;		/* "counter", "a block of 16 bytes allocated at account.c:12", or NULL */
	struct site *sites;
	size_t nsites;
	unsigned tools;		/* TOOL_HELGRIND | TOOL_DRD | TOOL_TSAN | TOOL_ASAN */
	int occurrences;
};

struct findings {
	struct finding *v;
	size_t n, alloc;
};

/*
 * Adds the errors of one valgrind report that have a frame in one of the
 * student's files, merging those already found (by either tool) at the same
 * lines.  Errors wholly in kit or library code are not the student's and
 * are left out.  Frames in helper_dir (the kit's tests/lib: thread helpers
 * and the like), when not NULL, are passed over when saying where a thread
 * was created, so that the scenario that created it is named instead.
 */
void findings_add_report(struct findings *f, const struct vg_report *r, unsigned tool,
			 const struct source *srcs, size_t nsrcs, const char *helper_dir);
void findings_release(struct findings *f);

/*
 * Adds nf to f, taking what it owns, or, when f has a finding of the same
 * kind at the same student lines (the read and the write of `n++`, or the
 * same race seen by another tool), merges it into that one: its tools and
 * count grow, it gets nf's variable if it had none, and nf is released.
 * Every tool's parser adds its findings through here.
 */
void findings_merge(struct findings *f, struct finding *nf);
void finding_release(struct finding *f);
void site_release(struct site *s);

/* Which tools found it, in words: "Helgrind and DRD", "ThreadSanitizer". */
char *finding_tools_text(unsigned tools);

/* "data race", "lock order violated", "misuse of the pthread API". */
const char *finding_kind_name(enum finding_kind kind);
/* The short tag used in results: "race", "lock-order", "misuse", "memory". */
const char *finding_kind_tag(enum finding_kind kind);
/* One sentence: what it means and what usually fixes it. */
const char *finding_kind_advice(enum finding_kind kind);

#endif
