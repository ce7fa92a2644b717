/* A class being graded: what racecourse batch's files share (the options, the submissions, the workers' outcomes). */
#ifndef RACECOURSE_BATCH_CLASS_H
#define RACECOURSE_BATCH_CLASS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "archive.h"
#include "deadline.h"
#include "util.h"

/* Per stage, the default whole-run limit of one submission, before TIMEOUT_SCALE. */
#define STAGE_SECONDS 120.0
/* What a grader gets beyond its own --time-limit before it is killed. */
#define GRACE_SECONDS 30.0
#define MAX_JOBS 256

struct job {
	char *id;
	char *entry;		/* its name in SUBS_DIR: "alice", "alice.zip" */
	bool archive;		/* else a folder */
	enum archive_kind kind;	/* of an archive */
	char *parent;		/* the folder that holds entry: SUBS_DIR, or a deadline's checkout */
	struct deadline_pick pick;	/* with a deadline: the commit graded */
	bool dated;		/* pick is set */
	char *undated;		/* with a deadline, why nothing could be graded; or NULL */
	char *stamp;		/* hash of what grading it depends on, or NULL */
};

/*
 * The batch grades with a pool of worker processes, each grading one
 * submission at a time through child_run().  Not threads: child.c wakes
 * up on SIGCHLD through one pipe per process, which several supervising
 * threads would steal from each other.  Not child_finish_all() on several
 * graders: it returns when all have ended, so one slow submission would
 * hold the other slots idle.  The workers share this, in a mapping.
 */
struct outcome {
	char stamp[65];		/* hex, or "" when it could not be hashed */
	bool skip;		/* unchanged since its result was written */
	bool done;		/* a worker finished it */
	bool graded;		/* the grader wrote a result */
	int score, max;
	unsigned flags;
};

struct shared {
	atomic_size_t next;	/* the next of todo[] to take */
	atomic_size_t ndone, nfailed;
	atomic_llong msec;	/* time the finished ones took */
	struct outcome out[];	/* one per job */
};

struct batch {
	/* the options */
	char *subs, *out, *kit;
	char *exe;		/* the grader's file, for the stamp */
	char **stages;
	size_t nstages;
	char *stage_arg;	/* "02-counter,03-race" */
	const char *seed, *scale, *detectors;
	double time_limit;
	long jobs;
	bool force;
	unsigned shard, nshards;
	struct deadline_policy policy;
	bool deadlines;		/* --deadline: grade repositories as they were then */
	bool similar;		/* --similar: the similarity check after grading */

	char *scratch;
	struct job *v;
	size_t n;
	size_t *todo;		/* indexes in v of what is to grade */
	size_t ntodo;
	struct shared *sh;
	bool tty;
};

/* ---- the worker pool and interruption (batch_pool.c) ---- */

/*
 * Ctrl-C (and SIGTERM, SIGHUP) end the workers and what they run, and the
 * batch winds down: reaper_interrupted() turns true (reaper.h).
 */
void batch_catch_interrupts(void);
/*
 * Runs fn(b) in n worker processes at once (fewer when interrupted) and
 * waits for them all, then ends what they left behind.  Returns how many
 * did not end well.
 */
int batch_run_workers(struct batch *b, void (*fn)(struct batch *), size_t n);

/* ---- stamps (batch_stamp.c) ---- */

/* A worker: the stamp of every submission, and whether its result is still good. */
void batch_stamp_main(struct batch *b);

/* ---- grading (batch_grade.c) ---- */

/* A worker: grades the next submission not yet taken, until none is left. */
void batch_worker_main(struct batch *b);

/* ---- the gradebook (batch_merge.c) ---- */

/* Writes OUT/gradebook.csv and OUT/report.html for these students. Returns 0, or -1. */
int batch_write_gradebook(const char *out, const char *kit, char *const *stages, size_t nstages,
			  char *const *ids, size_t nids);
/* The kit's root: `arg` (--kit), or the folder above the grader. Dies when there is none. */
char *batch_resolve_kit(const char *arg);

#endif
