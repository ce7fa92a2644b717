/* Stage 01: start child processes, wait for them, get their results back through pipes. */
#include "spawn.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Every function here returns how a child ended "as a shell reports it"
 * (see spawn.h).  One small static helper that waits for one pid and
 * decodes its status, used by all three, saves writing that three times.
 */

int spawn_workers(int n, int (*fn)(int index, void *arg), void *arg, int statuses[])
{
	/*
	 * TODO: fork n children, and only then wait for them.  In the child:
	 * call fn and end the process with the value it returns.  Which call
	 * ends a process without flushing stdio?  Remember what happens when
	 * a fork fails halfway.
	 */
	(void)n;
	(void)fn;
	(void)arg;
	(void)statuses;
	errno = ENOSYS;
	return -1;
}

int run_capture(char *const argv[], char *out, size_t cap)
{
	/*
	 * TODO: a pipe, a fork; in the child, make the pipe's write end its
	 * standard output and exec argv[0] (execvp searches PATH).  In the
	 * parent, read until end of file, then wait.  Which ends of the pipe
	 * must each process close, and when?
	 */
	(void)argv;
	(void)out;
	(void)cap;
	errno = ENOSYS;
	return -1;
}

long long parallel_sum(const int *values, size_t len, int nprocs)
{
	/*
	 * TODO: one child per slice; each sends its partial sum back through
	 * a pipe.  A child that adds into a variable of the parent only
	 * changes its own copy.
	 */
	(void)values;
	(void)len;
	(void)nprocs;
	errno = ENOSYS;
	return 0;
}
