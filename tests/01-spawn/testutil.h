/* Helpers shared by the stage 01 tests: counting descriptors, a caller's buffered stdout. */
#ifndef RACECOURSE_SPAWN_TESTUTIL_H
#define RACECOURSE_SPAWN_TESTUTIL_H

#include <stdio.h>

/* Failing forks, interrupted calls, core dumps, closed stdio: tests/lib/faults_proc.h. */
#include "faults_proc.h"
/* The blocks allocated and not yet freed: tests/lib/faults_mem.h. */
#include "faults_mem.h"

/* values[i] = i + 1, malloc'd: the sum of the first n is n(n+1)/2, and each value counts once. */
int *one_to(size_t n);

/* The number of file descriptors this process has open. */
int open_fds(void);

/*
 * A stream with text written into its buffer but not yet to its file: the
 * caller's unflushed stdout, in a temporary file so that the test can read
 * back what reached the file.
 */
FILE *buffered_stream(const char *text);

/* Flush f, read back its file and return how many times text occurs in it; closes f. */
int times_written(FILE *f, const char *text);

#endif
