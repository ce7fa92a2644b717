/* racecourse batch's worker pool: worker processes, and Ctrl-C ending them and what they run. */
#define _GNU_SOURCE
#include "batch_class.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Ctrl-C ends the graders too (they run in groups of their own). */
volatile sig_atomic_t batch_interrupted;
volatile pid_t batch_grader_pid;		/* in a worker: the grader it runs */
static pid_t worker_pids[MAX_JOBS + 1];		/* in the batch: its workers */
static volatile sig_atomic_t nworker_pids;

static void on_interrupt(int sig)
{
	(void)sig;
	batch_interrupted = 1;
	if (batch_grader_pid > 0)
		kill(-batch_grader_pid, SIGTERM);
	for (int i = 0; i < nworker_pids; i++)
		kill(worker_pids[i], SIGTERM);
}

void batch_catch_interrupts(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
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
	nworker_pids = 0;
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
			if (!batch_interrupted)
				warn("a worker of the batch %s %d", WIFEXITED(status) ?
				     "exited with status" : "was killed by signal",
				     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			bad++;
		}
	}
	return bad;
}

/*
 * A grader killed at its limit leaves its own children behind; child.c
 * made us their subreaper, so they are ours now: end them, so that nothing
 * outlives the batch.  Called when no child of ours is being supervised.
 */
void batch_end_orphans(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t me = getpid();

	while (d && (e = readdir(d))) {
		struct strbuf stat = STRBUF_INIT;
		char *path, *paren;
		int ppid, pgrp;
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid <= 0 || pid == me)
			continue;
		path = xstrfmt("/proc/%d/stat", (int)pid);
		/* pid (comm) state ppid pgrp ...: comm may hold anything but ends at the last ')' */
		if (!read_file(path, &stat) && (paren = strrchr(sb_str(&stat), ')')) &&
		    sscanf(paren + 1, " %*c %d %d", &ppid, &pgrp) == 2 && ppid == me) {
			if (pgrp > 1 && pgrp != getpgrp())
				kill(-pgrp, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
		sb_release(&stat);
		free(path);
	}
	if (d)
		closedir(d);
}

int batch_run_workers(struct batch *b, void (*fn)(struct batch *), size_t n)
{
	int bad;

	for (size_t i = 0; i < n && !batch_interrupted; i++) {
		worker_pids[i] = start_worker(fn, b);
		nworker_pids = (sig_atomic_t)(i + 1);
	}
	bad = wait_workers(worker_pids, (size_t)nworker_pids);
	nworker_pids = 0;
	return bad;
}
