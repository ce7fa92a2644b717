/* Stage 01 under faults: calls interrupted by signals, core dumps, closed stdio, dying children, others' children. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spawn.h"
#include "testutil.h"

/* The calls a parent blocks in while it waits for a child, or for a pipe. */
static const long wait_calls[] = { SYS_wait4, SYS_waitid };
static const long read_calls[] = { SYS_read, SYS_readv, SYS_poll, SYS_ppoll, SYS_select, SYS_pselect6,
				   SYS_epoll_wait, SYS_epoll_pwait };
#define N_OF(a) (sizeof(a) / sizeof(*(a)))

/* ---- a gate the test holds: children block on it until released ---- */

static int gate[2];

static void gate_open(void)
{
	cr_assert_eq(pipe(gate), 0, "pipe failed");
}

/* Lets n blocked readers of the gate go on. */
static void gate_release_n(int n)
{
	for (int i = 0; i < n; i++)
		cr_assert_eq(write(gate[1], "g", 1), 1, "cannot release the gate");
}

static void release_four(void *arg)
{
	(void)arg;
	gate_release_n(4);
}

static int wait_at_gate(int index, void *arg)
{
	char c;

	(void)arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (read(gate[0], &c, 1) < 0 && errno == EINTR)
		;
	return index + 1;
}

Test(faults, spawn_wait_interrupted)
{
	int st[4] = { -7, -7, -7, -7 };
	struct interruption *it;
	int ret, n;

	gate_open();
	/* The parent waits; a signal handler without SA_RESTART interrupts the wait. */
	it = interrupt_next_block(wait_calls, N_OF(wait_calls), release_four, NULL);
	ret = spawn_workers(4, wait_at_gate, NULL, st);
	n = interruption_end(it);
	cr_assert_eq(n, 1, "the test could not interrupt the wait (was it never blocked in waitpid?)");
	cr_assert_eq(ret, 0, "a wait interrupted by a signal (EINTR) is not a failure: expected 0, got %d", ret);
	for (int i = 0; i < 4; i++)
		cr_expect_eq(st[i], i + 1, "statuses[%d] after a waitpid interrupted by a signal (EINTR, to "
			     "retry): expected %d, got %d", i, i + 1, st[i]);
	cr_assert_str_eq(children_left(), "none",
			 "a waitpid interrupted by a signal must be retried: a child was left unreaped");
}

static int die_by_signal(int index, void *arg)
{
	static const int sigs[] = { 0, SIGSEGV, SIGABRT, SIGKILL };
	sigset_t set;

	(void)arg;
	if (!sigs[index])
		return 3;
	signal(sigs[index], SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sigs[index]);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sigs[index]);
	return 100;
}

Test(faults, spawn_core_dump_status)
{
	int st[4], want[4] = { 3, 128 + SIGSEGV, 128 + SIGABRT, 128 + SIGKILL };
	int ret;

	/* As on a system that writes core files: the status has the core-dump bit (0x80). */
	fault_core_dumps(true);
	ret = spawn_workers(4, die_by_signal, NULL, st);
	cr_assert_eq(ret, 0, "spawn_workers(4, ...): expected 0, got %d", ret);
	for (int i = 0; i < 4; i++)
		cr_expect_eq(st[i], want[i], "statuses[%d]: a child that dumped core after signal %d is 128 + "
			     "the signal (WTERMSIG, not the whole low byte of the status): expected %d, got %d",
			     i, want[i] - 128, want[i], st[i]);
}

static int plus_one(int index, void *arg)
{
	(void)arg;
	return index + 1;
}

Test(faults, spawn_fork_failure_leaves_other_children)
{
	int st[5], other = unrelated_child(), ret;

	fork_fail_at(3);
	ret = spawn_workers(5, plus_one, NULL, st);
	cr_assert_eq(ret, -1, "third fork failed: expected -1, got %d", ret);
	cr_assert(unrelated_child_intact(other), "after a fork failure, only the children that were started may "
		  "be waited for (by pid): the caller's own child was reaped");
	cr_assert_str_eq(children_left(), "none", "the children started before the failure were left");
}

