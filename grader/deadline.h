/* Deadlines and late days: which commit of a student's repository is graded, and how late it was. */
#ifndef RACECOURSE_DEADLINE_H
#define RACECOURSE_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util.h"

#define DAY_SECONDS 86400

/* A student's own deadline (extensions.csv), or a push the server recorded (pushes.csv). */
struct deadline_entry {
	char *id;
	char *commit;		/* pushes only: the head that was pushed */
	time_t when;
};

struct deadline_policy {
	time_t deadline;	/* the class's */
	int late_days;		/* how many days after it a commit still counts */
	double penalty;		/* percent of the score per late day */
	struct deadline_entry *ext, *pushes;
	size_t next, ext_alloc, npushes, pushes_alloc;
};

/* What is graded of one student's repository. */
struct deadline_pick {
	char commit[41];	/* hex */
	time_t when;		/* the commit's time, or its push's */
	time_t due;		/* the student's deadline */
	int late_days;		/* 0 when on time */
	double penalty;		/* percent, at most 100 */
	bool pushed;		/* `when` is the server's push time, not the commit's */
};

/*
 * Reads a time: "2026-12-01 23:59", with seconds or not, a 'T' for the
 * space, and an optional zone ("Z", "+0100", "-05:00"); without a zone,
 * the grading machine's local time.  Returns 0, or -1.
 */
int deadline_parse_time(const char *s, time_t *t);

/* "2026-12-01 23:59:00 +0000" (UTC) in buf. */
void deadline_format_time(time_t t, char buf[32]);

/*
 * Reads extensions.csv (header id,deadline) or pushes.csv (header
 * id,commit,pushed_at) into the policy.  Returns 0, or -1 with a one-line
 * reason in err.
 */
int deadline_read_extensions(struct deadline_policy *p, const char *path, struct strbuf *err);
int deadline_read_pushes(struct deadline_policy *p, const char *path, struct strbuf *err);
void deadline_policy_release(struct deadline_policy *p);

/* The student's deadline: their extension's, else the class's. */
time_t deadline_due(const struct deadline_policy *p, const char *id);

/*
 * Whether dir is a git repository that can be read safely: a .git folder
 * of its own (not a file that points elsewhere) without alternates (which
 * would read objects from other repositories on this machine).
 */
bool deadline_is_repository(const char *dir, struct strbuf *why);

/*
 * Picks what to grade of the repository `repo` of student `id`: the last
 * commit of HEAD's first-parent history made by the student's deadline, or
 * the last within the late days (counted in whole days, each started day
 * a day); with pushes, the head of the last push by then.  Returns 0, or
 * -1 with a one-line reason in err (nothing by then, git failed).
 */
int deadline_pick(const struct deadline_policy *p, const char *id, const char *repo,
		  struct deadline_pick *pick, struct strbuf *err);

/*
 * Writes the files of `commit` of `repo` into `into` (created) with
 * git archive, checked as any archive is.  Returns 0, or -1 with a
 * one-line reason in err.
 */
int deadline_checkout(const char *repo, const char *commit, const char *into, const char *scratch,
		      struct strbuf *err);

#endif
