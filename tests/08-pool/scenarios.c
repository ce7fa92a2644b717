/* Detector scenarios of stage 08-pool: submitters and workers, waiters and finishing jobs, shutdown with a queue. */
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "pool.h"
#include "scenario.h"

/*
 * The jobs are pure functions of their argument: they touch no shared
 * data, so anything the detectors find is in the pool, not here.  A slow
 * job yields a few times, so that its worker is still in it while others
 * submit, wait and shut down.
 */
static void *square(void *arg)
{
	uintptr_t v = (uintptr_t)arg;

	return (void *)(v * v);
}

static void *slow_square(void *arg)
{
	for (int i = 0; i < 20; i++)
		sched_yield();
	return square(arg);
}

struct client {
	struct pool *p;
	int id;
	struct job **h;
};

static void run_clients(struct pool *p, int n, void *(*fn)(void *), struct job **h)
{
	struct client c[4];

	for (int i = 0; i < n; i++)
		c[i] = (struct client){ .p = p, .id = i, .h = h };
	scenario_threads(n, fn, c, sizeof(c[0]));
}

/* Each client submits its own jobs and waits for them, last first. */
static void *submit_and_wait(void *arg)
{
	struct client *c = arg;
	struct job *h[30];

	for (int i = 0; i < 30; i++)
		h[i] = pool_submit(c->p, i % 3 ? square : slow_square, (void *)(uintptr_t)(c->id * 100 + i));
	for (int i = 29; i >= 0; i--)
		if (h[i])
			pool_wait(h[i], NULL);
	return NULL;
}

static void submitters_and_workers(void)
{
	struct pool *p = pool_new(2);

	if (!p)
		return;
	run_clients(p, 3, submit_and_wait, NULL);
	pool_free(p);
}

/* Jobs submitted by the main thread, waited for by three others while they finish. */
#define SHARED_JOBS 60

static void *wait_share(void *arg)
{
	struct client *c = arg;
	void *got;

	for (int i = SHARED_JOBS - 3 + c->id; i >= 0; i -= 3)
		if (c->h[i])
			pool_wait(c->h[i], &got);
	return NULL;
}

static void waiters_while_jobs_finish(void)
{
	struct job *h[SHARED_JOBS];
	struct pool *p = pool_new(3);

	if (!p)
		return;
	for (int i = 0; i < SHARED_JOBS; i++)
		h[i] = pool_submit(p, i % 2 ? slow_square : square, (void *)(uintptr_t)i);
	run_clients(p, 3, wait_share, h);
	pool_free(p);
}

/* Shutdown while jobs are queued and another thread still submits. */
static void *late_submitter(void *arg)
{
	struct client *c = arg;

	if (c->id == 0) {
		pool_shutdown(c->p);
		return NULL;
	}
	for (int i = 0; i < 40; i++)
		if (!pool_submit(c->p, square, (void *)(uintptr_t)i))
			break;
	return NULL;
}

static void shutdown_with_queue(void)
{
	struct pool *p = pool_new(2);

	if (!p)
		return;
	for (int i = 0; i < 30; i++)
		pool_submit(p, slow_square, (void *)(uintptr_t)i);
	run_clients(p, 2, late_submitter, NULL);
	pool_free(p);
}

/* Jobs that submit jobs and wait for them, on a pool with room for both. */
static struct pool *nest_pool;

static void *parent(void *arg)
{
	struct job *j = pool_submit(nest_pool, square, arg);
	void *got = NULL;

	if (j)
		pool_wait(j, &got);
	return got;
}

static void *submit_parents(void *arg)
{
	struct client *c = arg;

	for (int i = 0; i < 10; i++) {
		struct job *j = pool_submit(c->p, parent, (void *)(uintptr_t)i);

		if (j)
			pool_wait(j, NULL);
	}
	return NULL;
}

static void jobs_that_submit(void)
{
	nest_pool = pool_new(4);
	if (!nest_pool)
		return;
	run_clients(nest_pool, 2, submit_parents, NULL);
	pool_free(nest_pool);
}

/*
 * One thread shuts the pool down, then says so through a relaxed flag that
 * orders nothing for the detectors; another then submits (refused) and
 * waits for jobs submitted before.  Only the pool's mutex can order those
 * calls after the shutdown and the jobs: a shortcut that reads the
 * shutting-down flag, or a job's done flag, before taking the mutex reads
 * it while nothing orders the read after the write, every run.
 */
#define BEFORE_JOBS 4

static struct job *before[BEFORE_JOBS];
static atomic_bool shut;

static void *shut_and_tell(void *arg)
{
	struct client *c = arg;

	if (c->id == 0) {
		pool_shutdown(c->p);
		atomic_store_explicit(&shut, true, memory_order_relaxed);
		return NULL;
	}
	while (!atomic_load_explicit(&shut, memory_order_relaxed))
		sched_yield();
	pool_submit(c->p, square, NULL);
	for (int i = 0; i < BEFORE_JOBS; i++)
		if (before[i])
			pool_wait(before[i], NULL);
	return NULL;
}

static void calls_after_shutdown(void)
{
	struct pool *p = pool_new(2);

	if (!p)
		return;
	atomic_store(&shut, false);
	for (int i = 0; i < BEFORE_JOBS; i++)
		before[i] = pool_submit(p, square, (void *)(uintptr_t)i);
	run_clients(p, 2, shut_and_tell, NULL);
	pool_free(p);
}

/*
 * pool_new(4) whose third worker cannot be created: the two that started
 * wait for work (or are about to) while pool_new's failure path tells them
 * to stop and joins them.  A flag set, or a broadcast made, there without
 * the pool's mutex races with their reads of it under the mutex, in
 * whichever order they run: nothing orders the path's write after them.
 */
static void new_fails_midway(void)
{
	struct pool *p;

	scenario_fail_create_at(3);
	p = pool_new(4);
	scenario_fail_create_at(0);
	if (p)
		pool_free(p);	/* it ignored the failure: a test says so */
}

const struct scenario scenarios[] = {
	{ "submitters_and_workers", "3 threads submit 30 jobs each to 2 workers and wait for them",
		submitters_and_workers },
	{ "waiters_while_jobs_finish", "3 threads wait for 60 jobs, in reverse, while 3 workers "
		"finish them", waiters_while_jobs_finish },
	{ "shutdown_with_queue", "pool_shutdown with 30 jobs queued while another thread submits",
		shutdown_with_queue },
	{ "jobs_that_submit", "2 threads submit jobs that submit jobs and wait for them (4 workers)",
		jobs_that_submit },
	{ "calls_after_shutdown", "a thread submits, and waits for 4 jobs, after another shut the pool "
		"down", calls_after_shutdown },
	{ "new_fails_midway", "pool_new(4) whose third pthread_create fails, while the first two "
		"workers wait for work", new_fails_midway },
};

const size_t nscenarios = sizeof(scenarios) / sizeof(scenarios[0]);
