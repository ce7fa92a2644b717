/* The stacks of a stuck or crashed test, written by the test's own process (no debugger). */
#ifndef RACECOURSE_CAPTURE_H
#define RACECOURSE_CAPTURE_H

/*
 * Arms, in a test's worker, the capture of every thread's stack at 60% of
 * the test's `limit` seconds (none when limit <= 0) and of the crashing
 * thread's on SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT, into
 * DIR/stacks.PID.txt, which grader/stacks.c reads (see capture.c for the
 * format).
 */
void capture_arm(const char *dir, double limit);

#endif
