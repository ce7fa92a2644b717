/* What one thread of the test's process is doing, as the kernel sees it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "task_state.h"
#include "worker.h"

#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

enum task_state task_state(int tid)
{
	char buf[32];
	ssize_t got = worker_task_syscall(tid, buf, sizeof(buf));

	if (got <= 0)
		return TASK_GONE;	/* it has ended */
	if (buf[0] < '0' || buf[0] > '9')
		return TASK_RUNNING;	/* "running" */
	return strtol(buf, NULL, 10) == SYS_futex ? TASK_IN_FUTEX : TASK_IN_OTHER_CALL;
}
