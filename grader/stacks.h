/* Where the threads of a test that timed out were: gdb's stacks, in plain words. */
#ifndef RACECOURSE_STACKS_H
#define RACECOURSE_STACKS_H

#include "submission.h"

/*
 * The kit's runner has gdb write every thread's stack of a test that ran
 * past most of its time limit to DIR/stacks.PID.txt.  Finds the file of the
 * test `name` ("suite/test": its stack has the frame suite_test_impl) and
 * says, for each thread that was in the student's code, what it was
 * waiting for and at which line:
 *
 *   thread 3 waits for a mutex (<b>) at starter/04-deadlock/bank.c:63
 *     >    63 |	pthread_mutex_lock(&dst->lock);
 *
 * Returns a malloc'd text, or NULL when there is no such capture (gdb
 * missing or not allowed) or no thread was in the student's code.
 */
char *stacks_explain(const char *dir, const char *name, const struct source *srcs, size_t nsrcs);

/* The same, from the text of one capture; for the tests. */
char *stacks_explain_text(const char *text, const struct source *srcs, size_t nsrcs);

#endif
