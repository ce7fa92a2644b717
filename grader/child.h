/* Running child processes: start, supervise with limits, wait, decode. */
#ifndef RACECOURSE_CHILD_H
#define RACECOURSE_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "strvec.h"
#include "util.h"

/*
 * Describe a child in a struct child initialised with CHILD_INIT, push its
 * argv onto args and fill in whatever limits it needs, then child_run() it, or child_start()
 * several and child_finish_all() them.  Every child runs in a process group
 * of its own (or a session, with new_session) with stdin from /dev/null,
 * stdout and stderr merged into one pipe that the grader reads, keeping at
 * most out_cap bytes, and no other descriptor but those it is handed.  When
 * it exceeds its time limit the whole group gets SIGTERM, then SIGKILL after
 * a short grace; when it exits, whatever is left of its group is killed too,
 * and once all have ended, their orphans (reaper.h).  Ctrl-C ends them all.
 * The module knows no policy: what contains student code (sandbox.h) is
 * expressed in the limits, the user, the environment and the hooks below.
 */
#define CHILD_MAX_LIMITS 8
#define CHILD_GIVE_FDS 3

struct child_limit {
	int resource;		/* RLIMIT_* */
	unsigned long value;	/* soft and hard */
};

struct child {
	/* filled in by the caller */
	struct strvec args;	/* the argv; args.v[0] is searched in PATH */
	const char *dir;	/* working directory, or NULL for the grader's */
	const char **env;	/* NAME=VALUE entries added to the environment */
	bool clear_env;		/* the environment is env alone, not ours with env over it */
	bool own_env;		/* env and its strings are malloc'd: child_release() frees them */
	double timeout;		/* wall-clock seconds; 0 means no limit */
	size_t out_cap;		/* bytes of output kept; the rest is counted */
	int pass_fd;		/* given to the child as its fd 3, or -1 */
	/* given as its fds 4, 5, 6..., or -1; child_start() closes them here */
	int give_fd[CHILD_GIVE_FDS];
	bool new_session;	/* setsid(): no controlling terminal, a group of its own */
	struct child_limit limits[CHILD_MAX_LIMITS];	/* set before pre_exec */
	size_t nlimits;
	/*
	 * Run in the child once its descriptors, directory and limits are set,
	 * before it changes user and execs: async-signal-safe calls only.
	 * Returns 0, or -1 with errno set (the child is then not started).
	 */
	int (*pre_exec)(const struct child *c, const void *arg);
	const void *pre_exec_arg;
	bool switch_user;	/* then setgroups(0), setgid(gid), setuid(uid) last */
	uid_t uid;
	gid_t gid;
	unsigned long max_processes;	/* RLIMIT_NPROC once it is uid (0: none) */
	/* Asked now and then while it runs: true marks it at_process_limit. */
	bool (*at_limit)(const void *arg);
	const void *at_limit_arg;
	bool exit_is_signal;	/* a wrapper (bubblewrap) exits with 128 + N for signal N */
	bool no_memory_limit;	/* for the policy: ThreadSanitizer reserves terabytes */

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
	double cpu;		/* user and system seconds, its reaped descendants' included */
};
#define CHILD_INIT { .args = STRVEC_INIT, .out_cap = 1 << 20, .pass_fd = -1, .give_fd = { -1, -1, -1 }, .pid = -1, .out_fd = -1, .out = STRBUF_INIT }

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
 * The signal that killed the program, or 0.  With exit_is_signal (under
 * bubblewrap, which exits with 128 + N when what it ran was killed by
 * signal N), that too.
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

/*
 * Sets the one function (NULL: none) that is called with false once
 * child_finish_all() has reaped every child, when nothing should be left
 * of them, and with true when the grader is interrupted (SIGINT, SIGTERM,
 * SIGHUP; reaper.h says what else an interrupt does): async-signal-safe.
 * The policy's chance to end what its children started (sandbox.h: the
 * grading's cgroup).
 */
void child_set_cleanup(void (*fn)(bool interrupted));

/* Adds a resource limit (soft and hard) that the child gets before pre_exec. */
void child_add_limit(struct child *c, int resource, unsigned long value);

/* Seconds of grace between SIGTERM and SIGKILL at a time limit. */
#define CHILD_KILL_GRACE 0.5

#endif
