/* What one thread of the test's process is doing, as the kernel sees it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "task_state.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

enum task_state task_state(int tid)
{
	char path[64], buf[32];
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return TASK_GONE;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0)
		return TASK_GONE;	/* it ended between the open and the read */
	if (buf[0] < '0' || buf[0] > '9')
		return TASK_RUNNING;	/* "running" */
	buf[got] = '\0';
	return strtol(buf, NULL, 10) == SYS_futex ? TASK_IN_FUTEX : TASK_IN_OTHER_CALL;
}
