/* Reporting a grading run: text for people, JSON for grading services. */
#ifndef RACECOURSE_REPORT_H
#define RACECOURSE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "grade.h"

/* Everything one run of the grader found. */
struct grade_run {
	const struct grade_options *options;
	struct stage_result *stages;
	size_t nstages;
	int score, max_score;
	double elapsed;
	const char *sandbox;	/* how student code was contained: "bwrap", "fallback", "none" */
};

/*
 * A report format.  write() returns 0, or -1 with errno set; `color` says
 * whether the output is a terminal that wants colour.
 */
struct report_format {
	const char *name;
	const char *about;
	int (*write)(FILE *out, const struct grade_run *run, bool color);
};

/* Every format, in the order --help lists them, ended by an entry without a name. */
extern const struct report_format report_formats[];
/* The format called `name`, or NULL. */
const struct report_format *report_format_find(const char *name);

/* The terminal report: a line per test, the findings, Score: X/Y. */
int report_text(FILE *out, const struct grade_run *run, bool color);
/*
 * Gradescope's results.json: score, max_score, execution_time, output and
 * tests[] (name, score, max_score, status, output, tags, visibility), with
 * the findings and timings under extra_data.
 */
int report_json(FILE *out, const struct grade_run *run, bool color);

/* The display name of a graded item: "03-race: withdraw/never_negative". */
char *report_test_name(const struct stage_result *res, const struct test_result *t);

#endif
