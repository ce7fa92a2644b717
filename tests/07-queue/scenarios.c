/* Detector scenarios of stage 07-queue: producers and consumers at once on a small queue, and closes while threads wait. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "queue.h"
#include "scenario.h"

/*
 * A queue whose close misses a waiter leaves that thread asleep for ever.
 * The tests already fail such a queue; here it would only stop the
 * detectors at their time limit, a minute each, with nothing more to say.
 * So a run waits for its threads at most until a deadline shared by all
 * the scenarios, through its own mutex and condition variable (which the
 * detectors understand, unlike a timed join), and then leaves them
 * asleep: the queue and the run are not freed, so nothing a late thread
 * touches is freed under it.  Correct code ends long before the deadline.
 */
#define DEADLINE_SECONDS 20

enum role { PRODUCE, CONSUME, CLOSE_AFTER_SOME, PUSH_UNTIL_CLOSED, CLOSE_AT_ONCE, CLOSE_AND_TELL, AFTER_THE_CLOSE };

struct run {
	struct queue *q;
	pthread_mutex_t lock;	/* guards the two counts below */
	pthread_cond_t ended;
	pthread_barrier_t closers;	/* CLOSE_AT_ONCE threads start their close together */
	/*
	 * CLOSE_AND_TELL sets it once queue_close has returned, relaxed: it
	 * orders nothing for the detectors, so the queue's own mutex is the
	 * only thing that can order AFTER_THE_CLOSE's calls after the close.
	 */
	atomic_bool told;
	int producing;		/* producers not yet done; the last one closes */
	int running;		/* threads not yet done */
	int items;		/* per producer, or before the close */
};

struct member {
	struct run *run;
	enum role role;
};

static struct timespec deadline;

static void thread_ended(struct run *r)
{
	pthread_mutex_lock(&r->lock);
	if (--r->running == 0)
		pthread_cond_signal(&r->ended);
	pthread_mutex_unlock(&r->lock);
}

static void producer_done(struct run *r)
{
	bool last;

	pthread_mutex_lock(&r->lock);
	last = --r->producing == 0;
	pthread_mutex_unlock(&r->lock);
	if (last)
		queue_close(r->q);
}

static void *member_main(void *arg)
{
	struct member *m = arg;
	struct run *r = m->run;
	void *item;

	switch (m->role) {
	case PRODUCE:
		for (int i = 0; i < r->items; i++)
			if (queue_push(r->q, (void *)(uintptr_t)i))
				break;
		producer_done(r);
		break;
	case CONSUME:
		while (queue_pop(r->q, &item) == 0)
			;
		break;
	case CLOSE_AFTER_SOME:
		for (int i = 0; i < r->items && queue_pop(r->q, &item) == 0; i++)
			;
		queue_close(r->q);
		while (queue_pop(r->q, &item) == 0)
			;
		break;
	case PUSH_UNTIL_CLOSED:
		while (queue_push(r->q, NULL) == 0)
			;
		break;
	case CLOSE_AT_ONCE:
		pthread_barrier_wait(&r->closers);
		queue_close(r->q);
		break;
	case CLOSE_AND_TELL:
		queue_close(r->q);
		atomic_store_explicit(&r->told, true, memory_order_relaxed);
		break;
	case AFTER_THE_CLOSE:
		while (!atomic_load_explicit(&r->told, memory_order_relaxed))
			sched_yield();
		queue_push(r->q, NULL);
		while (queue_pop(r->q, &item) == 0)
			;
		break;
	}
	thread_ended(r);
	return NULL;
}

/*
 * Runs roles[0..n) on a new queue of `capacity` that holds `prefill` items
 * to begin with; frees it all only if every thread ended.
 */
