/* racecourse batch's worker pool: worker processes, and Ctrl-C ending them and what they run. */
#define _GNU_SOURCE
#include "batch_class.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reaper.h"

void batch_catch_interrupts(void)
{
	/* The batch and its workers wind down: what was written is kept. */
	reaper_carry_on();
	reaper_setup();
}

/* Runs fn(b) in a process of its own: a worker. Returns its pid. */
static pid_t start_worker(void (*fn)(struct batch *), struct batch *b)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("cannot start a worker process: %s", strerror(errno));
	if (pid)
		return pid;
	fn(b);
	fflush(NULL);
	_exit(0);
}

/* Waits for the workers; returns how many did not end well. */
static int wait_workers(const pid_t *pids, size_t n)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		int status;

		while (waitpid(pids[i], &status, 0) < 0)
			if (errno != EINTR)
				die("cannot wait for a worker: %s", strerror(errno));
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			if (!reaper_interrupted())
				warn("a worker of the batch %s %d", WIFEXITED(status) ?
				     "exited with status" : "was killed by signal",
				     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			bad++;
		}
	}
	return bad;
}

int batch_run_workers(struct batch *b, void (*fn)(struct batch *), size_t n)
{
	pid_t *pids = xcalloc(n ? n : 1, sizeof(*pids));
	size_t started = 0;
	int bad;

	for (; started < n && !reaper_interrupted(); started++) {
		pids[started] = start_worker(fn, b);
		/* An interrupt sends them SIGTERM (a Ctrl-C reaches them anyway). */
		reaper_add(pids[started], false);
		if (reaper_interrupted())
			kill(pids[started], SIGTERM);	/* it came between the fork and now */
	}
	bad = wait_workers(pids, started);
	for (size_t i = 0; i < started; i++)
		reaper_forget(pids[i]);
	/* What a worker that died left behind (its grader's processes) is ours now. */
	reaper_end_orphans();
	free(pids);
	return bad;
}
