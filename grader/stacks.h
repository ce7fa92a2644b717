/* Where the threads of a stuck or crashed test were: the runner's captures, in plain words. */
#ifndef RACECOURSE_STACKS_H
#define RACECOURSE_STACKS_H

#include "submission.h"

/*
 * The kit's runner (tests/lib/runner.c) writes every thread's stack of a
 * test that ran past most of its time limit, or the stack of a thread that
 * crashed, to DIR/stacks.PID.txt: module names and offsets, which
 * addr2line turns into lines of `binary`, the test binary they ran (the
 * caller makes sure it is the one the grader built).  Finds the capture of
 * the test `name` ("suite/test": its stack has the function
 * suite_test_impl) and says, for each thread that was in the student's
 * code, what it was doing and at which line, and for a thread blocked on a
 * mutex, which thread held it and where it took it (in stages linked with
 * the schedule perturbation, which keeps that):
 *
 *   thread 3 waits for a mutex at starter/04-deadlock/bank.c:63 in bank_transfer()
 *   >    63 |	pthread_mutex_lock(&dst->lock);
 *     that mutex is held by thread 2, which took it at starter/04-deadlock/bank.c:62 ...
 *
 * Returns a malloc'd text, or NULL when there is no such capture or no
 * thread was in the student's code.  *symptom (set to NULL by the caller)
 * becomes what the threads say went wrong, for the hints: "crash",
 * "self-deadlock" (a thread waits for a mutex it holds), "deadlock",
 * "lost-wakeup" (waits on a condition variable), "spin" (running), or
 * stays NULL.
 */
char *stacks_explain(const char *dir, const char *binary, const char *name,
		     const struct source *srcs, size_t nsrcs, const char **symptom);

/*
 * The same, from the text of one capture; test, when not NULL, is the test
 * ("suite/name") the capture must be of.
 */
char *stacks_explain_text(const char *text, const char *binary, const char *test,
			  const struct source *srcs, size_t nsrcs, const char **symptom);

#endif
