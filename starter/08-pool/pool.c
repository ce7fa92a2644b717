/* Stage 08-pool: a fixed pool of worker threads (your code goes here). */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/*
 * As shipped this "pool" has no threads at all: pool_submit runs the job
 * at once, in the caller, and pool_wait hands back what it returned.  The
 * results are right, but nothing runs in parallel, a job that waits for
 * the test blocks pool_submit itself, and shutdown has nothing to do.
 * Read the handout, then:
 *
 *   1. create the nthreads workers in pool_new; each loops: take the
 *      oldest pending job, run it, record its result;
 *   2. guard the queue and the results with one mutex, and let idle
 *      workers and pool_wait sleep on condition variables;
 *   3. make pool_shutdown wake every worker, let them drain the queue,
 *      and join them.
 */

struct job {
	struct pool *pool;
	pool_fn fn;
	void *arg;
	void *result;
	bool done;
};

struct pool {
	size_t nthreads;
	bool shutting_down;
};

struct pool *pool_new(size_t nthreads)
{
	struct pool *p;

	if (nthreads == 0) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->nthreads = nthreads;
	/* TODO: the mutex, the condition variables, and the workers. */
	return p;
}

struct job *pool_submit(struct pool *p, pool_fn fn, void *arg)
{
	struct job *j;

	if (!p || !fn) {
		errno = EINVAL;
		return NULL;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->pool = p;
	j->fn = fn;
	j->arg = arg;
	/* TODO: queue the job for a worker instead of running it here. */
	j->result = fn(arg);
	j->done = true;
	return j;
}

int pool_wait(struct job *j, void **result)
{
	if (!j) {
		errno = EINVAL;
		return -1;
	}
	/* TODO: sleep until a worker has run the job. */
	if (result)
		*result = j->result;
	free(j);
	return 0;
}

void pool_shutdown(struct pool *p)
{
	if (!p)
		return;
	/* TODO: refuse new jobs, run the queued ones, join the workers. */
	p->shutting_down = true;
}

void pool_free(struct pool *p)
{
	if (!p)
		return;
	pool_shutdown(p);
	/* TODO: free the handles nobody waited for. */
	free(p);
}
