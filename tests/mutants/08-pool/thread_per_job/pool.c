/* Known-wrong 08-pool: a thread per job, created in pool_submit and joined in pool_wait, instead of nthreads workers. */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct job {
	pthread_t thread;
	pool_fn fn;
	void *arg;
	void *result;
	bool joined;
	struct job *next;	/* every job nobody has waited for */
};

struct pool {
	pthread_mutex_t lock;	/* guards the list and shutting_down */
	struct job *all;
	bool shutting_down;
};

static void *run(void *arg)
{
	struct job *j = arg;

	j->result = j->fn(j->arg);
	return NULL;
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
	rc = pthread_mutex_init(&p->lock, NULL);
	if (rc) {
		free(p);
		errno = rc;
		return NULL;
	}
	return p;
}

struct job *pool_submit(struct pool *p, pool_fn fn, void *arg)
{
	struct job *j;
	int rc;

	if (!p || !fn) {
		errno = EINVAL;
		return NULL;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->fn = fn;
	j->arg = arg;
	pthread_mutex_lock(&p->lock);
	if (p->shutting_down) {
		pthread_mutex_unlock(&p->lock);
		free(j);
		errno = EPIPE;
		return NULL;
	}
	rc = pthread_create(&j->thread, NULL, run, j);
	if (rc) {
		pthread_mutex_unlock(&p->lock);
		free(j);
		errno = rc;
		return NULL;
	}
	j->next = p->all;
	p->all = j;
	pthread_mutex_unlock(&p->lock);
	return j;
}

int pool_wait(struct job *j, void **result)
{
	if (!j) {
		errno = EINVAL;
		return -1;
	}
	pthread_join(j->thread, NULL);
	j->joined = true;
	if (result)
		*result = j->result;
	return 0;
}

void pool_shutdown(struct pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->shutting_down = true;
	pthread_mutex_unlock(&p->lock);
}

void pool_free(struct pool *p)
{
	struct job *j, *next;

	if (!p)
		return;
	pool_shutdown(p);
	for (j = p->all; j; j = next) {
		next = j->next;
		if (!j->joined)
			pthread_join(j->thread, NULL);
		free(j);
	}
	pthread_mutex_destroy(&p->lock);
	free(p);
}
