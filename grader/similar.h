/* The similarity check of a class: Dolos over every pair of students' files, stage by stage. */
#ifndef RACECOURSE_SIMILAR_H
#define RACECOURSE_SIMILAR_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/* Pairs whose matching parts report.html shows, per stage. */
#define SIMILAR_TOP 10

/* One student of the class: where their submission was unpacked. */
struct similar_student {
	const char *id;
	const char *root;	/* the submission's folder, searched as grading does */
};

/*
 * Compares every pair of students' files of each stage with Dolos
 * (grader/similar/similar.sh, which installs it on first use), the kit's
 * starter files as the template whose fragments never count.  A student
 * whose stage files cannot be read is left out of that stage, named on
 * stderr.  Writes OUT/similarity.csv (stage, student_a, student_b, percent,
 * dolos_similarity, longest; the most similar first in each stage) and
 * OUT/similarity.json (the pairs with their matching parts, for report.html).
 * `scratch` is a private folder for the files compared.  An interrupt
 * ends the checker (reaper.h).
 * Returns 0, or -1 with a one-line reason in err (no stage with two
 * students to compare, Dolos missing and not installable, the check
 * failed).
 */
int similar_run(const char *kit, char *const *stages, size_t nstages, const struct similar_student *v,
		size_t n, const char *out, const char *scratch, struct strbuf *err);

/*
 * Appends report.html's similarity section from OUT/similarity.json when
 * there is one: the top pairs of each stage and their matching parts side
 * by side.  Everything from the students is escaped.
 */
void similar_html_section(struct strbuf *sb, const char *out);

#endif