/* ---- run_capture ---- */

/* The test's standard input, a pipe the test writes to: the program blocks reading it. */
static int input[2];

static void input_as_stdin(void)
{
	cr_assert_eq(pipe(input), 0, "pipe failed");
	stdio_close(1u << 0);
	cr_assert_eq(dup2(input[0], 0), 0, "dup2 failed");
	close(input[0]);
}

static void send_input(void *arg)
{
	(void)arg;
	if (write(input[1], "go\n", 3) != 3)
		abort();
}

static void input_done(void)
{
	close(input[1]);
	close(0);
	stdio_restore();
}

Test(faults, run_capture_read_interrupted)
{
	char *argv[] = { "sh", "-c", "read x; echo after-$x", NULL };
	char out[64];
	struct interruption *it;
	int ret, n;

	input_as_stdin();
	it = interrupt_next_block(read_calls, N_OF(read_calls), send_input, NULL);
	ret = run_capture(argv, out, sizeof(out));
	n = interruption_end(it);
	input_done();
	cr_assert_eq(n, 1, "the test could not interrupt the read of the program's output");
	cr_assert_eq(ret, 0, "expected the program's exit code 0, got %d", ret);
	cr_assert_str_eq(out, "after-go\n", "a read interrupted by a signal (EINTR) is not the end of the "
			 "output: retry it; got \"%s\"", out);
	cr_assert_str_eq(children_left(), "none", "the program was left unreaped");
}

Test(faults, run_capture_wait_interrupted)
{
	/* The program closes its output first, then waits for its input. */
	char *argv[] = { "sh", "-c", "echo early; exec >&-; read x; exit 4", NULL };
	char out[64];
	struct interruption *it;
	int ret, n;

	input_as_stdin();
	it = interrupt_next_block(wait_calls, N_OF(wait_calls), send_input, NULL);
	ret = run_capture(argv, out, sizeof(out));
	n = interruption_end(it);
	input_done();
	cr_assert_eq(n, 1, "the test could not interrupt the wait for the program");
	cr_assert_eq(ret, 4, "a waitpid interrupted by a signal (EINTR) must be retried: expected the "
		     "program's exit code 4, got %d", ret);
	cr_assert_str_eq(out, "early\n", "expected \"early\\n\", got \"%s\"", out);
	cr_assert_str_eq(children_left(), "none", "the program was left unreaped");
}

Test(faults, run_capture_closed_stdio)
{
	/* The caller's closed descriptors are the lowest free: pipe() hands them out. */
	static const unsigned masks[] = { 1u << 1, 1u << 0 | 1u << 1, 1u << 0 | 1u << 1 | 1u << 2,
					  1u << 0, 1u << 1 | 1u << 2, 1u << 0 | 1u << 2 };
	static const char *const names[] = { "stdout", "stdin and stdout", "stdin, stdout and stderr",
					      "stdin", "stdout and stderr", "stdin and stderr" };
	char *argv[] = { "echo", "hello", NULL };

	for (size_t i = 0; i < N_OF(masks); i++) {
		char out[64] = "(untouched)";
		int before = open_fds(), ret, after;

		stdio_close(masks[i]);
		ret = run_capture(argv, out, sizeof(out));
		after = open_fds();
		stdio_restore();
		cr_expect_eq(ret, 0, "caller with %s closed: expected echo's exit code 0, got %d", names[i], ret);
		cr_expect_str_eq(out, "hello\n", "caller with %s closed (the pipe's ends may then be fds 0 or "
				 "1 themselves: dup2 onto itself, then close, loses it): expected \"hello\\n\", "
				 "got \"%s\"", names[i], out);
		cr_expect_eq(after, before, "caller with %s closed: %d descriptors open before, %d after",
			     names[i], before, after);
	}
	cr_assert_str_eq(children_left(), "none", "a program was left unreaped");
}

