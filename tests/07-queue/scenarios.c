/* Detector scenarios of stage 07-queue: producers and consumers at once on a small queue, and closes while threads wait. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "queue.h"
#include "scenario.h"

/*
 * The scenarios' own shared data (who is still producing) is under their
 * own mutex, so that whatever the detectors find is in the queue.
 */
struct run {
	struct queue *q;
	pthread_mutex_t lock;
	int producing;	/* producers not yet done; the last one closes */
	int items;	/* per producer, or before the close */
};

static void run_init(struct run *r, size_t capacity, int producing, int items)
{
	r->q = queue_new(capacity);
	if (!r->q)
		abort();
	pthread_mutex_init(&r->lock, NULL);
	r->producing = producing;
	r->items = items;
}

static void run_release(struct run *r)
{
	pthread_mutex_destroy(&r->lock);
	queue_free(r->q);
}

static void producer_done(struct run *r)
{
	int last;

	pthread_mutex_lock(&r->lock);
	last = --r->producing == 0;
	pthread_mutex_unlock(&r->lock);
	if (last)
		queue_close(r->q);
}

static void *produce(void *arg)
{
	struct run *r = *(struct run **)arg;

	for (int i = 0; i < r->items; i++)
		if (queue_push(r->q, (void *)(uintptr_t)i))
			break;
	producer_done(r);
	return NULL;
}

static void *consume(void *arg)
{
	struct run *r = *(struct run **)arg;
	void *item;

	while (queue_pop(r->q, &item) == 0)
		;
	return NULL;
}

/* Two producers and two consumers on a queue of 2: both kinds wait, and wake each other. */
static void *pipeline_thread(void *arg)
{
	return ((intptr_t)((void **)arg)[1] < 2 ? produce : consume)(arg);
}

static void run_mixed(size_t capacity, int producers, int consumers, int items)
{
	struct run r;
	void *args[6][2];

	run_init(&r, capacity, producers, items);
	for (int i = 0; i < producers + consumers; i++) {
		args[i][0] = &r;
		args[i][1] = (void *)(intptr_t)(i < producers ? 0 : 2);
	}
	scenario_threads(producers + consumers, pipeline_thread, args, sizeof(args[0]));
	run_release(&r);
}

static void pipeline(void)
{
	run_mixed(2, 2, 2, 100);
}

/* Capacity 1: every push waits for a pop and every pop for a push. */
static void capacity_one(void)
{
	run_mixed(1, 2, 2, 60);
}

/* Three consumers, mostly asleep on an empty queue, and one producer that closes it. */
static void close_wakes_consumers(void)
{
	run_mixed(4, 1, 3, 20);
}

/* Three producers asleep on a full queue of 1 until a consumer, after 20 items, closes it. */
static void *close_after_some(void *arg)
{
	struct run *r = *(struct run **)arg;
	void *item;

	for (int i = 0; i < r->items && queue_pop(r->q, &item) == 0; i++)
		;
	queue_close(r->q);
	while (queue_pop(r->q, &item) == 0)
		;
	return NULL;
}

static void *push_until_closed(void *arg)
{
	struct run *r = *(struct run **)arg;

	while (queue_push(r->q, NULL) == 0)
		;
	return NULL;
}

static void *closer_or_producer(void *arg)
{
	return ((intptr_t)((void **)arg)[1] == 0 ? close_after_some : push_until_closed)(arg);
}

static void close_wakes_producers(void)
{
	struct run r;
	void *args[4][2];

	run_init(&r, 1, 0, 20);
	for (int i = 0; i < 4; i++) {
		args[i][0] = &r;
		args[i][1] = (void *)(intptr_t)i;
	}
	scenario_threads(4, closer_or_producer, args, sizeof(args[0]));
	run_release(&r);
}

const struct scenario scenarios[] = {
	{ "pipeline", "2 producers and 2 consumers on a queue of 2, the last producer closes it", pipeline },
	{ "capacity_one", "2 producers and 2 consumers on a queue of 1", capacity_one },
	{ "close_wakes_consumers", "3 consumers on a queue of 4, closed by its one producer",
		close_wakes_consumers },
	{ "close_wakes_producers", "3 producers on a full queue of 1, closed by the consumer after 20 items",
		close_wakes_producers },
};

const size_t nscenarios = sizeof(scenarios) / sizeof(scenarios[0]);
