/* Finding a stage's student files in a submission and staging them. */
#ifndef RACECOURSE_SUBMISSION_H
#define RACECOURSE_SUBMISSION_H

#include <stddef.h>

#include "stage.h"
#include "util.h"

/* One student file, as found in the submission and as staged for building. */
struct source {
	char *name;		/* "account.c" */
	char *display;		/* the path shown to the student: "starter/03-race/account.c" */
	char *staged;		/* absolute path of the copy in the scratch directory */
	struct strbuf text;	/* the file's contents */
	char **lines;		/* pointers into a copy of text, one per line */
	size_t nlines;
};

/*
 * Finds the stage's student files in the submission directory `sub`: for
 * each stage, in SUB/starter/<stage>/, SUB/<stage>/ or SUB/, the first that
 * has them all.  Copies them into `dir` (created) and fills srcs[0..n).
 * `display_prefix` is how the submission is named in messages ("starter").
 * Returns 0, or -1 with a one-line reason in err ("account.c not found in
 * SUB", "account.c is empty").
 */
int submission_stage(const struct stage *st, const char *sub, const char *display_prefix,
		     const char *dir, struct source **srcs, size_t *n, struct strbuf *err);
void sources_free(struct source *srcs, size_t n);

/* Line `line` (from 1) of the source, or NULL when it has no such line. */
const char *source_line(const struct source *src, int line);

#endif
