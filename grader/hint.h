/* Progressive hints: reading hints.md, remembering what was seen, `racecourse hint`. */
#ifndef RACECOURSE_HINT_H
#define RACECOURSE_HINT_H

#include <stddef.h>

#include "util.h"

/*
 * The hints of a stage, from assignments/<stage>/hints.md: each starts at a
 * `## Hint N` heading and runs to the next heading of level 1 or 2 (headings
 * inside ``` fences do not count).  The Nth such section is hint N.
 */
struct hints {
	char **text;		/* hint i + 1's body, blank lines around it trimmed */
	size_t n;
};
#define HINTS_INIT { NULL, 0 }

/* Splits Markdown text into hints; never fails (no section: 0 hints). */
void hints_parse(struct hints *h, const char *text, size_t len);
/*
 * Reads the hints of `stage` in the kit at `kit`.  Returns 0, or -1 with
 * errno set when hints.md cannot be read.
 */
int hints_load(struct hints *h, const char *kit, const char *stage);
void hints_release(struct hints *h);

/* How many hints the stage has, or -1 with errno set when hints.md cannot be read. */
int hints_count(const char *kit, const char *stage);

/*
 * What the student has seen lives in <kit>/.racecourse/progress, a line per
 * stage: `<stage> hints=<n>`.  Other lines, and lines that do not parse,
 * are ignored when read and kept as they are when the file is rewritten.
 */

/* The progress file's path (malloc'd). */
char *hint_progress_path(const char *kit);
/*
 * How many hints of `stage` the student has seen: 0 when none, when there
 * is no progress file or its line for the stage does not parse; never more
 * than hints_count() when that is known.
 */
int hints_seen(const char *kit, const char *stage);
/*
 * Records that `seen` hints of `stage` have been seen, creating .racecourse/
 * when needed and replacing the file whole (a reader never sees half of it).
 * Returns 0, or -1 with errno set.
 */
int hints_set_seen(const char *kit, const char *stage, int seen);

/*
 * The kit's root: `given` resolved (NULL when it does not exist, errno set),
 * or, when `given` is NULL, the folder above the running grader's grader/.
 * malloc'd.  Used by the self-study commands, which take --kit like grading.
 */
char *hint_kit(const char *given);


/* `racecourse hint [--stage S] [-n N] [--kit DIR]`; returns the exit status. */
int hint_main(int argc, char **argv);

#endif
