/* Tests of parallel_sum(): the sum, the slices, the number of children, no leaks. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "spawn.h"
#include "testutil.h"

Test(parallel_sum, sum)
{
	int *v = one_to(1000);
	long long got;

	got = parallel_sum(v, 1000, 4);
	cr_assert_eq(got, 500500LL, "1 + ... + 1000 with 4 processes: expected 500500, got %lld", got);
	cr_assert_eq(fork_calls(), 4, "nprocs 4: expected 4 children (forks), got %d", fork_calls());

	fork_fail_at(0);
	got = parallel_sum(v, 1000, 1);
	cr_assert_eq(got, 500500LL, "1 + ... + 1000 with 1 process: expected 500500, got %lld", got);
	cr_assert_eq(fork_calls(), 1, "nprocs 1: expected 1 child (fork), got %d", fork_calls());
	free(v);
}

Test(parallel_sum, uneven)
{
	static const size_t lens[] = { 10, 11, 1001, 997 };
	static const int procs[] = { 3, 4, 7, 5 };

	/* Lengths that do not divide evenly: the remainder must be summed too. */
	for (size_t t = 0; t < sizeof(lens) / sizeof(lens[0]); t++) {
		size_t n = lens[t];
		int *v = one_to(n);
		long long want = (long long)n * ((long long)n + 1) / 2;
		long long got = parallel_sum(v, n, procs[t]);

		cr_assert_eq(got, want, "1 + ... + %zu with %d processes: expected %lld, got %lld",
			     n, procs[t], want, got);
		free(v);
	}
}

Test(parallel_sum, more_procs_than_values)
{
	int v[3] = { 5, 6, 7 };
	long long got;

	got = parallel_sum(v, 3, 8);
	cr_assert_eq(got, 18LL, "5 + 6 + 7 with 8 processes: expected 18, got %lld", got);
	cr_assert_eq(fork_calls(), 3, "3 values, nprocs 8: expected min(8, 3) = 3 children, got %d", fork_calls());

	fork_fail_at(0);
	got = parallel_sum(v, 1, 2);
	cr_assert_eq(got, 5LL, "one value (5) with 2 processes: expected 5, got %lld", got);
	cr_assert_eq(fork_calls(), 1, "1 value, nprocs 2: expected 1 child, got %d", fork_calls());
}

Test(parallel_sum, edges)
{
	int v[2] = { 1, 2 };
	long blocks = mem_live_blocks(), leaked;
	long long got;

	errno = 0;
	got = parallel_sum(v, 0, 4);
	cr_assert_eq(got, 0LL, "no values: expected 0, got %lld", got);
	cr_assert_eq(errno, 0, "no values is not an error: expected errno untouched (0), got %d (%s)", errno,
		     strerror(errno));
	cr_assert_eq(fork_calls(), 0, "no values: expected no child, got %d forks", fork_calls());

	for (int nprocs = 0; nprocs >= -1; nprocs--) {
		errno = 0;
		got = parallel_sum(v, 2, nprocs);
		cr_assert_eq(got, 0LL, "nprocs %d: expected 0, got %lld", nprocs, got);
		cr_assert_eq(errno, EINVAL, "nprocs %d: expected errno EINVAL, got %d (%s)", nprocs, errno,
			     strerror(errno));
	}
	cr_assert_eq(fork_calls(), 0, "nprocs < 1: expected no child, got %d forks", fork_calls());
	leaked = mem_live_blocks() - blocks;
	cr_assert_eq(leaked, 0, "no values, or nprocs < 1: %ld block(s) left allocated (check the "
		     "arguments before allocating)", leaked);
}

Test(parallel_sum, large_values)
{
	enum { N = 3000 };
	static int v[N];
	long long want = 0, got;

	/* Each child's partial sum is far beyond an int, let alone an exit code. */
	for (int i = 0; i < N; i++) {
		v[i] = i % 3 == 2 ? INT_MIN + i : INT_MAX - i;
		want += v[i];
	}
	got = parallel_sum(v, N, 3);
	cr_assert_eq(got, want, "3000 values near INT_MAX and INT_MIN with 3 processes: expected %lld, got %lld",
		     want, got);
	for (int i = 0; i < N; i++)
		v[i] = INT_MAX;
	want = (long long)N * INT_MAX;
	got = parallel_sum(v, N, 2);
	cr_assert_eq(got, want, "3000 x INT_MAX with 2 processes: expected %lld, got %lld", want, got);
}

Test(parallel_sum, no_leaks)
{
	int *v = one_to(100);
	int fds = open_fds();
	long blocks = mem_live_blocks();
	long long got = parallel_sum(v, 100, 4);
	const char *left = children_left();
	long leaked = mem_live_blocks() - blocks;

	cr_assert_eq(got, 5050LL, "1 + ... + 100 with 4 processes: expected 5050, got %lld", got);
	cr_assert_str_eq(left, "none", "after parallel_sum returned: expected no child left, found %s", left);
	cr_assert_eq(open_fds(), fds, "open file descriptors: expected %d as before the call, got %d", fds,
		     open_fds());
	cr_assert_eq(leaked, 0, "leaked %ld block(s): parallel_sum returned and did not free what it "
		     "allocated (a table of pids or of pipes?)", leaked);
	free(v);
}

Test(parallel_sum, fork_failure)
{
	int *v = one_to(100);
	int fds = open_fds();
	const char *left;
	long long got;
	int err;

	fork_fail_at(2);
	errno = 0;
	got = parallel_sum(v, 100, 4);
	err = errno;
	left = children_left();
	cr_assert_eq(got, 0LL, "second fork failed: expected 0, got %lld", got);
	cr_assert_eq(err, EAGAIN, "second fork failed with EAGAIN: expected errno EAGAIN, got %d (%s)",
		     err, strerror(err));
	cr_assert_eq(fork_calls(), 2, "after the second fork failed: expected no further fork (2 calls), got %d",
		     fork_calls());
	cr_assert_str_eq(left, "none", "the child started before the failure must be waited for: found %s", left);
	cr_assert_eq(open_fds(), fds, "open file descriptors: expected %d as before the call, got %d", fds,
		     open_fds());
	free(v);
}

/* The children of parallel_sum end with _exit() too: the caller's buffered text is written once. */
Test(parallel_sum, stdio_once)
{
	FILE *f = buffered_stream("printed-by-the-caller\n");
	int *v = one_to(100);
	long long got = parallel_sum(v, 100, 4);
	int times = times_written(f, "printed-by-the-caller");

	cr_assert_eq(got, 5050, "parallel_sum(1..100, 4 children): expected 5050, got %lld", got);
	cr_assert_eq(times, 1, "text the caller had buffered before the call: expected it written once, "
		     "got %d times (does a child flush its copy of the buffer by calling exit()?)", times);
	free(v);
}

/* The same for parallel_sum, on its way out of a sum that went well. */
Test(parallel_sum, other_children)
{
	int *v = one_to(100), other = unrelated_child();
	long long got = parallel_sum(v, 100, 4);

	cr_assert_eq(got, 5050, "parallel_sum(1..100, 4 children): expected 5050, got %lld", got);
	cr_assert(unrelated_child_intact(other), "the caller's own child, which had ended before the "
		  "call, was reaped by parallel_sum: wait for your children by their pids, and only them");
	cr_assert_str_eq(children_left(), "none", "parallel_sum left a child unreaped");
	free(v);
}
