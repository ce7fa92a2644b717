/* A fixed pool of worker threads that runs submitted jobs and hands back their results. */
#ifndef RACECOURSE_POOL_H
#define RACECOURSE_POOL_H

#include <stddef.h>

struct pool;
struct job;

/* A job: called once, on one of the pool's workers, with the arg given to pool_submit. */
typedef void *(*pool_fn)(void *arg);

/*
 * A pool of exactly `nthreads` worker threads, all created here: no other
 * function of the pool creates a thread.  Idle workers sleep on a condition
 * variable (no busy waiting).  Returns NULL with errno EINVAL when nthreads
 * is 0, ENOMEM when out of memory, or the error that pthread_mutex_init,
 * pthread_cond_init or pthread_create returned (EAGAIN...) when one fails:
 * what was made is undone first (the workers already created are joined,
 * the mutexes and condition variables destroyed), nothing is leaked.
 */
struct pool *pool_new(size_t nthreads);

/*
 * Queues fn(arg) to run on a worker, in submission order, and returns its
 * handle at once (it does not wait).  A running job may submit more jobs.
 * Returns NULL with errno EINVAL when p or fn is NULL, EPIPE once
 * pool_shutdown has begun, ENOMEM when out of memory.
 */
struct job *pool_submit(struct pool *p, pool_fn fn, void *arg);

/*
 * Blocks, without using the CPU, until the job has run, stores what fn
 * returned in *result (unless result is NULL) and releases the handle:
 * wait for each handle at most once, from any thread (a job too), before
 * pool_free.  Returns 0, or -1 with errno EINVAL when j is NULL.
 */
int pool_wait(struct job *j, void **result);

/*
 * Runs every job submitted so far, refuses new ones (pool_submit fails with
 * EPIPE), and returns when every worker has been joined.  Calling it again
 * does nothing.  Not to be called from a job.  Does nothing when p is NULL.
 */
void pool_shutdown(struct pool *p);

/*
 * Shuts the pool down if that was not done, then frees it, and the handles
 * nobody waited for.  Does nothing when p is NULL.
 */
void pool_free(struct pool *p);

#endif
