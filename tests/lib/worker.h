/* What the kit's test runner offers the tests' own helpers in a worker that is not dumpable. */
#ifndef RACECOURSE_WORKER_H
#define RACECOURSE_WORKER_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Reads /proc/self/task/TID/syscall (the system call thread `tid` of this
 * process is in, or "running") into buf, NUL-terminated.  Returns the bytes
 * read, or -1 when the thread is gone or the file cannot be read.
 *
 * The runner makes each worker not dumpable before any code under test
 * runs (runner.c), which makes its /proc files root's, and this one (mode
 * 0400) unreadable even by the worker.  So the main thread's file is
 * opened before that, and another thread's while the worker is briefly
 * dumpable again, once per thread: a read needs no more than the open.
 */
ssize_t worker_task_syscall(int tid, char *buf, size_t size);

#endif
