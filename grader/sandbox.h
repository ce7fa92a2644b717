/* Containing student code: bubblewrap, or a fallback of users, sessions and limits. */
#ifndef RACECOURSE_SANDBOX_H
#define RACECOURSE_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "child.h"
#include "sandbox_cgroup.h"
#include "sandbox_seccomp.h"
#include "util.h"

enum sandbox_mode {
	SANDBOX_NONE,		/* no containment but the time limits: for debugging */
	SANDBOX_BWRAP,		/* bubblewrap: private /tmp, kit hidden, no network, own PID namespace */
	SANDBOX_FALLBACK,	/* no namespaces: a user of its own when root, own session, limits */
};

/*
 * How children that run student code are contained.  Every such child also
 * gets the resource limits below, whatever the mode.
 */
struct sandbox {
	enum sandbox_mode mode;
	bool switch_user;	/* run as uid/gid instead of the grader's user */
	bool private_mounts;	/* fallback as root: mount and network namespaces */
	uid_t uid;
	gid_t gid;
	unsigned long max_processes;	/* RLIMIT_NPROC for student code */
	char **hidden;		/* directories the student's code must not see (bwrap) */
	size_t nhidden, hidden_alloc;
	/* bwrap, for valgrind's runs: debug_lean seen in place of debug_full (debuginfo.h) */
	char *debug_full, *debug_lean;
	struct seccomp_filter filter;	/* refused system calls (sandbox_seccomp.h) */
	struct cgroup_cap cgroup;	/* the grading's memory and process cap (sandbox_cgroup.h) */
	char *path_env;		/* PATH=... for student code: the grader's */
};

/* The limits every child that runs student code gets. */
#define SANDBOX_CPU_SECONDS 300		/* CPU time of one process */
#define SANDBOX_ADDRESS_SPACE (2UL << 30)	/* bytes of address space of one process */
#define SANDBOX_FILE_SIZE (64UL << 20)	/* bytes: the largest file it may write */
#define SANDBOX_OPEN_FILES 256
#define SANDBOX_PROCESSES 512		/* processes and threads of the sandbox user */
#define SANDBOX_TMPFS_BYTES 268435456	/* the size of its /tmp, and of its /dev/shm (256 MiB) */

/*
 * Chooses the mode: "auto" (bwrap when it works here, else the fallback),
 * "bwrap", "fallback" or "none".  Unless "none", also makes the grading's
 * cgroup, as RACECOURSE_CGROUP says (auto, v1, v2 or off; sandbox_cgroup.h),
 * and has it emptied whenever no child runs and when the grader is
 * interrupted.  Returns 0, or -1 with a one-line reason in err (bwrap asked
 * for but not working, a RACECOURSE_CGROUP it does not know).
 */
int sandbox_init(struct sandbox *sb, const char *want, struct strbuf *err);
void sandbox_release(struct sandbox *sb);
/*
 * Whether the user that student code runs as has (nearly) as many
 * processes as RLIMIT_NPROC allows it: a fork bomb.  Scans /proc.
 */
bool sandbox_at_process_limit(const struct sandbox *sb);
/* What the grading's caps have done so far (all 0 without a cgroup). */
struct sandbox_counts {
	unsigned long oom_kills;	/* processes the memory cap had killed */
	unsigned long refused_forks;	/* processes and threads the process cap refused */
};
void sandbox_counts(const struct sandbox *sb, struct sandbox_counts *n);
/*
 * When the caps have acted since sandbox_counts() gave `before`, adds a
 * sentence for each to *problem (a malloc'd line, or NULL): "the code ran
 * out of memory (limit 1 GiB ...)".
 */
void sandbox_note_limits(const struct sandbox *sb, const struct sandbox_counts *before,
			 char **problem);
/*
 * The memory and process cap of each grading, for the instructor, in one
 * line: "cgroup v1: ...", or "no cgroup (why): ...".  Malloc'd.
 */
char *sandbox_describe_resources(const struct sandbox *sb);

/* Hides a directory (and what is below it) from the student's code. */
void sandbox_hide(struct sandbox *sb, const char *dir);
/*
 * Hides $HOME, unless one of the NULL-terminated `tools` that grading
 * runs (found in PATH) is in it.
 */
void sandbox_hide_home(struct sandbox *sb, const char *const *tools);

/*
 * Makes `dir` (a stage's scratch directory, and everything in it) writable
 * by the sandbox's user.  Returns 0, or -1 with errno set.
 */
int sandbox_prepare(const struct sandbox *sb, const char *dir);

/*
 * Contains the child c, whose args came from sandbox_argv() and whose dir,
 * env and no_memory_limit are set: a session of its own, the limits, the
 * user, the system-call filter, the private mounts of the fallback, and an
 * environment of its own: PATH, LANG=C, TMPDIR=/tmp, HOME=its directory
 * and c->env, never the grader's.  With mode none, leaves c as it is.
 * The child owns what this allocates (child_release frees it).
 */
void sandbox_child(const struct sandbox *sb, struct child *c);
/* The child's give_fd[] slot that sandbox_child() takes (bubblewrap's filter: fd 5). */
#define SANDBOX_SECCOMP_SLOT 1

/*
 * Appends to `out` (a child's args) the command line that runs argv inside
 * the sandbox with `dir` as its working directory, the only place it may
 * write.
 */
void sandbox_argv(const struct sandbox *sb, struct strvec *out, const char *const *argv,
		  const char *dir);
/* sandbox_argv() for a run of valgrind: it reads the lean debug information, if any. */
void sandbox_argv_valgrind(const struct sandbox *sb, struct strvec *out, const char *const *argv,
			   const char *dir);

/* "bwrap", "fallback" or "none". */
const char *sandbox_mode_name(enum sandbox_mode mode);

#endif