Test(faults, run_capture_core_dump_status)
{
	char *argv[] = { "sh", "-c", "kill -SEGV $$", NULL };
	char out[16];
	int ret;

	fault_core_dumps(true);
	ret = run_capture(argv, out, sizeof(out));
	cr_assert_eq(ret, 128 + SIGSEGV, "a program that dumped core after SIGSEGV: expected 128 + %d = %d "
		     "(WTERMSIG, not the whole low byte), got %d", SIGSEGV, 128 + SIGSEGV, ret);
}

Test(faults, run_capture_fork_failure_leaves_other_children)
{
	char *argv[] = { "true", NULL };
	char out[16];
	int other = unrelated_child(), ret;

	fork_fail_at(1);
	ret = run_capture(argv, out, sizeof(out));
	cr_assert_eq(ret, -1, "fork failed: expected -1, got %d", ret);
	cr_assert(unrelated_child_intact(other), "after a fork failure, the caller's own child was reaped");
}

/* ---- parallel_sum ---- */

Test(faults, parallel_sum_read_interrupted)
{
	int *v = one_to(1000);
	struct interruption *it;
	long long got;
	int n;

	/* The children wait at the gate before they send, so the parent blocks reading. */
	gate_open();
	fault_children_wait_before_write(gate[0]);
	it = interrupt_next_block(read_calls, N_OF(read_calls), release_four, NULL);
	errno = 0;
	got = parallel_sum(v, 1000, 4);
	n = interruption_end(it);
	cr_assert_eq(n, 1, "the test could not interrupt the read of the partial sums");
	cr_assert_eq(got, 500500LL, "a read interrupted by a signal (EINTR) must be retried: expected "
		     "500500, got %lld (errno %s)", got, strerror(errno));
	cr_assert_str_eq(children_left(), "none", "a child was left unreaped");
	free(v);
}

Test(faults, parallel_sum_short_reads)
{
	int *v = one_to(1000);
	long long got;

	/* A read may return fewer bytes than asked: a partial sum can come in pieces. */
	fault_short_reads(3);
	got = parallel_sum(v, 1000, 4);
	cr_assert_eq(got, 500500LL, "reads that return 3 bytes at a time: expected 500500, got %lld", got);
	free(v);
}

Test(faults, parallel_sum_child_dies)
{
	int *v = one_to(1000), other = unrelated_child();
	int fds = open_fds();
	long long got;

	/* The second child to send dies before it does. */
	fault_child_dies_at_write(2);
	errno = 0;
	got = parallel_sum(v, 1000, 4);
	cr_assert_eq(got, 0, "a child died before sending its partial sum: expected 0, got %lld", got);
	cr_assert_eq(errno, EIO, "a child died before sending: expected errno EIO, got %d (%s)", errno,
		     strerror(errno));
	cr_assert(unrelated_child_intact(other), "the caller's own child was reaped");
	cr_assert_str_eq(children_left(), "none", "after a child died without sending, every child must "
			 "still be waited for: found %s", children_left());
	cr_assert_eq(open_fds(), fds, "descriptors open: %d before the call, %d after", fds, open_fds());
	free(v);
}

Test(faults, parallel_sum_fork_failure_leaves_other_children)
{
	int *v = one_to(100), other = unrelated_child();
	long long got;

	fork_fail_at(3);
	got = parallel_sum(v, 100, 4);
	cr_assert_eq(got, 0, "third fork failed: expected 0, got %lld", got);
	cr_assert_eq(errno, EAGAIN, "third fork failed: expected errno EAGAIN, got %s", strerror(errno));
	cr_assert(unrelated_child_intact(other), "after a fork failure, only the children started may be "
		  "waited for (by pid): the caller's own child was reaped");
	cr_assert_str_eq(children_left(), "none", "the children started before the failure were left");
	free(v);
}

/* ---- descriptors on the failure paths ---- */

