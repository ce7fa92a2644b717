/* Gates and counted jobs shared by 08-pool's tests. */
#include "jobs.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "track.h"

void gate_init(struct gate *g)
{
	g->lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	g->changed = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
	g->open = false;
	g->arrived = 0;
}

void gate_pass(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	while (!g->open)
		pthread_cond_wait(&g->changed, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

void gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->open = true;
	pthread_cond_broadcast(&g->changed);
	pthread_mutex_unlock(&g->lock);
}

void gate_arrive(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->arrived++;
	pthread_cond_broadcast(&g->changed);
	pthread_mutex_unlock(&g->lock);
}

void gate_await(struct gate *g, int n)
{
	pthread_mutex_lock(&g->lock);
	while (g->arrived < n)
		pthread_cond_wait(&g->changed, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

void held_init(struct held *h, void *result)
{
	gate_init(&h->gate);
	atomic_store(&h->finished, false);
	h->result = result;
}

void *held_job(void *arg)
{
	struct held *h = arg;

	gate_pass(&h->gate);
	atomic_store(&h->finished, true);
	return h->result;
}

void counted_init(struct counted *c, int n)
{
	for (int i = 0; i < n; i++) {
		c[i].i = i;
		atomic_store(&c[i].runs, 0);
		atomic_store(&c[i].off_pool, false);
	}
}

void *counted_result(int i)
{
	return (void *)(uintptr_t)(7 * i + 3);
}

void *counted_job(void *arg)
{
	struct counted *c = arg;

	atomic_fetch_add(&c->runs, 1);
	if (!track_is_created())
		atomic_store(&c->off_pool, true);
	return counted_result(c->i);
}

struct job *submit_counted(struct pool *p, struct counted *c, const char *what)
{
	struct job *j = pool_submit(p, counted_job, c);

	cr_assert_not_null(j, "%s: pool_submit of job %d returned NULL (errno %s)", what, c->i,
		strerror(errno));
	return j;
}

struct pool *new_pool(size_t n)
{
	struct pool *p = pool_new(n);

	cr_assert_not_null(p, "pool_new(%zu) returned NULL (errno %s)", n, strerror(errno));
	return p;
}
