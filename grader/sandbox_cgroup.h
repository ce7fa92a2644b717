/* A memory and process cap per grading: a cgroup (v2, or v1's memory and pids hierarchies). */
#ifndef RACECOURSE_SANDBOX_CGROUP_H
#define RACECOURSE_SANDBOX_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

/*
 * One grading (one run of the grader, so one per submission in a batch)
 * gets a group of its own, racecourse-PID, below the grader's own group:
 * every process that runs student code enters it before it execs, and so
 * do all their descendants, whatever session or process group they make.
 * The group caps the memory of all of them together (no swap) and the
 * number of their processes and threads; at the end, or when the grader
 * is interrupted, whatever is left in it is killed and the group removed.
 */
enum cgroup_kind {
	CGROUP_NONE,	/* no group could be made: the rlimits alone (why_off says why) */
	CGROUP_V1,	/* v1: a group in the memory and the pids hierarchies (and freezer) */
	CGROUP_V2,	/* v2: one group with the memory and pids controllers */
};

#define CGROUP_PATH_MAX 512
/* v1: the memory, pids and freezer groups; v2: dir[0] alone. */
#define CGROUP_DIRS 3

struct cgroup_cap {
	enum cgroup_kind kind;
	/*
	 * The group's directories, "" where there is none.  Fixed arrays:
	 * the child's hook and the interrupt handler read them with no
	 * allocation.
	 */
	char dir[CGROUP_DIRS][CGROUP_PATH_MAX];
	unsigned long memory;		/* bytes, all its processes together */
	unsigned long processes;	/* processes and threads */
	char *why_off;			/* CGROUP_NONE: why, one line (malloc'd) */
};

/* The caps every grading gets, unless RACECOURSE_CGROUP_MEMORY (MiB) and _PROCESSES say. */
#define CGROUP_MEMORY (1UL << 30)
#define CGROUP_PROCESSES 256

/*
 * Makes the grading's group, capped at `memory` bytes and `processes`
 * processes and threads, as `want` says: "auto" (v2 where the memory
 * and pids controllers can be had, else v1, else none), "v1", "v2" or
 * "off", under the cgroup file systems of `mountinfo` (the text of
 * /proc/self/mountinfo) for a process whose /proc/self/cgroup is
 * `self_cgroup`.  Removes groups that graders killed before they could
 * clean up left behind.  Never fails: when no group can be made, kind is
 * CGROUP_NONE and why_off says why.  Returns 0, or -1 for a `want` it does
 * not know (why_off says so).
 */
int cgroup_cap_init(struct cgroup_cap *cg, const char *want, unsigned long memory,
		    unsigned long processes, const char *mountinfo, const char *self_cgroup);
/* cgroup_cap_init() with this process's /proc/self files. */
int cgroup_cap_init_here(struct cgroup_cap *cg, const char *want, unsigned long memory,
			 unsigned long processes);
/*
 * Puts the calling process into the group: in a child, between fork and
 * exec (async-signal-safe).  Returns 0 (also with no group), or -1 with
 * errno set.
 */
int cgroup_cap_enter(const struct cgroup_cap *cg);
/* How many processes the group's memory cap has had killed so far. */
unsigned long cgroup_cap_oom_kills(const struct cgroup_cap *cg);
/* How many fork()s and thread creations the group's process cap has refused so far. */
unsigned long cgroup_cap_refused_forks(const struct cgroup_cap *cg);
/* Whether the group has (nearly) as many processes as its cap. */
bool cgroup_cap_at_process_limit(const struct cgroup_cap *cg);
/*
 * Kills every process in the group, frozen first where a freezer can
 * (so that none forks while it is being killed), and waits until it is
 * empty: async-signal-safe.  Returns how many processes it found there.
 */
int cgroup_cap_kill_all(const struct cgroup_cap *cg);
/*
 * Kills what is left and removes the group's directories, leaving cg as
 * it is: for an interrupted grader, about to die (async-signal-safe).
 */
void cgroup_cap_end(const struct cgroup_cap *cg);
/* Kills what is left and removes the group; cg can be initialised again. */
void cgroup_cap_release(struct cgroup_cap *cg);
/*
 * One line for the instructor: "cgroup v1: 1 GiB of memory and 256
 * processes per grading", or "no cgroup (WHY): the limits are per process
 * only".  Malloc'd.
 */
char *cgroup_cap_describe(const struct cgroup_cap *cg);

/* "cgroup v1", "cgroup v2" or "no cgroup". */
const char *cgroup_kind_name(enum cgroup_kind kind);

/* ---- parsing, exposed for the unit tests ---- */

/*
 * From /proc/self/cgroup's text: the path of this process's group in the
 * v1 hierarchy with `controller`, or in v2 (controller NULL: the "0::"
 * line).  Malloc'd, or NULL.
 */
char *cgroup_self_path(const char *self_cgroup, const char *controller);
/*
 * From /proc/self/mountinfo's text: where the v1 hierarchy with
 * `controller` is mounted, or (controller NULL) the v2 hierarchy.
 * Malloc'd, or NULL.
 */
char *cgroup_mount_point(const char *mountinfo, const char *controller);
/* Whether `list` (words separated by spaces, as cgroup.controllers) holds `word`. */
bool cgroup_has_word(const char *list, const char *word);
/* The pid in a group's name "racecourse-PID", or 0 if it is not one of ours. */
pid_t cgroup_owner(const char *name);

#endif
