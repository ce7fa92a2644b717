/* Unit tests of reaper.c: an interrupt ends what was registered, and orphans are ended. */
/* A wrong reaper leaves a waitpid() blocked: the time limit is the failure signal. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reaper.h"

/*
 * Forks a process that waits for a signal, in a process group of its own
 * when group is true, and returns once it is there to be signalled.
 */
static pid_t sleeper(bool group)
{
	int ready[2];
	pid_t pid;
	char c;

	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert_geq(pid, 0, "cannot fork: %s", strerror(errno));
	if (pid == 0) {
		/* Should the test fail, it goes with the test. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (group)
			setpgid(0, 0);
		close(ready[0]);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	cr_assert_eq(read(ready[0], &c, 1), 1, "the sleeper did not start");
	close(ready[0]);
	return pid;
}

/*
 * Makes an orphan of ours: a child that starts a daemon (a session of its
 * own) and exits, so that the daemon comes back to us, the subreaper.
 * Returns the daemon, once it is ours.
 */
static pid_t orphan(void)
{
	int ready[2];
	pid_t mid, daemon = 0;
	int status;

	cr_assert_eq(pipe(ready), 0);
	mid = fork();
	cr_assert_geq(mid, 0);
	if (mid == 0) {
		pid_t d = fork();

		if (d == 0) {
			int null = open("/dev/null", O_WRONLY);

			/* Not holding the test's output open, should it outlive the test. */
			dup2(null, 1);
			dup2(null, 2);
			setsid();
			d = getpid();
			if (write(ready[1], &d, sizeof(d)) != sizeof(d))
				_exit(1);
			for (;;)
				pause();
		}
		_exit(d > 0 ? 0 : 1);
	}
	close(ready[1]);
	cr_assert_eq(read(ready[0], &daemon, sizeof(daemon)), (ssize_t)sizeof(daemon));
	close(ready[0]);
	cr_assert_eq(waitpid(mid, &status, 0), mid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return daemon;
}

/* Whether pid is gone; if not, it goes now, so that a failed test leaves nothing behind. */
static bool gone(pid_t pid)
{
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
	kill(pid, SIGKILL);
	return false;
}

static int cleanups_false, cleanups_true;

static void count_cleanup(bool interrupted)
{
	if (interrupted)
		cleanups_true++;
	else
		cleanups_false++;
}

Test(reaper, carry_on_sends_sigterm_to_what_was_registered_and_lives_on, .timeout = 20)
{
	pid_t group = sleeper(true), worker = sleeper(false), other = sleeper(true);
	int status;

	reaper_carry_on();
	reaper_setup();
	reaper_set_cleanup(count_cleanup);
	cr_assert_eq(reaper_add(group, true), 0);
	cr_assert_eq(reaper_add(worker, false), 0);
	cr_assert_eq(reaper_add(other, true), 0);
	reaper_forget(other);
	cr_assert_not(reaper_interrupted());
	raise(SIGINT);
	cr_assert(reaper_interrupted(), "an interrupt sets the flag");
	cr_assert_eq(cleanups_true, 1, "the cleanup hook is called with true once");
	cr_assert_eq(waitpid(group, &status, 0), group);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "the group gets SIGTERM");
	cr_assert_eq(waitpid(worker, &status, 0), worker);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "the worker gets SIGTERM");
	cr_assert_eq(waitpid(other, &status, WNOHANG), 0, "what was forgotten is not signalled");
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
}

Test(reaper, a_forked_process_does_not_signal_what_its_parent_registered, .timeout = 20)
{
	pid_t kept = sleeper(false), w;
	int status;

	reaper_carry_on();
	reaper_setup();
	cr_assert_eq(reaper_add(kept, false), 0);
	w = fork();
	if (w == 0) {
		raise(SIGTERM);
		_exit(reaper_interrupted() ? 0 : 1);
	}
	cr_assert_eq(waitpid(w, &status, 0), w);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "the forked process carries on when interrupted, as its parent set");
	cr_assert_eq(waitpid(kept, &status, WNOHANG), 0, "its parent's registered process lives");
	kill(kept, SIGKILL);
	waitpid(kept, NULL, 0);
}

Test(reaper, by_default_an_interrupt_kills_everything_and_dies_of_it, .timeout = 20)
{
	int report[2], status;
	pid_t grader, pids[2];

	cr_assert_eq(pipe(report), 0);
	grader = fork();
	if (grader == 0) {
		/* A grader: a child running in its group, an orphan of a child that exited. */
		reaper_setup();
		pids[0] = sleeper(true);
		reaper_add(pids[0], true);
		pids[1] = orphan();
		if (write(report[1], pids, sizeof(pids)) != sizeof(pids))
			_exit(1);
		raise(SIGINT);
		_exit(0);
	}
	close(report[1]);
	cr_assert_eq(read(report[0], pids, sizeof(pids)), (ssize_t)sizeof(pids));
	close(report[0]);
	cr_assert_eq(waitpid(grader, &status, 0), grader);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT,
		  "the process dies of the signal (a shell says 130)");
	cr_assert(gone(pids[0]), "the registered group was killed and reaped");
	cr_assert(gone(pids[1]), "the orphan (a daemon in a session of its own) was killed and reaped");
}

Test(reaper, end_orphans_kills_and_reaps_the_daemons_left_to_us, .timeout = 20)
{
	pid_t daemon;

	reaper_setup();
	reaper_set_cleanup(count_cleanup);
	daemon = orphan();
	cr_assert_eq(kill(daemon, 0), 0, "the daemon runs");
	reaper_end_orphans();
	cr_assert(gone(daemon), "the daemon was killed and reaped");
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "no child is left");
	cr_assert_eq(cleanups_false, 1, "the cleanup hook is called with false");
	cr_assert_eq(cleanups_true, 0);
}
