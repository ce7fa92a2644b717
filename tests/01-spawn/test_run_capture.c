/* Tests of run_capture(): output captured and cut at cap, exit statuses, no leaks. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"
#include "testutil.h"

/* What `seq 1 40000` prints: 228894 bytes, well over a pipe's 64 KiB. */
static char *seq_output(int last, size_t *len)
{
	size_t cap = (size_t)last * 7 + 1, n = 0;
	char *s = malloc(cap);

	cr_assert_not_null(s, "malloc failed");
	for (int i = 1; i <= last; i++)
		n += (size_t)snprintf(s + n, cap - n, "%d\n", i);
	*len = n;
	return s;
}

Test(run_capture, output)
{
	char *echo[] = { "echo", "hello", "world", NULL };
	char *sh[] = { "sh", "-c", "printf 'no newline'; exit 7", NULL };
	char out[64];
	int ret;

	ret = run_capture(echo, out, sizeof(out));
	cr_assert_eq(ret, 0, "echo hello world: expected status 0, got %d", ret);
	cr_assert_str_eq(out, "hello world\n", "echo hello world: expected \"hello world\\n\", got \"%s\"", out);

	ret = run_capture(sh, out, sizeof(out));
	cr_assert_eq(ret, 7, "sh -c 'printf ...; exit 7': expected status 7, got %d", ret);
	cr_assert_str_eq(out, "no newline", "sh -c 'printf ...': expected \"no newline\", got \"%s\"", out);
}

Test(run_capture, truncate)
{
	char *argv[] = { "printf", "abcdefghij", NULL };
	char out[16];
	int ret;

	/* Bytes past cap are the caller's: they must stay as they were. */
	memset(out, 'Z', sizeof(out));
	ret = run_capture(argv, out, 5);
	cr_assert_eq(ret, 0, "printf abcdefghij with cap 5: expected status 0, got %d", ret);
	cr_assert_str_eq(out, "abcd", "printf abcdefghij with cap 5: expected the first 4 bytes \"abcd\", got \"%s\"",
			 out);
	for (size_t i = 5; i < sizeof(out); i++)
		cr_assert_eq(out[i], 'Z', "cap 5: out[%zu] is past cap and must be untouched, got %#x", i,
			     (unsigned char)out[i]);

	memset(out, 'Z', sizeof(out));
	ret = run_capture(argv, out, 1);
	cr_assert_eq(ret, 0, "printf abcdefghij with cap 1: expected status 0, got %d", ret);
	cr_assert_eq(out[0], '\0', "cap 1: expected \"\" (room for the NUL only), got out[0] = %#x",
		     (unsigned char)out[0]);
	cr_assert_eq(out[1], 'Z', "cap 1: out[1] is past cap and must be untouched, got %#x",
		     (unsigned char)out[1]);

	ret = run_capture(argv, out, 0);
	cr_assert_eq(ret, -1, "cap 0: expected -1 (no room for the NUL), got %d", ret);
	cr_assert_eq(errno, EINVAL, "cap 0: expected errno EINVAL, got %d (%s)", errno, strerror(errno));
}

Test(run_capture, big_output)
{
	char *argv[] = { "seq", "1", "40000", NULL };
	size_t len;
	char *want = seq_output(40000, &len);
	char *out = malloc(len + 100);
	int ret;

	cr_assert_not_null(out, "malloc failed");
	/* A pipe holds 64 KiB: this needs reading while the child writes. */
	ret = run_capture(argv, out, len + 100);
	cr_assert_eq(ret, 0, "seq 1 40000: expected status 0, got %d", ret);
	cr_assert_eq(strlen(out), len, "seq 1 40000: expected %zu bytes of output, got %zu", len, strlen(out));
	cr_assert(memcmp(out, want, len) == 0, "seq 1 40000: the output captured differs from what seq printed");
	free(out);
	free(want);
}

Test(run_capture, discard_beyond_cap)
{
	char *argv[] = { "seq", "1", "40000", NULL };
	size_t len;
	char *want = seq_output(40000, &len);
	char out[100];
	int ret;

	/*
	 * out holds 99 bytes of the 228894.  The rest must be read and thrown
	 * away: a child left writing into a full pipe never ends (the test
	 * times out), and one whose pipe is closed early dies of SIGPIPE.
	 */
	ret = run_capture(argv, out, sizeof(out));
	cr_assert_eq(ret, 0, "seq 1 40000 with cap 100: expected status 0 (seq ran to its end), got %d%s", ret,
		     ret == 128 + 13 ? " (128 + SIGPIPE: the pipe was closed before seq was done)" : "");
	cr_assert_eq(strlen(out), sizeof(out) - 1, "cap 100: expected 99 bytes, got %zu", strlen(out));
	cr_assert(memcmp(out, want, sizeof(out) - 1) == 0, "cap 100: expected the first 99 bytes of the output");
	free(want);
}

