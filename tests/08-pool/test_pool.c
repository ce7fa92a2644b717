/* Criterion tests of stage 08-pool: every job once, results to the right waiter, waiting, jobs that submit. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "jobs.h"
#include "perturb.h"
#include "pool.h"
#include "track.h"

/* ---- jobs: a server answering 1000 requests with 4 workers ---- */

#define REQUESTS 1000

Test(jobs, each_runs_once)
{
	static struct counted c[REQUESTS];
	static struct job *h[REQUESTS];
	struct pool *p = new_pool(4);
	void *got;

	counted_init(c, REQUESTS);
	for (int i = 0; i < REQUESTS; i++)
		h[i] = submit_counted(p, &c[i], "4 workers, 1000 jobs");
	for (int i = 0; i < REQUESTS; i++) {
		got = NULL;
		cr_assert_eq(pool_wait(h[i], &got), 0, "pool_wait(job %d of %d) did not return 0", i,
			REQUESTS);
		cr_assert_eq(got, counted_result(i), "4 workers, %d jobs: job %d returned %p, pool_wait "
			"gave %p", REQUESTS, i, counted_result(i), got);
	}
	for (int i = 0; i < REQUESTS; i++) {
		cr_assert_eq(atomic_load(&c[i].runs), 1, "4 workers, %d jobs, all waited for: job %d "
			"ran %d times, expected once", REQUESTS, i, atomic_load(&c[i].runs));
		cr_assert_not(atomic_load(&c[i].off_pool), "job %d ran on a thread pool_new did not "
			"create (the caller's?): jobs run on the pool's workers", i);
	}
	pool_free(p);
}

/*
 * One worker, held by a first job while 20 more are queued behind it: once
 * the test lets it go, the 20 start in the order they were submitted.
 */
struct ordered {
	pthread_mutex_t *lock;
	int *log, *n;
	int i;
};

static void *log_job(void *arg)
{
	struct ordered *o = arg;

	pthread_mutex_lock(o->lock);
	o->log[(*o->n)++] = o->i;
	pthread_mutex_unlock(o->lock);
	return NULL;
}

Test(jobs, start_in_submission_order)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct ordered o[20];
	struct job *h[20];
	int log[20], n = 0;
	struct held first;
	struct pool *p = new_pool(1);
	struct job *f;

	held_init(&first, NULL);
	f = pool_submit(p, held_job, &first);
	cr_assert_not_null(f, "pool_submit returned NULL");
	for (int i = 0; i < 20; i++) {
		o[i] = (struct ordered){ .lock = &lock, .log = log, .n = &n, .i = i };
		h[i] = pool_submit(p, log_job, &o[i]);
		cr_assert_not_null(h[i], "pool_submit returned NULL");
	}
	gate_open(&first.gate);
	pool_wait(f, NULL);
	for (int i = 0; i < 20; i++)
		pool_wait(h[i], NULL);
	cr_assert_eq(n, 20, "1 worker, 20 jobs queued: %d ran", n);
	for (int i = 0; i < 20; i++)
		cr_assert_eq(log[i], i, "1 worker, jobs 0 to 19 queued behind a held job: the %dth to "
			"start was job %d, expected job %d (a queue: first in, first out)", i + 1, log[i],
			i);
	pool_free(p);
}

/* ---- results: waiters in another order than submission ---- */

#define RESULT_JOBS 400
#define WAITERS 4

struct waiter {
	pthread_t tid;
	int id;
	struct job **h;
	struct gate *start;
	int wrong, first_wrong;
	void *first_got;
};

/* Waits for jobs id, id + WAITERS, ... from the last to the first. */
static void *waiter_run(void *arg)
{
	struct waiter *w = arg;
	void *got;

	gate_pass(w->start);
	for (int i = RESULT_JOBS - WAITERS + w->id; i >= 0; i -= WAITERS) {
		got = NULL;
		if (pool_wait(w->h[i], &got) || got != counted_result(i)) {
			if (!w->wrong++) {
				w->first_wrong = i;
				w->first_got = got;
			}
		}
	}
	return NULL;
}

