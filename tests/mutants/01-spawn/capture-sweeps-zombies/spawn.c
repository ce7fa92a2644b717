/* Reference solution of stage 01: fork, _exit, waitpid and pipes. */
#include "spawn.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Wait for the child pid and return how it ended, as the shell reports it.
 * waitpid() is retried when a signal handler interrupts it; it names the
 * pid so that other children of the caller are left for the caller.
 * Returns -1 if the child cannot be waited for (the caller made the kernel
 * reap children by itself by ignoring SIGCHLD).
 */
static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;	/* not reached: without WUNTRACED only endings are reported */
}

int spawn_workers(int n, int (*fn)(int index, void *arg), void *arg, int statuses[])
{
	pid_t *pids;
	int started, i, err = 0;

	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	if (n == 0)
		return 0;
	pids = malloc((size_t)n * sizeof(*pids));
	if (!pids)
		return -1;

	/*
	 * Start them all before waiting for any: a wait inside this loop
	 * would run the children one after the other.
	 */
	for (started = 0; started < n; started++) {
		pid_t pid = fork();

		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			/*
			 * _exit(), not exit() and not return: exit() would
			 * flush this process's copies of the caller's stdio
			 * buffers (printing them a second time) and run the
			 * caller's atexit handlers; returning would run the
			 * caller's code in two processes.
			 */
			_exit(fn(started, arg));
		}
		pids[started] = pid;
	}

	/* A failed fork still leaves the started children to wait for. */
	for (i = 0; i < started; i++)
		statuses[i] = wait_child(pids[i]);
	for (; i < n; i++)
		statuses[i] = -1;
	free(pids);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int run_capture(char *const argv[], char *out, size_t cap)
{
	char discard[4096];
	size_t len = 0;
	int fds[2], err;
	pid_t pid;

	if (cap == 0) {
		errno = EINVAL;
		return -1;
	}
	out[0] = '\0';
	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(fds[0]);
		close(fds[1]);
		errno = err;
		return -1;
	}
	if (pid == 0) {
		/* The child: its standard output becomes the pipe's write end. */
		close(fds[0]);
		if (fds[1] != STDOUT_FILENO) {	/* the caller may have closed its stdout */
			dup2(fds[1], STDOUT_FILENO);
			close(fds[1]);
		}
		execvp(argv[0], argv);
		/* Still here: the program could not be executed. */
		_exit(127);
	}

	/*
	 * The parent's copy of the write end must go now: read() reports end
	 * of file only once every write end is closed, the child's included.
	 */
	close(fds[1]);
	for (;;) {
		size_t room = cap - 1 - len;
		ssize_t got;

		/* Once out is full, keep reading (and dropping) to the end. */
		if (room > 0)
			got = read(fds[0], out + len, room);
		else
			got = read(fds[0], discard, sizeof(discard));
		if (got == 0)
			break;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;	/* not expected from a pipe; the wait below still reaps */
		}
		if (room > 0)
			len += (size_t)got;
	}
	out[len] = '\0';
	close(fds[0]);
	{
		int ret = wait_child(pid);

		/* and no zombie left behind */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		return ret;
	}
}

/* Read exactly size bytes unless end of file comes first; returns the bytes read. */
static size_t read_full(int fd, void *buf, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t got = read(fd, (char *)buf + done, size - done);

		if (got == 0)
			break;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		done += (size_t)got;
	}
	return done;
}

/* In a child: sum values[lo..hi), send the partial sum up the pipe and exit. */
static _Noreturn void sum_slice(const int *values, size_t lo, size_t hi, int fd)
{
	long long sum = 0;
	ssize_t put;

	for (size_t i = lo; i < hi; i++)
		sum += values[i];
	/*
	 * One write of 8 bytes: a pipe delivers a write of at most PIPE_BUF
	 * bytes in one piece, so the partial sums of children writing into
	 * the same pipe never interleave.
	 */
	do
		put = write(fd, &sum, sizeof(sum));
	while (put < 0 && errno == EINTR);
	_exit(put == (ssize_t)sizeof(sum) ? 0 : 1);
}

long long parallel_sum(const int *values, size_t len, int nprocs)
{
	long long total = 0, part;
	size_t nchildren, quot, rem, started, i;
	pid_t *pids;
	int fds[2], err = 0;

	if (nprocs < 1) {
		errno = EINVAL;
		return 0;
	}
	if (len == 0)
		return 0;
	nchildren = (size_t)nprocs < len ? (size_t)nprocs : len;
	pids = malloc(nchildren * sizeof(*pids));
	if (!pids)
		return 0;
	/* One pipe for all the children: each sends one whole long long. */
	if (pipe(fds) < 0) {
		err = errno;
		free(pids);
		errno = err;
		return 0;
	}

	/* The first rem slices get one value more than the others. */
	quot = len / nchildren;
	rem = len % nchildren;
	for (started = 0; started < nchildren; started++) {
		size_t lo = started * quot + (started < rem ? started : rem);
		size_t hi = lo + quot + (started < rem ? 1 : 0);
		pid_t pid = fork();

		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			close(fds[0]);
			sum_slice(values, lo, hi, fds[1]);	/* does not return */
		}
		pids[started] = pid;
	}

	/*
	 * Close the parent's write end before reading: then a child that
	 * dies before sending shows as an early end of file instead of a
	 * read that waits forever.
	 */
	close(fds[1]);
	for (i = 0; i < started; i++) {
		if (read_full(fds[0], &part, sizeof(part)) != sizeof(part)) {
			if (!err)
				err = EIO;
			break;
		}
		total += part;
	}
	close(fds[0]);
	for (i = 0; i < started; i++)
		wait_child(pids[i]);
	free(pids);
	if (err) {
		errno = err;
		return 0;
	}
	return total;
}
