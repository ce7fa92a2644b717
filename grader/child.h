/* Running child processes: start, supervise with limits, wait, decode. */
#ifndef RACECOURSE_CHILD_H
#define RACECOURSE_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sandbox.h"
#include "util.h"

/*
 * Describe a child in a struct child initialised with CHILD_INIT, fill in
 * argv and whatever limits it needs, then child_run() it, or child_start()
 * several and child_finish_all() them.  Every child runs in a process group
 * of its own with stdin from /dev/null and stdout and stderr merged into one
 * pipe that the grader reads, keeping at most out_cap bytes.  When it
 * exceeds its time limit the whole group gets SIGTERM, then SIGKILL after a
 * short grace; when it exits, whatever is left of its group is killed too.
 * A child with a sandbox runs in a session of its own, with the sandbox's
 * resource limits and, where the sandbox says, as another user.
 */
struct child {
	/* filled in by the caller */
	const char **argv;	/* NULL-terminated; argv[0] is searched in PATH */
	const char *dir;	/* working directory, or NULL for the grader's */
	const char **env;	/* NAME=VALUE entries added to the environment */
	double timeout;		/* wall-clock seconds; 0 means no limit */
	size_t out_cap;		/* bytes of output kept; the rest is counted */
	const struct sandbox *sandbox;	/* runs student code: contain it (NULL: trusted) */
	int pass_fd;		/* given to the child as its fd 3, or -1 */
	bool no_memory_limit;	/* ThreadSanitizer reserves terabytes of address space */

	/* set by child_start() and child_finish() */
	pid_t pid;
	int out_fd;
	struct strbuf out;	/* the captured output, stdout and stderr merged */
	size_t out_dropped;	/* bytes of output beyond out_cap */
	int status;		/* the raw wait status */
	int start_errno;	/* non-zero when the program could not be started */
	bool timed_out;
	bool at_process_limit;	/* while it ran, student code had all the processes it may */
	bool running;
	double started, deadline, kill_at, elapsed;
};
#define CHILD_INIT { .out_cap = 1 << 20, .pass_fd = -1, .pid = -1, .out_fd = -1, .out = STRBUF_INIT }

/* Starts the child. Returns 0, or -1 with errno set (also in start_errno). */
int child_start(struct child *c);
/*
 * Supervises the n started children until all have ended: reads their
 * output, enforces their time limits, reaps them.  Then kills and reaps
 * whatever children of ours are left: their orphans, such as a daemon that
 * left its process group.  So start every child before finishing any.
 * Returns 0.
 */
int child_finish_all(struct child **c, size_t n);
/* child_finish_all() for one child. */
int child_finish(struct child *c);
/* Starts and finishes one child; returns what child_start() returned. */
int child_run(struct child *c);
/* Frees the captured output; the struct can be reused after CHILD_INIT. */
void child_release(struct child *c);

/* The status as a shell would give it: the exit code, or 128 + the signal. */
int child_exit_code(const struct child *c);
/*
 * The signal that killed the program, or 0.  Under bubblewrap, which exits
 * with 128 + N when what it ran was killed by signal N, that too.
 */
int child_signal(const struct child *c);
/* True when the child ran and exited with status 0. */
bool child_ok(const struct child *c);
/*
 * How the child ended, in words: "exited with status 3", "killed by
 * SIGSEGV", "timed out after 5 s", "could not be started: ...".  Returns a
 * malloc'd string.
 */
char *child_describe(const struct child *c);

/* Seconds of grace between SIGTERM and SIGKILL at a time limit. */
#define CHILD_KILL_GRACE 0.5

#endif
