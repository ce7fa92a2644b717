/* The locks each thread held at a race's accesses: Helgrind says so in its text log only. */
#ifndef RACECOURSE_HGLOCKS_H
#define RACECOURSE_HGLOCKS_H

#include <stddef.h>

#include "findings.h"

/*
 * Helgrind's XML leaves out the "Locks held" line that its text log gives
 * for each access of a race (valgrind 3.19 prints it in text mode only), so
 * a stage whose Helgrind run found races runs Helgrind once more with a
 * text log, and this module reads the locks from it.
 */
struct hg_access {
	char *kind;		/* "read" or "write" */
	char *frames;		/* "file.c:12\n" for each frame with a line, innermost first */
	char *locks;		/* "none", or the locks named as hglocks_parse() says */
};

struct hg_locks {
	struct hg_access *v;	/* both accesses of every race, in the log's order */
	size_t n, alloc;
};

/*
 * Reads a Helgrind text log.  A lock is named by its variable when it is
 * one ("m"), else by where it was first used ("the lock first used at
 * account.c:20"), else by its address.  Never fails: what it cannot read
 * it leaves out.
 */
void hglocks_parse(struct hg_locks *l, const char *log);
void hglocks_release(struct hg_locks *l);

/*
 * Gives each site of a race in f that Helgrind found the locks its thread
 * held there, when the log has an access of the same kind with a frame at
 * the site's file (by its base name) and line.
 */
void hglocks_apply(const struct hg_locks *l, struct findings *f);

#endif
