/* How a grading runs: the options every part of it reads, and its time limits. */
#ifndef RACECOURSE_OPTIONS_H
#define RACECOURSE_OPTIONS_H

#include <stdbool.h>

#include "findings.h"
#include "sandbox.h"

struct grade_options {
	const char *kit;		/* the kit's root: assignments/, tests/, ... */
	const char *sub;		/* the submission directory */
	const char *sub_display;	/* how to name the submission in messages */
	const char *work;		/* scratch root; each stage gets a folder in it */
	const char *cc;			/* the C compiler */
	unsigned long seed;		/* for the schedule perturbation */
	double timeout_scale;		/* multiplies every time limit */
	unsigned tools;			/* TOOL_* of the detectors to run, or 0 for none */
	double deadline;		/* now() by which the whole run must end, or 0 */
	const struct sandbox *sandbox;	/* how student code is contained */
	bool progress;			/* say on stderr what is running */
	bool fast;			/* tools is TOOL_TSAN alone: not the score of record */
	bool admit_any_call;		/* admission lets any import through (symcheck.h): tests only */
};

/*
 * A child's time limit: `seconds` scaled by TIMEOUT_SCALE, cut short by the
 * whole run's deadline.
 */
double grade_limit(const struct grade_options *o, double seconds);

#endif