Test(results, reach_the_right_waiter)
{
	static struct counted c[RESULT_JOBS];
	static struct job *h[RESULT_JOBS];
	struct waiter w[WAITERS];
	struct gate start;
	struct pool *p = new_pool(3);

	counted_init(c, RESULT_JOBS);
	gate_init(&start);
	for (int k = 0; k < WAITERS; k++) {
		w[k] = (struct waiter){ .id = k, .h = h, .start = &start };
		test_spawn(&w[k].tid, waiter_run, &w[k]);
	}
	for (int i = 0; i < RESULT_JOBS; i++)
		h[i] = submit_counted(p, &c[i], "3 workers, 400 jobs");
	gate_open(&start);	/* the waiters need every handle; most jobs are still queued */
	for (int k = 0; k < WAITERS; k++)
		test_join(w[k].tid);
	for (int k = 0; k < WAITERS; k++)
		cr_assert_eq(w[k].wrong, 0, "%d threads each wait for every %dth of %d jobs, last "
			"first: waiter %d got %d wrong results, first job %d: expected %p, got %p",
			WAITERS, WAITERS, RESULT_JOBS, k, w[k].wrong, w[k].first_wrong,
			counted_result(w[k].first_wrong), w[k].first_got);
	pool_free(p);
}

/* ---- wait: blocks until its job ended, and wakes when it does ---- */

struct held_waiter {
	struct job *job;
	struct held *held;
	struct gate arrived;
	bool finished_when_back;
	void *got;
	int rc;
};

static void *held_waiter_run(void *arg)
{
	struct held_waiter *w = arg;

	gate_arrive(&w->arrived);
	w->rc = pool_wait(w->job, &w->got);
	w->finished_when_back = atomic_load(&w->held->finished);
	return NULL;
}

/*
 * Rounds of: a job held at a gate, a thread that waits for it, the gate
 * opened once that thread is on its way into pool_wait.  pool_wait must
 * not come back before the job has returned (the job sets `finished`
 * just before), and must come back once it has (else: time out).
 */
static void held_rounds(int rounds, const char *how)
{
	struct pool *p = new_pool(2);

	for (int round = 1; round <= rounds; round++) {
		struct held h;
		struct held_waiter w = { .held = &h, .rc = -2 };
		pthread_t tid;

		held_init(&h, &h);
		gate_init(&w.arrived);
		w.job = pool_submit(p, held_job, &h);
		cr_assert_not_null(w.job, "round %d%s: pool_submit returned NULL", round, how);
		test_spawn(&tid, held_waiter_run, &w);
		gate_await(&w.arrived, 1);
		gate_open(&h.gate);
		test_join(tid);
		cr_assert_eq(w.rc, 0, "round %d%s: pool_wait returned %d, expected 0", round, how, w.rc);
		cr_assert(w.finished_when_back, "round %d%s: pool_wait returned before its job had "
			"finished: it must wait while the job is not done", round, how);
		cr_assert_eq(w.got, (void *)&h, "round %d%s: pool_wait gave %p, the job returned %p",
			round, how, w.got, (void *)&h);
	}
	pool_free(p);
}

Test(wait, blocks_until_done)
{
	held_rounds(20, "");
}

/*
 * Three threads, each round: submit a quick job and wait for it at once,
 * while the other two do the same.  A wake-up sent before the state it
 * announces is set (or a flag set without the lock) is lost now and then:
 * then a worker or a waiter sleeps for ever, and the test times out.
 */
#define QUICK_THREADS 3
#define QUICK_ROUNDS 300

struct quick {
	pthread_t tid;
	struct pool *p;
	pthread_barrier_t *round;
	struct counted c;
	int wrong;
};

static void *quick_run(void *arg)
{
	struct quick *q = arg;
	void *got;

	for (int round = 0; round < QUICK_ROUNDS; round++) {
		struct job *j;

		pthread_barrier_wait(q->round);
		j = pool_submit(q->p, counted_job, &q->c);
		got = NULL;
		if (!j || pool_wait(j, &got) || got != counted_result(q->c.i))
			q->wrong++;
	}
	return NULL;
}

Test(wait, wakes_when_done)
{
	struct quick q[QUICK_THREADS];
	pthread_barrier_t round;
	struct pool *p = new_pool(2);

	pthread_barrier_init(&round, NULL, QUICK_THREADS);
	for (int k = 0; k < QUICK_THREADS; k++) {
		q[k] = (struct quick){ .p = p, .round = &round };
		counted_init(&q[k].c, 1);
		q[k].c.i = k;
		test_spawn(&q[k].tid, quick_run, &q[k]);
	}
	for (int k = 0; k < QUICK_THREADS; k++)
		test_join(q[k].tid);
	for (int k = 0; k < QUICK_THREADS; k++)
		cr_assert_eq(q[k].wrong, 0, "%d threads, %d rounds of submit-then-wait on 2 workers: "
			"thread %d had %d failed submits or wrong results", QUICK_THREADS, QUICK_ROUNDS,
			k, q[k].wrong);
	pthread_barrier_destroy(&round);
	pool_free(p);
}

