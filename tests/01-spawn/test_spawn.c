/* Tests of spawn_workers(): n children at once, their statuses, no zombie, no double print. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"
#include "testutil.h"

/* A child returns the number its index selects in the int array arg. */
static int pick(int index, void *arg)
{
	return ((const int *)arg)[index];
}

Test(spawn, exit_codes)
{
	/* 256 + 7: an exit code keeps only the low 8 bits. */
	int codes[] = { 0, 1, 42, 255, 256 + 7 };
	int want[] = { 0, 1, 42, 255, 7 };
	int st[5];
	int ret = spawn_workers(5, pick, codes, st);

	cr_assert_eq(ret, 0, "spawn_workers(5, ...): expected 0, got %d", ret);
	for (int i = 0; i < 5; i++)
		cr_expect_eq(st[i], want[i], "statuses[%d]: child %d returned %d, expected %d, got %d",
			     i, i, codes[i], want[i], st[i]);
	cr_assert_eq(fork_calls(), 5, "expected 5 forks for 5 children, got %d", fork_calls());
}

/*
 * The rendezvous: each child waits on a barrier, in memory shared by all
 * the processes, until all n children have reached it.  Children started
 * one after the other never all get there: the first one waits forever,
 * and the test's time limit is the failure.
 */
static pid_t test_pid;

static int meet(int index, void *arg)
{
	/* A child stuck here must not outlive a test killed at its time limit. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != test_pid)
		_exit(99);
	pthread_barrier_wait(arg);
	return 10 + index;
}

Test(spawn, overlap)
{
	enum { N = 4 };
	pthread_barrierattr_t attr;
	pthread_barrier_t *barrier;
	int st[N];
	int ret;

	barrier = mmap(NULL, sizeof(*barrier), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(barrier, MAP_FAILED, "mmap of the shared barrier failed");
	pthread_barrierattr_init(&attr);
	pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_barrier_init(barrier, &attr, N);
	test_pid = getpid();

	/* Hangs (test timed out) if the children do not all run at once. */
	ret = spawn_workers(N, meet, barrier, st);
	cr_assert_eq(ret, 0, "spawn_workers(%d, ...): expected 0, got %d", N, ret);
	for (int i = 0; i < N; i++)
		cr_expect_eq(st[i], 10 + i, "statuses[%d]: expected %d, got %d", i, 10 + i, st[i]);
}

/* Child 0 exits with 5; the others die by the signal their index selects. */
static const int kill_sigs[] = { 0, SIGTERM, SIGKILL, SIGUSR1 };

static int die(int index, void *arg)
{
	sigset_t set;

	(void)arg;
	if (kill_sigs[index] == 0)
		return 5;
	/* Whatever the test runner did with the signal, it must kill. */
	signal(kill_sigs[index], SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, kill_sigs[index]);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(kill_sigs[index]);
	return 100;	/* not reached */
}

Test(spawn, signal)
{
	int st[4];
	int ret = spawn_workers(4, die, NULL, st);

	cr_assert_eq(ret, 0, "spawn_workers(4, ...): expected 0, got %d", ret);
	cr_expect_eq(st[0], 5, "statuses[0]: child exited with 5, expected 5, got %d", st[0]);
	for (int i = 1; i < 4; i++)
		cr_expect_eq(st[i], 128 + kill_sigs[i],
			     "statuses[%d]: child killed by signal %d (%s), expected 128 + %d = %d, got %d",
			     i, kill_sigs[i], strsignal(kill_sigs[i]), kill_sigs[i], 128 + kill_sigs[i], st[i]);
}

static int index_plus_one(int index, void *arg)
{
	(void)arg;
	return index + 1;
}

Test(spawn, no_zombies)
{
	int st[4];
	int fds = open_fds();
	long blocks = mem_live_blocks();
	int ret = spawn_workers(4, index_plus_one, NULL, st);
	const char *left = children_left();
	long leaked = mem_live_blocks() - blocks;

	cr_assert_eq(ret, 0, "spawn_workers(4, ...): expected 0, got %d", ret);
	cr_assert_str_eq(left, "none", "after spawn_workers returned: expected no child left, found %s", left);
	for (int i = 0; i < 4; i++)
		cr_expect_eq(st[i], i + 1, "statuses[%d]: expected %d, got %d", i, i + 1, st[i]);
	cr_expect_eq(open_fds(), fds, "open file descriptors: expected %d as before the call, got %d",
		     fds, open_fds());
	cr_expect_eq(leaked, 0, "leaked %ld block(s): spawn_workers returned and did not free what it "
		     "allocated (a table of pids?)", leaked);
}

Test(spawn, other_children)
{
	int st[3] = { -7, -7, -7 }, status;
	siginfo_t info;
	pid_t other, got;
	int ret;

	/*
	 * The caller has a child of its own, which has already ended when
	 * spawn_workers is called (waitid with WNOWAIT waits for that without
	 * reaping it).  A wait for "any child" would take it instead of one
	 * of spawn_workers' own.
	 */
	other = fork();
	cr_assert_geq(other, 0, "fork failed");
	if (other == 0)
		_exit(9);
	cr_assert_eq(waitid(P_PID, (id_t)other, &info, WEXITED | WNOWAIT), 0, "waitid failed");
	fork_fail_at(0);

	ret = spawn_workers(3, index_plus_one, NULL, st);
	cr_assert_eq(ret, 0, "spawn_workers(3, ...): expected 0, got %d", ret);
	for (int i = 0; i < 3; i++)
		cr_expect_eq(st[i], i + 1, "statuses[%d]: expected %d, got %d", i, i + 1, st[i]);
	got = waitpid(other, &status, WNOHANG);
	cr_assert_eq(got, other, "the caller's own child (pid %d, exited with 9) must be left for the caller "
		     "to wait for: waitpid(%d) expected %d, got %d (%s)", (int)other, (int)other, (int)other,
		     (int)got, got < 0 ? strerror(errno) : "not ended");
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 9,
		  "the caller's own child: expected exit status 9, got raw status %#x", status);
	cr_assert_str_eq(children_left(), "none", "after all: expected no child left, found one");
}

