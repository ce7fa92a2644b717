/* Stage 01's pipes: a pipe() that fails, and the descriptors the program run by run_capture inherits. */
#define _GNU_SOURCE		/* pipe2 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "faults_mem.h"
#include "faults_proc.h"
#include "spawn.h"
#include "testutil.h"

/*
 * The manifest links this binary with -Wl,--wrap=pipe and --wrap=pipe2:
 * while pipe_fails is set, the student's pipe (either call) fails with
 * EMFILE, as it does when the caller has used up its descriptors.
 */
int __real_pipe(int fds[2]);
int __real_pipe2(int fds[2], int flags);

static bool pipe_fails;

int __wrap_pipe(int fds[2])
{
	if (pipe_fails) {
		errno = EMFILE;
		return -1;
	}
	return __real_pipe(fds);
}

int __wrap_pipe2(int fds[2], int flags)
{
	if (pipe_fails) {
		errno = EMFILE;
		return -1;
	}
	return __real_pipe2(fds, flags);
}

/*
 * spawn.h: pipe's errno, no child, and nothing left allocated or open.
 * The failure comes before any fork, on a path no other test takes.
 */
Test(faults, pipe_failure)
{
	char *echo[] = { "echo", "hello", NULL };
	char out[16];
	int *v = one_to(100), fds = open_fds(), ret, forks;
	long blocks = mem_live_blocks(), leaked;
	long long got;

	forks = fork_calls();
	pipe_fails = true;
	errno = 0;
	got = parallel_sum(v, 100, 4);
	pipe_fails = false;
	cr_expect_eq(got, 0, "parallel_sum whose pipe() failed: expected 0, got %lld", got);
	cr_expect_eq(errno, EMFILE, "parallel_sum whose pipe() failed with EMFILE: expected errno EMFILE, "
		     "got %d (%s)", errno, strerror(errno));
	leaked = mem_live_blocks() - blocks;
	cr_expect_eq(leaked, 0, "parallel_sum whose pipe() failed left %ld block(s) allocated (its table "
		     "of pids?)", leaked);

	memset(out, 'Z', sizeof(out));
	pipe_fails = true;
	errno = 0;
	ret = run_capture(echo, out, sizeof(out));
	pipe_fails = false;
	cr_expect_eq(ret, -1, "run_capture whose pipe() failed: expected -1, got %d", ret);
	cr_expect_eq(errno, EMFILE, "run_capture whose pipe() failed with EMFILE: expected errno EMFILE, "
		     "got %d (%s)", errno, strerror(errno));
	cr_expect_eq(out[0], '\0', "run_capture whose pipe() failed: expected out to be \"\", got out[0] "
		     "= %#x", (unsigned char)out[0]);

	cr_expect_eq(fork_calls(), forks, "a child was forked although the pipe could not be made");
	cr_expect_eq(open_fds(), fds, "after the failed calls: %d descriptors open before, %d after", fds,
		     open_fds());
	cr_expect_str_eq(children_left(), "none", "a child was left after the failed calls");
	free(v);
}

/* The n lowest descriptor numbers not open now: pipe() hands out the lowest free ones. */
static void lowest_free(int *fds, int n)
{
	int found = 0;

	for (int fd = 0; found < n; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			fds[found++] = fd;
}

/* The test's own fd open (on /dev/null if it was closed), so that the program has one to inherit. */
static void ensure_open(int fd)
{
	int null;

	if (fcntl(fd, F_GETFD) >= 0)
		return;
	null = open("/dev/null", O_RDWR);
	cr_assert(null >= 0, "test: cannot open /dev/null");
	if (null != fd) {
		cr_assert_eq(dup2(null, fd), fd, "test: dup2 failed");
		close(null);
	}
}

/* Where the test's own descriptor fd leads ("pipe:[123]", "/dev/null"), or "" when it is closed. */
static void link_of(int fd, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, size - 1);
	buf[n < 0 ? 0 : n] = '\0';
}

/*
 * The program gets the caller's standard input and error, the pipe on its
 * standard output, and no other end of the pipe: the read end (and the
 * write end, once it is copied to fd 1) are closed in the child before
 * exec.  A program that holds the read end keeps the pipe open after the
 * parent gives up on it; one that holds a write end (a daemon it starts,
 * say) keeps the parent's read from ever seeing the end of the output.
 * The pipe's ends take the lowest free numbers, unused before the call:
 * the shell (the program itself, $$) reports which of them it has open,
 * opening nothing, and where its fds 0 and 2 lead.
 */
Test(run_capture, program_descriptors)
{
	char script[256], *argv[] = { "sh", "-c", script, NULL };
	char out[512], want[512], in[200], err[200];
	int free_fds[2], ret, listed;

	ensure_open(0);
	ensure_open(2);
	lowest_free(free_fds, 2);
	link_of(0, in, sizeof(in));
	link_of(2, err, sizeof(err));
	snprintf(script, sizeof(script),
		 "for fd in %d %d; do if [ -e /proc/$$/fd/$fd ]; then echo $fd; fi; done; "
		 "echo \"0=$(readlink /proc/$$/fd/0) 2=$(readlink /proc/$$/fd/2)\"",
		 free_fds[0], free_fds[1]);
	snprintf(want, sizeof(want), "0=%s 2=%s\n", in, err);
	ret = run_capture(argv, out, sizeof(out));
	cr_assert_eq(ret, 0, "sh -c '%s': expected status 0, got %d", script, ret);
	/* Before the last line, the shell lists the pipe's ends it holds. */
	listed = strstr(out, "0=") ? (int)(strstr(out, "0=") - out) : (int)strlen(out);
	cr_assert(listed == 0, "the program run by run_capture has ends of the pipe open "
		  "(of fds %d and %d, free before the call, it holds: %.*s): close the read end, and the "
		  "write end once it is on fd 1, in the child before exec", free_fds[0], free_fds[1],
		  listed, out);
	cr_assert_str_eq(out, want, "the program's standard input and error must be the caller's: "
			 "expected \"%s\", got \"%s\"", want, out);
}