/*
 * With spurious wake-ups: pthread_cond_wait may return without a signal.
 * A waiter must check its job again (while, not if), and so must an idle
 * worker (an empty queue is still empty).
 */
Test(wait, spurious_wakeups)
{
	static struct counted c[200];
	static struct job *h[200];
	struct pool *p;

	perturb_spurious_wakeups(2);
	held_rounds(20, ", with spurious wake-ups (pthread_cond_wait may return without a "
		"signal: wait in a while loop)");
	p = new_pool(4);
	counted_init(c, 200);
	for (int i = 0; i < 200; i++)
		h[i] = submit_counted(p, &c[i], "with spurious wake-ups");
	for (int i = 0; i < 200; i++) {
		void *got = NULL;

		pool_wait(h[i], &got);
		cr_assert_eq(got, counted_result(i), "with spurious wake-ups, 4 workers, 200 jobs: "
			"job %d: expected %p, got %p", i, counted_result(i), got);
		cr_assert_eq(atomic_load(&c[i].runs), 1, "with spurious wake-ups: job %d ran %d "
			"times, expected once", i, atomic_load(&c[i].runs));
	}
	pool_free(p);
	perturb_spurious_wakeups(0);
}

/* ---- nesting: jobs that submit jobs ---- */

struct nest {
	struct pool *p;
	struct counted child;
};

/* Submits a child job and waits for it: needs a second, free worker. */
static void *parent_waits(void *arg)
{
	struct nest *n = arg;
	struct job *j = pool_submit(n->p, counted_job, &n->child);
	void *got = NULL;

	if (!j || pool_wait(j, &got))
		return NULL;
	return (void *)((uintptr_t)got + 1);
}

Test(nesting, job_waits_for_its_child)
{
	struct pool *p = new_pool(2);

	for (int round = 0; round < 10; round++) {
		struct nest n = { .p = p };
		struct job *j;
		void *got = NULL;

		counted_init(&n.child, 1);
		n.child.i = round;
		j = pool_submit(p, parent_waits, &n);
		cr_assert_not_null(j, "pool_submit returned NULL");
		pool_wait(j, &got);
		cr_assert_eq(got, (void *)((uintptr_t)counted_result(round) + 1), "2 workers, a job "
			"that submits a child job and waits for it: expected the child's result + 1 "
			"(%p), got %p", (void *)((uintptr_t)counted_result(round) + 1), got);
	}
	pool_free(p);
}

/* Submits a child job and returns its handle, without waiting. */
static void *parent_returns_child(void *arg)
{
	struct nest *n = arg;

	return pool_submit(n->p, counted_job, &n->child);
}

Test(nesting, job_submits_with_one_worker)
{
	struct pool *p = new_pool(1);

	for (int round = 0; round < 10; round++) {
		struct nest n = { .p = p };
		struct job *j, *child = NULL;
		void *got = NULL;

		counted_init(&n.child, 1);
		n.child.i = round;
		j = pool_submit(p, parent_returns_child, &n);
		cr_assert_not_null(j, "pool_submit returned NULL");
		pool_wait(j, (void **)&child);
		cr_assert_not_null(child, "1 worker, a job that calls pool_submit: the job's "
			"pool_submit returned NULL");
		pool_wait(child, &got);
		cr_assert_eq(got, counted_result(round), "1 worker: the child job a job submitted "
			"returned %p, pool_wait gave %p", counted_result(round), got);
		cr_assert_eq(atomic_load(&n.child.runs), 1, "1 worker: the child job ran %d times",
			atomic_load(&n.child.runs));
	}
	pool_free(p);
}

/* ---- parallel: the workers run jobs at the same time ---- */

static void *meet(void *arg)
{
	pthread_barrier_wait(arg);
	return arg;
}

/*
 * 4 workers, 4 jobs that each wait at a barrier for all 4: they only
 * return if the pool runs them at once, each on its own worker.
 */
Test(parallel, all_workers_at_once)
{
	struct pool *p = new_pool(4);

	for (int round = 0; round < 10; round++) {
		pthread_barrier_t b;
		struct job *h[4];

		pthread_barrier_init(&b, NULL, 4);
		for (int i = 0; i < 4; i++) {
			h[i] = pool_submit(p, meet, &b);
			cr_assert_not_null(h[i], "pool_submit returned NULL");
		}
		for (int i = 0; i < 4; i++)
			pool_wait(h[i], NULL);
		pthread_barrier_destroy(&b);
	}
	pool_free(p);
}
