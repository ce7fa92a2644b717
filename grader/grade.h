/* Grading one stage: stage the files, build, run tests and detectors, score. */
#ifndef RACECOURSE_GRADE_H
#define RACECOURSE_GRADE_H

#include <stdbool.h>
#include <stddef.h>

#include "crreport.h"
#include "findings.h"
#include "options.h"
#include "sandbox.h"
#include "stage.h"
#include "submission.h"


enum stage_state {
	STAGE_GRADED,
	STAGE_MISSING,		/* the student's file is not in the submission */
	STAGE_BUILD_FAILED,	/* it did not compile or link: 0 points */
	STAGE_KIT_ERROR,	/* the kit itself is broken: a bad manifest or report */
};

struct stage_result {
	struct stage stage;
	enum stage_state state;
	char *problem;		/* one line, when the stage could not be graded */
	char *diagnostics;	/* the compiler's output for the student's files */
	bool refused;		/* admission refused the object: diagnostics say why (symcheck.h) */
	char *suspicious;	/* what admission flagged, "file:line: ..." lines, or NULL */
	struct source *srcs;
	size_t nsrcs;
	struct test_result *tests;	/* the manifest's tests, then the race-free item */
	size_t ntests;
	struct findings findings;
	char *detector_note;	/* why the detectors could not vouch, or NULL */
	int score, max_score;
	double t_build, t_tests, t_helgrind, t_drd, t_tsan, t_asan, t_total;
	/*
	 * The same phases' processor time, user and system seconds, where the
	 * grader can count it (cpu_counted): not in bubblewrap, whose process
	 * that reaps the code's processes ends outside the grader's count.
	 */
	double cpu_build, cpu_tests, cpu_helgrind, cpu_drd, cpu_tsan, cpu_asan;
	bool cpu_counted;
};

/* The timeout of each detector run, before TIMEOUT_SCALE. */
#define DETECTOR_TIMEOUT 60.0

/*
 * Grades stage `name` of the submission.  Every outcome, including a stage
 * that cannot be graded, is described in res (release it after).  Returns 0,
 * or -1 when the stage does not exist or its manifest is broken (res->problem
 * says why; the caller decides whether that ends the run).
 */
int grade_stage(const struct grade_options *o, const char *name, struct stage_result *res);
void stage_result_release(struct stage_result *res);

/* The name of the race-free item in results. */
#define RACE_FREE_NAME "no data races, no lock-order violations"

#endif
