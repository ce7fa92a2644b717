/* Reporting a grading run: text for people, JSON for grading services. */
#ifndef RACECOURSE_REPORT_H
#define RACECOURSE_REPORT_H

#include <stdbool.h>
#include <jansson.h>
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
	const char *cap;	/* "cgroup v1", "cgroup v2", "no cgroup", or NULL */
	const char *resources;	/* the grading's memory and process cap, in a line, or NULL */
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
/*
 * JUnit XML (the Ant/Jenkins shape that GitLab and GitHub's reporters read):
 * a <testsuite> per stage, a <testcase> per graded item, <failure> for a
 * failed one and <error> for one that timed out or crashed, with the message,
 * the hint and, on the race-free item, the findings.  Text that XML cannot
 * hold (control characters, bytes that are not UTF-8) becomes U+FFFD.  The
 * tests' own times are not recorded (time="0.000"); the race-free item's is
 * the detectors'.
 */
int report_junit(FILE *out, const struct grade_run *run, bool color);
/*
 * TAP version 13: the plan, "ok N - stage: test" or "not ok N - ...", and
 * for each failed item a YAML block (message, status, points, hint, and the
 * findings on the race-free item).
 */
int report_tap(FILE *out, const struct grade_run *run, bool color);
/*
 * GitHub Actions: an ::error annotation at each line of the student's file
 * that a finding names and one per failed item, then the text report
 * without colour; then, when GITHUB_STEP_SUMMARY names a file, appends a
 * Markdown summary to it (a table per stage, the findings, the total).  Not
 * being able to write the summary is a warning: the log has it all.
 */
int report_github(FILE *out, const struct grade_run *run, bool color);

/*
 * A JSON string from text that may come from the student (a source line,
 * compiler output, a child's output) and so may not be UTF-8: bytes that
 * are not become '?'.
 */
json_t *json_text(const char *s);

/* The display name of a graded item: "03-race: withdraw/never_negative". */
char *report_test_name(const struct stage_result *res, const struct test_result *t);

#endif
