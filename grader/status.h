/* The progress ladder: each stage's last grading, and `racecourse status`. */
#ifndef RACECOURSE_STATUS_H
#define RACECOURSE_STATUS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The last grading of each stage is kept by `make grade` in the student's
 * checkout, one file per stage: <kit>/.racecourse/last-<stage>.json, the
 * grader's JSON report of a run of that stage alone.  One file per stage,
 * because grading one stage must update that stage only: each file is
 * replaced whole, so no grading reads, merges and rewrites another's result
 * (nor loses one when two run at once, as make watch and make grade may).
 */

struct stage_status {
	char *name;		/* "03-race" */
	char *title;		/* from the manifest; the name when it cannot be read */
	bool graded;		/* a last grading was found and read */
	int score, max_score;	/* when graded */
	char *state;		/* when graded: "graded", "compile-error", "missing", ... */
	char *problem;		/* when the saved result exists but cannot be read */
	bool edited;		/* a student file in starter/ changed after that grading */
};

struct status {
	struct stage_status *v;	/* every stage of the kit, in order */
	size_t n;
};
#define STATUS_INIT { NULL, 0 }

/* <kit>/.racecourse/last-<stage>.json (malloc'd). */
char *status_result_path(const char *kit, const char *stage);

/*
 * Reads the last grading of `stage` from the JSON report at `path` into st
 * (the entry of extra_data.stages named `stage`).  Returns 1 when graded,
 * 0 when there is no such file, -1 when it cannot be read or holds no
 * result for the stage (st->problem says why, in one line).
 */
int status_read_result(struct stage_status *st, const char *path, const char *stage);

/*
 * Reads every stage of the kit and its last grading.  Never fails: a stage
 * whose saved result is unreadable counts as not graded, with a problem.
 * Release with status_release().
 */
void status_load(struct status *s, const char *kit);
void status_release(struct status *s);

/* The index of the stage to work on: the first not at full marks; s->n when none. */
size_t status_next(const struct status *s);

/* `racecourse status [--kit DIR]`; returns the exit status. */
int status_main(int argc, char **argv);

#endif