Test(spawn, one_worker)
{
	int code = 42;
	int st[1] = { -7 };
	int ret = spawn_workers(1, pick, &code, st);

	cr_assert_eq(ret, 0, "spawn_workers(1, ...): expected 0, got %d", ret);
	cr_assert_eq(st[0], 42, "statuses[0]: expected 42, got %d", st[0]);
	cr_assert_eq(fork_calls(), 1, "expected 1 fork for 1 child, got %d", fork_calls());
	cr_assert_str_eq(children_left(), "none", "expected no child left after the call");
}

static int must_not_run(int index, void *arg)
{
	(void)index;
	(void)arg;
	return 66;
}

Test(spawn, zero_workers)
{
	int st[1] = { -7 };
	long blocks = mem_live_blocks(), leaked;
	int ret;

	ret = spawn_workers(0, must_not_run, NULL, st);
	cr_assert_eq(ret, 0, "spawn_workers(0, ...): expected 0, got %d", ret);
	cr_assert_eq(fork_calls(), 0, "spawn_workers(0, ...): expected no fork, got %d", fork_calls());
	cr_assert_eq(st[0], -7, "spawn_workers(0, ...) must leave statuses untouched: expected -7, got %d", st[0]);

	errno = 0;
	ret = spawn_workers(-1, must_not_run, NULL, st);
	cr_assert_eq(ret, -1, "spawn_workers(-1, ...): expected -1, got %d", ret);
	cr_assert_eq(errno, EINVAL, "spawn_workers(-1, ...): expected errno EINVAL, got %d (%s)",
		     errno, strerror(errno));
	cr_assert_eq(fork_calls(), 0, "spawn_workers(-1, ...): expected no fork, got %d", fork_calls());
	leaked = mem_live_blocks() - blocks;
	cr_assert_eq(leaked, 0, "spawn_workers(0, ...) and (-1, ...): %ld block(s) left allocated (check "
		     "n before allocating)", leaked);
}

Test(spawn, fork_failure)
{
	int st[5] = { 77, 77, 77, 77, 77 };
	int want[5] = { 1, 2, -1, -1, -1 };
	long blocks = mem_live_blocks(), leaked;
	const char *left;
	int ret, err;

	fork_fail_at(3);
	errno = 0;
	ret = spawn_workers(5, index_plus_one, NULL, st);
	err = errno;
	left = children_left();
	leaked = mem_live_blocks() - blocks;
	cr_assert_eq(ret, -1, "third fork failed: expected -1, got %d", ret);
	cr_assert_eq(err, EAGAIN, "third fork failed with EAGAIN: expected errno EAGAIN, got %d (%s)",
		     err, strerror(err));
	cr_assert_eq(fork_calls(), 3, "after the third fork failed: expected no further fork (3 calls), got %d",
		     fork_calls());
	for (int i = 0; i < 5; i++)
		cr_expect_eq(st[i], want[i], "statuses[%d]: expected %d (%s), got %d", i, want[i],
			     want[i] < 0 ? "never started" : "started, returned index + 1", st[i]);
	cr_assert_str_eq(left, "none",
			 "the two children started before the failure must be waited for: found %s", left);
	cr_assert_eq(leaked, 0, "leaked %ld block(s): spawn_workers returned -1 after a failed fork and "
		     "did not free what it allocated (a table of pids?)", leaked);
}

Test(spawn, stdio_once)
{
	/* The caller printed this, still in its stdio buffer at the call. */
	FILE *f = buffered_stream("printed-by-the-caller\n");
	int st[3];
	int ret = spawn_workers(3, index_plus_one, NULL, st);
	int times = times_written(f, "printed-by-the-caller");

	cr_assert_eq(ret, 0, "spawn_workers(3, ...): expected 0, got %d", ret);
	cr_assert_eq(times, 1, "text the caller had buffered before the call: expected it written once, "
		     "got %d times (does a child flush its copy of the buffer by calling exit()?)", times);
}

Test(spawn, never_returns)
{
	pid_t me = getpid();
	int st[3], fds[2];
	ssize_t got;
	char c;
	int ret;

	cr_assert_eq(pipe(fds), 0, "pipe failed");
	ret = spawn_workers(3, index_plus_one, NULL, st);
	if (getpid() != me) {
		/* A child came back out of spawn_workers: tell the test and stop here. */
		if (write(fds[1], "R", 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	/* End of file once every child has closed its copy of the write end. */
	got = read(fds[0], &c, 1);
	close(fds[0]);
	cr_assert_eq(got, 0, "a child must end after fn returns, never return into the caller's code: "
		     "a child came back from spawn_workers");
	cr_assert_eq(ret, 0, "spawn_workers(3, ...): expected 0, got %d", ret);
	for (int i = 0; i < 3; i++)
		cr_expect_eq(st[i], i + 1, "statuses[%d]: expected %d, got %d", i, i + 1, st[i]);
}