Test(run_capture, signal)
{
	char *term[] = { "sh", "-c", "kill -TERM $$", NULL };
	char *kill9[] = { "sh", "-c", "echo before; kill -KILL $$; echo after", NULL };
	char out[64];
	sigset_t set;
	int ret;

	/* The program inherits these: SIGTERM must be able to kill it. */
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	ret = run_capture(term, out, sizeof(out));
	cr_assert_eq(ret, 128 + 15, "sh killed by SIGTERM: expected 128 + 15 = 143, got %d", ret);
	ret = run_capture(kill9, out, sizeof(out));
	cr_assert_eq(ret, 128 + 9, "sh killed by SIGKILL: expected 128 + 9 = 137, got %d", ret);
	cr_assert_str_eq(out, "before\n", "output before the kill: expected \"before\\n\", got \"%s\"", out);
}

Test(run_capture, not_found)
{
	char *missing[] = { "racecourse-no-such-program", "x", NULL };
	char *not_exec[] = { "/etc/passwd", NULL };
	char out[16];
	int ret;

	memset(out, 'Z', sizeof(out));
	ret = run_capture(missing, out, sizeof(out));
	cr_assert_eq(ret, 127, "a program not in PATH: expected 127, got %d", ret);
	cr_assert_str_eq(out, "", "a program not in PATH prints nothing: expected \"\", got \"%.15s\"", out);

	ret = run_capture(not_exec, out, sizeof(out));
	cr_assert_eq(ret, 127, "/etc/passwd (not executable): expected 127, got %d", ret);
}

Test(run_capture, stdio_once)
{
	char *missing[] = { "racecourse-no-such-program", NULL };
	FILE *f = buffered_stream("printed-by-the-caller\n");
	char out[16];
	int ret = run_capture(missing, out, sizeof(out));
	int times = times_written(f, "printed-by-the-caller");

	cr_assert_eq(ret, 127, "a program not in PATH: expected 127, got %d", ret);
	cr_assert_eq(times, 1, "text the caller had buffered before the call: expected it written once, got %d "
		     "times (does the child flush its copy of the buffer by calling exit() when exec fails?)", times);
}

Test(run_capture, no_leaks)
{
	char *echo[] = { "echo", "hello", NULL };
	char *seq[] = { "seq", "1", "40000", NULL };
	char *missing[] = { "racecourse-no-such-program", NULL };
	char out[32];
	int fds = open_fds();
	long blocks = mem_live_blocks(), leaked;
	const char *left;

	cr_assert_eq(run_capture(echo, out, sizeof(out)), 0, "echo hello: expected status 0");
	cr_assert_str_eq(out, "hello\n", "echo hello: expected \"hello\\n\", got \"%s\"", out);
	cr_assert_eq(run_capture(seq, out, sizeof(out)), 0, "seq 1 40000: expected status 0");
	cr_assert_eq(run_capture(missing, out, sizeof(out)), 127, "missing program: expected 127");
	left = children_left();
	leaked = mem_live_blocks() - blocks;
	cr_assert_eq(open_fds(), fds, "open file descriptors after 3 calls: expected %d as before, got %d",
		     fds, open_fds());
	cr_assert_str_eq(left, "none", "after 3 calls: expected no child left, found %s", left);
	cr_assert_eq(leaked, 0, "leaked %ld block(s): 3 calls of run_capture returned and did not free "
		     "what they allocated (a buffer for the pipe's bytes?)", leaked);
}

Test(run_capture, fork_failure)
{
	char *echo[] = { "echo", "hello", NULL };
	char out[16];
	int fds = open_fds();
	int ret;

	memset(out, 'Z', sizeof(out));
	fork_fail_at(1);
	errno = 0;
	ret = run_capture(echo, out, sizeof(out));
	cr_assert_eq(ret, -1, "fork failed: expected -1, got %d", ret);
	cr_assert_eq(errno, EAGAIN, "fork failed with EAGAIN: expected errno EAGAIN, got %d (%s)", errno,
		     strerror(errno));
	cr_assert_eq(out[0], '\0', "fork failed: expected out to be \"\", got out[0] = %#x", (unsigned char)out[0]);
	cr_assert_eq(open_fds(), fds, "fork failed: expected %d open file descriptors as before, got %d "
		     "(is the pipe closed?)", fds, open_fds());
}

/*
 * The caller has a child of its own that has ended: run_capture waits for
 * its program by pid and leaves that one alone, also on its way out (a
 * "no zombie left behind" sweep with waitpid(-1, ..., WNOHANG) steals it).
 */
Test(run_capture, other_children)
{
	char *echo[] = { "echo", "hello", NULL };
	char out[16];
	int other = unrelated_child(), ret;

	ret = run_capture(echo, out, sizeof(out));
	cr_assert_eq(ret, 0, "echo hello: expected status 0, got %d", ret);
	cr_assert(unrelated_child_intact(other), "the caller's own child, which had ended before the "
		  "call, was reaped by run_capture: wait for your program by its pid, and only for it");
	cr_assert_str_eq(children_left(), "none", "run_capture left its program unreaped");
}
