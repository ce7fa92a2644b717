/* A class's gradebook: a row per student, read from the batch's folders, written as CSV. */
#ifndef RACECOURSE_GRADEBOOK_H
#define RACECOURSE_GRADEBOOK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util.h"

/*
 * A batch's output folder OUT holds gradebook.csv, report.html and, per
 * student, students/<id>/ with:
 *
 *   results.json  the grader's own --format json report, when it graded
 *   report.txt    the grader's text report, under a line of the batch's
 *                 (gradebook_text_report)
 *   batch.json    what the batch knows: {"stamp": hex or null, "flags": [...],
 *                 "problem": "...", "seconds": N, and with a deadline "deadline":
 *                 {"commit", "when", "due", "late_days", "penalty", "pushed"}}
 *                 (struct student_meta)
 *
 * Every number and flag of a row comes from those files, so a gradebook can
 * be rebuilt from the folders alone (batch-merge, batch-report).
 */

/* The flags of a row, in the order the flags column lists them. */
enum gradebook_flag {
	GB_RACE = 1u << 0,		/* a data race was found */
	GB_DEADLOCK = 1u << 1,		/* a lock-order finding, or a test that timed out */
	GB_TIMEOUT = 1u << 2,		/* the whole grading reached its time limit */
	GB_COMPILE_ERROR = 1u << 3,	/* a stage did not compile or link */
	GB_MISSING = 1u << 4,		/* a stage's files are not in the submission */
	GB_BROKEN_ARCHIVE = 1u << 5,	/* the archive could not be read, or was unsafe */
	GB_ERROR = 1u << 6,		/* the grader could not grade it (not the student's fault) */
	GB_SUSPICIOUS = 1u << 7,	/* admission flagged what no honest solution needs (symcheck.h) */
};
#define GB_NFLAGS 8
/* "race", "deadlock", ...: the name of flag 1u << i. */
extern const char *const gradebook_flag_names[GB_NFLAGS];
/* The flag called `name`, or 0. */
unsigned gradebook_flag_find(const char *name);

/* What the batch itself records about a student (batch.json). */
struct student_meta {
	char *stamp;		/* hash of what was graded, or NULL: grade again next time */
	unsigned flags;		/* those the batch decided: GB_TIMEOUT, GB_BROKEN_ARCHIVE, GB_ERROR */
	char *problem;		/* one line, when it could not grade; or NULL */
	double seconds;		/* how long grading took */
	/* with a deadline (deadline.h): what was graded, and how late */
	bool dated;
	char commit[41];
	time_t when, due;
	int late_days;
	double penalty;		/* percent */
	bool pushed;		/* `when` is the push's time, not the commit's */
};

/* Reads dir/batch.json. Returns 0, or -1 when it is missing or unreadable. */
int student_meta_read(struct student_meta *m, const char *dir);
/* Writes dir/batch.json. Returns 0, or -1 with errno set. */
int student_meta_write(const struct student_meta *m, const char *dir);
void student_meta_release(struct student_meta *m);

struct gradebook_row {
	char *id;
	int *scores;		/* one per stage of the gradebook */
	int total, max;
	unsigned flags;
	json_t *results;	/* the grader's results.json (owned), or NULL */
	bool dated;		/* graded as of a deadline: */
	int late_days;
	double penalty;		/* percent of total taken */
	char *problem;		/* why it could not be graded, or NULL */
};

struct gradebook {
	char **stages;		/* stage names, the score columns */
	int *stage_max;		/* each stage's points, or -1 while unknown */
	size_t nstages;
	struct gradebook_row *rows;
	size_t nrows, alloc;
};

/*
 * Starts an empty gradebook with these stage columns.  Each stage's points
 * come from its manifest in `kit` when it has one, else from the first
 * results that grade it.
 */
void gradebook_init(struct gradebook *gb, const char *kit, char *const *stages, size_t nstages);
void gradebook_release(struct gradebook *gb);

/*
 * Adds the row of student `id` from OUT/students/<id>/.  Returns 0, or -1
 * with a one-line reason in err when a results.json is there but unreadable
 * (the row is then added, flagged GB_ERROR).
 */
int gradebook_add(struct gradebook *gb, const char *out, const char *id, struct strbuf *err);

/* The flags that a results.json itself implies (findings, stage states, test statuses). */
unsigned gradebook_flags_of(json_t *results);
/* The flags as the CSV column says them: "race deadlock", or "". Malloc'd. */
char *gradebook_flags_str(unsigned flags);

/*
 * Writes the gradebook as CSV: id, a column per stage, total, max, flags;
 * one row per student in the order added.  When a row was graded as of a
 * deadline, late_days, penalty (percent) and final (the total less the
 * penalty) come before flags.  Returns 0, or -1 with errno set.
 */
int gradebook_write_csv(const struct gradebook *gb, const char *path);

/* Whether any row was graded as of a deadline: the CSV's late columns. */
bool gradebook_dated(const struct gradebook *gb);
/* A row's total less its late penalty. */
double gradebook_final(const struct gradebook_row *r);

/*
 * Reads the stage columns and the student ids of a gradebook.csv written
 * by gradebook_write_csv().  All malloc'd.  Returns 0, or -1 with a
 * one-line reason in err.
 */
int gradebook_read_csv(const char *path, char ***stages, size_t *nstages, char ***ids,
		       size_t *nids, struct strbuf *err);

/*
 * The gradebook of the batch folder `out` again: its gradebook.csv's stages
 * and students, each row rebuilt from the student's folder (a row that
 * cannot be read is warned about and kept, flagged).  Returns 0, or -1
 * with a one-line reason in err when gradebook.csv is missing or not one.
 */
int gradebook_load(struct gradebook *gb, const char *out, const char *kit, struct strbuf *err);

/* Appends one CSV field, quoted when it needs to be (RFC 4180). */
void csv_add_field(struct strbuf *sb, const char *field);
/*
 * Reads one record of CSV from text at *pos (advanced past it) into
 * *fields (malloc'd, *n of them).  Returns 1 for a record, 0 at the end,
 * -1 for an unclosed quote.
 */
int csv_read_record(const char *text, size_t *pos, char ***fields, size_t *n);
void csv_free_fields(char **fields, size_t n);

/*
 * The report.txt of a student: a line with the id, the score (from
 * `results`, or "not graded" when it is NULL) and the flags, the problem
 * when there is one, then `text`, the grader's own text report of the
 * grading (racecourse --text-out), when there is one.  Malloc'd.
 */
char *gradebook_text_report(const char *id, json_t *results, unsigned flags, const char *problem,
			    const char *text);

#endif
