/* Ending what the grader started: on Ctrl-C, and the orphans left once its children are done. */
#define _GNU_SOURCE
#include "reaper.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>


/* What an interrupt must end: a child's process group, or a worker. */
#define MAX_REGISTERED 512
static struct {
	volatile sig_atomic_t pid;	/* 0: a free slot */
	volatile sig_atomic_t group;
} registered[MAX_REGISTERED];
/* The process that registered them: a forked one starts afresh. */
static volatile pid_t owner;

static volatile sig_atomic_t carry_on, interrupted;
static void (*volatile cleanup)(bool interrupted);

/* Forgets what the process we were forked from registered. */
static void claim(void)
{
	if (owner == getpid())
		return;
	for (int i = 0; i < MAX_REGISTERED; i++)
		registered[i].pid = 0;
	owner = getpid();
}

int reaper_add(pid_t pid, bool group)
{
	claim();
	for (int i = 0; i < MAX_REGISTERED; i++) {
		if (registered[i].pid == 0) {
			registered[i].group = group;
			registered[i].pid = pid;
			return 0;
		}
	}
	return -1;
}

void reaper_forget(pid_t pid)
{
	claim();
	for (int i = 0; i < MAX_REGISTERED; i++)
		if (registered[i].pid == pid)
			registered[i].pid = 0;
}

void reaper_set_cleanup(void (*fn)(bool interrupted))
{
	cleanup = fn;
}

void reaper_carry_on(void)
{
	carry_on = 1;
}

bool reaper_interrupted(void)
{
	return interrupted;
}

static void end_children(void);

static void on_interrupt(int sig)
{
	int saved = errno, how = carry_on ? SIGTERM : SIGKILL;
	bool ours = owner == getpid();

	interrupted = 1;
	for (int i = 0; ours && i < MAX_REGISTERED; i++) {
		pid_t pid = registered[i].pid;

		if (pid > 0)
			kill(registered[i].group ? -pid : pid, how);
	}
	if (cleanup)
		cleanup(true);
	if (!carry_on) {
		/* Nothing will be left to reap them: their orphans, such as a daemon, go too. */
		end_children();
		signal(sig, SIG_DFL);
		raise(sig);	/* delivered once the handler returns */
	}
	errno = saved;
}

void reaper_setup(void)
{
	static pid_t done;
	struct sigaction sa;

	if (done == getpid())
		return;
	done = getpid();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a poll() or waitpid() returns, and the caller looks at the flag. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/*
	 * Orphans of our children come back to us rather than to init, so that
	 * a grandchild left in a killed group can be reaped, and none outlives
	 * the grading.  Not inherited by fork: once per process.
	 */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

/* ---- orphans ---- */

/*
 * Up to max of our children, from /proc: async-signal-safe, for the
 * handler too.  The main thread's: the grader forks from it alone.
 */
static size_t read_children(pid_t *pids, size_t max)
{
	char path[64] = "/proc/self/task/", digits[16], buf[4096];
	size_t len = strlen(path), nd = 0, n = 0;
	ssize_t got;
	long pid = 0;
	bool in = false;
	int fd;

	for (long v = getpid(); v && nd < sizeof(digits); v /= 10)
		digits[nd++] = (char)('0' + v % 10);
	while (nd)
		path[len++] = digits[--nd];
	memcpy(path + len, "/children", sizeof("/children"));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	do {
		got = read(fd, buf, sizeof(buf) - 1);
	} while (got < 0 && errno == EINTR);
	close(fd);
	/* A list cut short loses its last number: the next round reads the rest. */
	for (ssize_t i = 0; i < got && n < max; i++) {
		if (buf[i] >= '0' && buf[i] <= '9') {
			pid = pid * 10 + (buf[i] - '0');
			in = true;
		} else if (in) {
			if (pid > 1)
				pids[n++] = (pid_t)pid;
			pid = 0;
			in = false;
		}
	}
	return n;
}

/* Kills and reaps our children, with their groups, until none is left: async-signal-safe. */
static void end_children(void)
{
	pid_t pids[256], us = getpgrp();

	/* Each may fork while we look, and its children become ours: look again. */
	for (int round = 0; round < 100; round++) {
		size_t n = read_children(pids, sizeof(pids) / sizeof(*pids));

		for (size_t i = 0; i < n; i++) {
			pid_t group = getpgid(pids[i]);

			/* Its group (a grader's test runner and what that forked) goes with it. */
			if (group > 1 && group != us)
				kill(-group, SIGKILL);
			kill(pids[i], SIGKILL);
		}
		for (size_t i = 0; i < n; i++)
			while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
				;
		if (!n)
			break;
	}
}

void reaper_end_orphans(void)
{
	end_children();
	if (cleanup)
		cleanup(false);
}