static void run_roles(size_t capacity, int prefill, const enum role *roles, int n, int items)
{
	struct run *r = calloc(1, sizeof(*r));
	struct member *m = calloc((size_t)n, sizeof(*m));
	pthread_t *tids = calloc((size_t)n, sizeof(*tids));
	unsigned closers = 0;
	int rc = 0;

	if (!deadline.tv_sec) {
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += DEADLINE_SECONDS;
	}
	if (!r || !m || !tids || !(r->q = queue_new(capacity)))
		abort();
	for (int i = 0; i < prefill; i++)
		if (queue_push(r->q, NULL))
			abort();
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->ended, NULL);
	r->running = n;
	r->items = items;
	for (int i = 0; i < n; i++) {
		m[i] = (struct member){ r, roles[i] };
		r->producing += roles[i] == PRODUCE;
		closers += roles[i] == CLOSE_AT_ONCE;
	}
	if (closers)
		pthread_barrier_init(&r->closers, NULL, closers);
	for (int i = 0; i < n; i++)
		if (pthread_create(&tids[i], NULL, member_main, &m[i]))
			abort();
	pthread_mutex_lock(&r->lock);
	while (r->running > 0 && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&r->ended, &r->lock, &deadline);
	rc = r->running;
	pthread_mutex_unlock(&r->lock);
	if (rc)
		return;	/* threads still asleep in the queue: leave it all */
	for (int i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	queue_free(r->q);
	if (closers)
		pthread_barrier_destroy(&r->closers);
	pthread_cond_destroy(&r->ended);
	pthread_mutex_destroy(&r->lock);
	free(tids);
	free(m);
	free(r);
}

/* Two producers and two consumers on a queue of 2: both kinds wait, and wake each other. */
static void pipeline(void)
{
	static const enum role roles[] = { PRODUCE, PRODUCE, CONSUME, CONSUME };

	run_roles(2, 0, roles, 4, 100);
}

/* Capacity 1: every push waits for a pop and every pop for a push. */
static void capacity_one(void)
{
	static const enum role roles[] = { PRODUCE, CONSUME, PRODUCE, CONSUME };

	run_roles(1, 0, roles, 4, 60);
}

/* Three consumers, mostly asleep on an empty queue, and one producer that closes it. */
static void close_wakes_consumers(void)
{
	static const enum role roles[] = { CONSUME, CONSUME, CONSUME, PRODUCE };

	run_roles(4, 0, roles, 4, 20);
}

/* Three producers asleep on a full queue of 1 until the consumer, after 20 items, closes it. */
static void close_wakes_producers(void)
{
	static const enum role roles[] = { PUSH_UNTIL_CLOSED, PUSH_UNTIL_CLOSED, PUSH_UNTIL_CLOSED,
					   CLOSE_AFTER_SOME };

	run_roles(1, 0, roles, 4, 20);
}

/*
 * Two threads close the queue at the same moment while consumers sleep in
 * it: a close that looks at `closed` before it takes the mutex ("already
 * closed, nothing to do") reads it while the other close writes it.
 */
static void close_twice_at_once(void)
{
	static const enum role roles[] = { CONSUME, CONSUME, CLOSE_AT_ONCE, CLOSE_AT_ONCE };

	run_roles(2, 0, roles, 4, 0);
}

/*
 * A thread calls push and pop on a queue that another thread has closed,
 * with nothing but the queue's mutex to order the calls after the close:
 * code that looks at `closed` (or `count`) before it takes the mutex, as
 * a shortcut, reads it while nothing orders that read after the close's
 * write, every run.  Two items wait in the queue, to be drained.
 */
static void calls_after_close(void)
{
	static const enum role roles[] = { AFTER_THE_CLOSE, CLOSE_AND_TELL };

	run_roles(4, 2, roles, 2, 0);
}

const struct scenario scenarios[] = {
	{ "pipeline", "2 producers and 2 consumers on a queue of 2, the last producer closes it", pipeline },
	{ "capacity_one", "2 producers and 2 consumers on a queue of 1", capacity_one },
	{ "close_wakes_consumers", "3 consumers on a queue of 4, closed by its one producer",
		close_wakes_consumers },
	{ "close_wakes_producers", "3 producers on a full queue of 1, closed by the consumer after 20 items",
		close_wakes_producers },
	{ "close_twice_at_once", "2 threads close a queue at once while 2 consumers wait in it",
		close_twice_at_once },
	{ "calls_after_close", "a thread pushes and drains a queue of 2 items that another thread closed",
		calls_after_close },
};

const size_t nscenarios = sizeof(scenarios) / sizeof(scenarios[0]);
