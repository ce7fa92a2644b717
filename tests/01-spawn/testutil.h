/* Helpers shared by the stage 01 tests: fork fault injection, counting descriptors and children. */
#ifndef RACECOURSE_SPAWN_TESTUTIL_H
#define RACECOURSE_SPAWN_TESTUTIL_H

#include <stdio.h>

/*
 * The tests are linked with -Wl,--wrap=fork: every fork() called by the
 * student's code (or a test) goes through a wrapper that counts it and can
 * make one of them fail with EAGAIN, as when the process limit is reached.
 * Criterion runs each test in a fresh process, so the count starts at 0.
 */

/* Make the k-th fork() from now on fail with EAGAIN (k >= 1; 0: none), and restart the count. */
void fork_fail_at(int k);

/* How many times fork() was called since the start or the last fork_fail_at(), the failed one included. */
int fork_calls(void);

/* The number of file descriptors this process has open. */
int open_fds(void);

/*
 * What children this process still has, per waitpid(-1, WNOHANG): "none",
 * "a zombie" (reaped on the way) or "a running child".  The callers of
 * these tests have no children of their own, so anything but "none" after
 * a call was left behind by it.
 */
const char *children_left(void);

/*
 * A stream with text written into its buffer but not yet to its file: the
 * caller's unflushed stdout, in a temporary file so that the test can read
 * back what reached the file.
 */
FILE *buffered_stream(const char *text);

/* Flush f, read back its file and return how many times text occurs in it; closes f. */
int times_written(FILE *f, const char *text);

#endif
