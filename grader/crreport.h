/* Reading the test report that the kit's Criterion runner writes. */
#ifndef RACECOURSE_CRREPORT_H
#define RACECOURSE_CRREPORT_H

#include "stage.h"
#include "util.h"

enum test_status {
	TEST_PASSED,
	TEST_FAILED,		/* an assertion failed, or the test exited */
	TEST_TIMED_OUT,
	TEST_CRASHED,		/* killed by a signal */
	TEST_NOT_RUN,		/* no report says how it went: it counts as failed */
};

/* The result of one graded item of a stage. */
struct test_result {
	char *name;		/* "suite/test", or "race-free" */
	enum test_status status;
	char *message;		/* why it failed, or NULL */
	int score, max_score;
	double seconds;		/* how long the test ran, when the report says */
	int hint;		/* the hint that helps, or 0 */
	bool hidden;		/* an instructor's test: students see it after the due date */
};

/*
 * Fills results[0..st->ntests) from the report at report_path, written by
 * tests/lib/runner.c through Criterion's output-provider API: the shape of
 * Criterion's --json report (test_suites[].tests[] with name, status and
 * messages) plus each test's signal, exit_code, timed_out and crashed.
 * `timeout` is the per-test limit in force, for messages.  `key` is the
 * run's key (tests/lib/handshake.h), or NULL when the run had none: with
 * it, a test whose worker did not exit with its code failed, whatever the
 * report says.  A report that
 * cannot be read, is not of that shape, or names tests the manifest does
 * not list is rejected: returns -1 with a one-line reason in err, and every
 * test it named is TEST_NOT_RUN again.  Returns 0 otherwise; a test the
 * report leaves out keeps its result, TEST_NOT_RUN unless another run's
 * report (the hidden tests') already set it: a report naming a test set
 * already is rejected.
 */
int crreport_read(const struct stage *st, const char *report_path, double timeout,
		  const char *key, struct test_result *results, struct strbuf *err);
/* Which of the stage's tests a report is for: a test of the other kind is refused. */
enum crreport_tests { CRREPORT_ALL, CRREPORT_VISIBLE, CRREPORT_HIDDEN };

/*
 * crreport_read() of a report's text, len bytes, read by the caller, from a
 * run of the `which` tests (the others may only be listed as skipped).
 */
int crreport_parse(const struct stage *st, const char *text, size_t len, double timeout,
		   const char *key, enum crreport_tests which, struct test_result *results,
		   struct strbuf *err);

/* Sets results[0..st->ntests) to TEST_NOT_RUN with the stage's points. */
void test_results_init(const struct stage *st, struct test_result *results);
void test_result_release(struct test_result *t);

/* "passed", "failed", "timed out", "crashed", "not run". */
const char *test_status_name(enum test_status s);

#endif
