/* What one thread of the test's process is doing, as the kernel sees it. */
#ifndef RACECOURSE_TASK_STATE_H
#define RACECOURSE_TASK_STATE_H

enum task_state {
	TASK_GONE,		/* no such thread any more: it has ended */
	TASK_RUNNING,		/* on a CPU or ready to run, in no system call */
	TASK_IN_FUTEX,		/* asleep in a futex: a condition wait or a contended mutex */
	TASK_IN_OTHER_CALL,	/* in some other system call (a sleep, a read) */
};

/*
 * The state of thread `tid` (its kernel id, gettid()), from
 * /proc/self/task/TID/syscall, whose first field is the number of the
 * system call the thread is in, or "running".  Tests use it to wait until
 * a thread really sleeps in pthread_cond_wait before they go on, with a
 * time limit as the failure signal, never a sleep.
 */
enum task_state task_state(int tid);

#endif
