/* Mutant of stage 08: when the second pthread_cond_init fails, the one that failed is destroyed instead of the one made. */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct job {
	struct pool *pool;
	pool_fn fn;
	void *arg;
	void *result;
	bool done;			/* fn has returned; result is set */
	struct job *next_pending;	/* the queue of jobs not yet started */
	struct job *prev, *next;	/* every job nobody has waited for */
};

struct pool {
	/*
	 * One lock guards everything below that changes (the two job lists,
	 * shutting_down, and each job's result and done).  nthreads and
	 * workers are set by pool_new() and only read after.
	 */
	pthread_mutex_t lock;
	pthread_cond_t work;	/* a worker waits here for a pending job */
	pthread_cond_t done;	/* pool_wait waits here for a job to finish */
	struct job *pending_head, *pending_tail;
	struct job *all;	/* handles not yet released by pool_wait */
	bool shutting_down;
	bool joined;
	size_t nthreads;
	pthread_t *workers;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct job *j;
	void *result;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->pending_head && !p->shutting_down)
			pthread_cond_wait(&p->work, &p->lock);
		/* Shutting down still drains what was submitted before. */
		if (!p->pending_head)
			break;
		j = p->pending_head;
		p->pending_head = j->next_pending;
		if (!p->pending_head)
			p->pending_tail = NULL;
		/* Run the job without the lock: it may take long, or submit more. */
		pthread_mutex_unlock(&p->lock);
		result = j->fn(j->arg);
		pthread_mutex_lock(&p->lock);
		j->result = result;
		j->done = true;
		/* Several threads may wait, each for its own job: wake them all. */
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Tells the workers to finish and joins the first n of them. */
static void stop_workers(struct pool *p, size_t n)
{
	pthread_mutex_lock(&p->lock);
	p->shutting_down = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < n; i++)
		pthread_join(p->workers[i], NULL);
}

static void destroy(struct pool *p)
{
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p->workers);
	free(p);
}

struct pool *pool_new(size_t nthreads)
{
	struct pool *p;
	int rc;

	if (nthreads == 0) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->workers = calloc(nthreads, sizeof(*p->workers));
	if (!p->workers) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->nthreads = nthreads;
	rc = pthread_mutex_init(&p->lock, NULL);
	if (rc)
		goto fail_lock;
	rc = pthread_cond_init(&p->work, NULL);
	if (rc)
		goto fail_work;
	rc = pthread_cond_init(&p->done, NULL);
	if (rc)
		goto fail_done;
	for (size_t i = 0; i < nthreads; i++) {
		rc = pthread_create(&p->workers[i], NULL, worker, p);
		if (rc) {
			stop_workers(p, i);
			destroy(p);
			errno = rc;
			return NULL;
		}
	}
	return p;

fail_done:
	pthread_cond_destroy(&p->done);
fail_work:
	pthread_mutex_destroy(&p->lock);
fail_lock:
	free(p->workers);
	free(p);
	errno = rc;
	return NULL;
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
	pthread_mutex_lock(&p->lock);
	if (p->shutting_down) {
		pthread_mutex_unlock(&p->lock);
		free(j);
		errno = EPIPE;
		return NULL;
	}
	if (p->pending_tail)
		p->pending_tail->next_pending = j;
	else
		p->pending_head = j;
	p->pending_tail = j;
	j->next = p->all;
	if (p->all)
		p->all->prev = j;
	p->all = j;
	/* One job needs one worker. */
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return j;
}

int pool_wait(struct job *j, void **result)
{
	struct pool *p;

	if (!j) {
		errno = EINVAL;
		return -1;
	}
	p = j->pool;
	pthread_mutex_lock(&p->lock);
	while (!j->done)
		pthread_cond_wait(&p->done, &p->lock);
	if (result)
		*result = j->result;
	if (j->prev)
		j->prev->next = j->next;
	else
		p->all = j->next;
	if (j->next)
		j->next->prev = j->prev;
	pthread_mutex_unlock(&p->lock);
	free(j);
	return 0;
}

void pool_shutdown(struct pool *p)
{
	if (!p || p->joined)
		return;
	stop_workers(p, p->nthreads);
	p->joined = true;
}

void pool_free(struct pool *p)
{
	struct job *j, *next;

	if (!p)
		return;
	pool_shutdown(p);
	for (j = p->all; j; j = next) {
		next = j->next;
		free(j);
	}
	destroy(p);
}
