/* Detector scenarios: small programs run under Helgrind and DRD. */
#ifndef RACECOURSE_SCENARIO_H
#define RACECOURSE_SCENARIO_H

#include <stddef.h>

/*
 * A stage's scenarios.c defines the table below.  scenario_main.c runs the
 * scenarios named on the command line, or all of them in order.  A scenario
 * drives the student's code from several threads at once so that every
 * shared access happens while another thread may touch the same data; the
 * detectors, not the scenario, judge the result.  Keep them small (a few
 * threads, a few hundred operations): a detector needs one occurrence.
 */
struct scenario {
	const char *name;
	const char *about;	/* one line shown with the findings */
	void (*run)(void);
};

extern const struct scenario scenarios[];
extern const size_t nscenarios;

/* Start nthreads threads running fn(arg_i) and join them all; aborts on failure. */
void scenario_threads(int nthreads, void *(*fn)(void *), void *args, size_t argsize);

/*
 * From now on, the k-th call of pthread_create (counting from 1, in any
 * thread) fails with EAGAIN without starting a thread; 0 disarms it.  A
 * scenario makes the code's own failure path run while the threads it did
 * start are there, so that what that path does to them unlocked shows.
 * Every scenario program has pthread_create wrapped (the grader adds the
 * flag), and every call counts, scenario_threads' own too: disarm before
 * using it.
 */
void scenario_fail_create_at(unsigned k);

/*
 * Every scenario program also has faults_mem.c and its wrappers (the
 * grader adds them): mem_fail_at() of faults_mem.h makes allocations fail
 * there as in the tests, so that a scenario can run the code's
 * out-of-memory paths while other threads are inside.  The allocations of
 * the scenario's own code count too: arm it at the moment that matters
 * (in a loader or callback the scenario controls) and disarm it after.
 */

/*
 * A run still going at its deadline (the grader's RACECOURSE_SCENARIO_SECONDS
 * after the start, 30 s by default) ends with SCENARIO_STUCK_STATUS: a
 * deadlock or a wait nobody ends, which would otherwise hold the detector
 * to its whole time limit.
 */
#define SCENARIO_STUCK_STATUS 125
#define SCENARIO_SECONDS_ENV "RACECOURSE_SCENARIO_SECONDS"

#endif