/*
 * A fork that fails after the pipe is made: the call returns its error,
 * and neither end of the pipe may stay open in the caller (a server that
 * retries leaks two descriptors per failure until it can open no more).
 */
Test(faults, failure_closes_descriptors)
{
	char *argv[] = { "true", NULL };
	char out[16];
	int *v = one_to(100);

	for (int k = 1; k <= 2; k++) {
		int before = open_fds();
		long long got;

		fork_fail_at(k);
		got = parallel_sum(v, 100, 4);
		fork_fail_at(0);
		cr_expect_eq(got, 0, "fork %d failed: expected 0, got %lld", k, got);
		cr_expect_eq(open_fds(), before, "parallel_sum whose fork %d failed: %d descriptors open "
			     "before the call, %d after (is the pipe closed on every way out?)", k, before,
			     open_fds());
		cr_expect_str_eq(children_left(), "none", "parallel_sum whose fork %d failed left a child", k);
	}
	{
		int before = open_fds(), ret;

		fork_fail_at(1);
		ret = run_capture(argv, out, sizeof(out));
		fork_fail_at(0);
		cr_expect_eq(ret, -1, "run_capture whose fork failed: expected -1, got %d", ret);
		cr_expect_eq(open_fds(), before, "run_capture whose fork failed: %d descriptors open "
			     "before the call, %d after", before, open_fds());
	}
	free(v);
}

/* ---- out of memory ---- */

/*
 * Every allocation fails: spawn.h says -1 (0 for parallel_sum) and ENOMEM,
 * with no child started and the statuses untouched.  An unchecked malloc
 * dereferences NULL in the caller, after its children were forked.  Code
 * that allocates nothing for its bookkeeping cannot run out, and just
 * works.  A real malloc that fails sets errno to ENOMEM and faults_mem's
 * does not, so the test leaves errno as the failing malloc would have: an
 * error path that sets it to something else still shows.
 */
Test(faults, out_of_memory)
{
	int st[3] = { 77, 77, 77 }, *v = one_to(100), fds = open_fds(), forks = fork_calls(), ret, tried;
	long long got;

	mem_fail_at(1, true);
	errno = ENOMEM;
	ret = spawn_workers(3, plus_one, NULL, st);
	tried = mem_allocations();
	mem_fail_at(0, false);
	if (tried) {
		cr_expect_eq(ret, -1, "spawn_workers(3, ...) with no memory: expected -1, got %d", ret);
		cr_expect_eq(errno, ENOMEM, "spawn_workers(3, ...) with no memory: expected errno ENOMEM, "
			     "got %d (%s)", errno, strerror(errno));
		cr_expect(st[0] == 77 && st[1] == 77 && st[2] == 77, "spawn_workers(3, ...) with no memory: "
			  "expected the statuses untouched (77), got %d %d %d", st[0], st[1], st[2]);
		cr_expect_eq(fork_calls(), forks, "spawn_workers(3, ...) with no memory: expected no child "
			     "started, %d forked", fork_calls() - forks);
	}

	forks = fork_calls();
	mem_fail_at(1, true);
	errno = ENOMEM;
	got = parallel_sum(v, 100, 4);
	tried = mem_allocations();
	mem_fail_at(0, false);
	if (tried) {
		cr_expect_eq(got, 0, "parallel_sum with no memory: expected 0, got %lld", got);
		cr_expect_eq(errno, ENOMEM, "parallel_sum with no memory: expected errno ENOMEM, got %d (%s)",
			     errno, strerror(errno));
		cr_expect_eq(fork_calls(), forks, "parallel_sum with no memory: expected no child started, "
			     "%d forked", fork_calls() - forks);
	} else {
		cr_expect_eq(got, 5050, "parallel_sum(1..100, 4) allocating nothing: expected 5050, got %lld",
			     got);
	}
	cr_expect_eq(open_fds(), fds, "after the calls with no memory: %d descriptors open before, %d "
		     "after", fds, open_fds());
	cr_expect_str_eq(children_left(), "none", "a child was left after the calls with no memory");
	free(v);
}
