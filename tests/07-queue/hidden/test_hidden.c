/* Instructor-only tests of 07-queue: closing in the middle of traffic, and one item for many sleeping consumers. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "queue.h"
#include "../waiters.h"

#define SIDE 3

struct flow {
	struct queue *q;
	pthread_barrier_t go;
	atomic_long pushed, popped, sum_in, sum_out, bad_errno;
	atomic_int popping;	/* consumers still popping */
};

static void *push_until_closed(void *arg)
{
	struct flow *f = arg;

	pthread_barrier_wait(&f->go);
	for (long i = 1;; i++) {
		if (queue_push(f->q, ITEM(i))) {
			if (errno != EPIPE)
				atomic_fetch_add(&f->bad_errno, 1);
			return NULL;
		}
		atomic_fetch_add(&f->pushed, 1);
		atomic_fetch_add(&f->sum_in, i);
	}
}

static void *pop_until_closed(void *arg)
{
	struct flow *f = arg;
	void *item;

	pthread_barrier_wait(&f->go);
	while (queue_pop(f->q, &item) == 0) {
		atomic_fetch_add(&f->popped, 1);
		atomic_fetch_add(&f->sum_out, (long)NUM(item));
	}
	if (errno != EPIPE)
		atomic_fetch_add(&f->bad_errno, 1);
	atomic_fetch_sub(&f->popping, 1);
	return NULL;
}

/*
 * Producers push and consumers pop without end; the test closes the queue
 * once 100 items went through.  Every thread must end, with EPIPE, and
 * every push that returned 0 must have been popped (the close drains).
 */
Test(hidden, close_during_traffic)
{
	for (int round = 0; round < 8; round++) {
		struct flow f = { .q = queue_new(1 + round % 3), .popping = SIDE };
		pthread_t tids[2 * SIDE];

		cr_assert_not_null(f.q, "queue_new returned NULL");
		pthread_barrier_init(&f.go, NULL, 2 * SIDE + 1);
		for (int i = 0; i < 2 * SIDE; i++)
			cr_assert_eq(pthread_create(&tids[i], NULL, i < SIDE ? push_until_closed : pop_until_closed,
						    &f), 0, "pthread_create failed");
		pthread_barrier_wait(&f.go);
		while (atomic_load(&f.popped) < 100 && atomic_load(&f.popping) > 0)
			sched_yield();
		queue_close(f.q);
		for (int i = 0; i < 2 * SIDE; i++)
			pthread_join(tids[i], NULL);
		cr_assert_eq(atomic_load(&f.bad_errno), 0, "after queue_close, a push or pop failed with an "
			     "errno other than EPIPE");
		cr_assert_eq(atomic_load(&f.popped), atomic_load(&f.pushed), "closed during traffic: %ld pushes "
			     "succeeded but %ld items were popped (the close must let pops drain, and a push "
			     "that returns 0 must be in the queue)", atomic_load(&f.pushed), atomic_load(&f.popped));
		cr_assert_eq(atomic_load(&f.sum_out), atomic_load(&f.sum_in), "closed during traffic: the items "
			     "popped are not the items pushed");
		pthread_barrier_destroy(&f.go);
		queue_free(f.q);
	}
}

/*
 * Four consumers asleep; one item comes.  Exactly one of them gets it; the
 * others, however they were woken, must sleep on.  Then three more items,
 * one each.
 */
Test(hidden, one_item_many_sleepers)
{
	struct queue *q = queue_new(8);
	struct waiter ws[4];
	unsigned long sum = 0;

	cr_assert_not_null(q, "queue_new(8) returned NULL");
	for (int i = 0; i < 4; i++)
		waiter_start(&ws[i], q, WAIT_POP, NULL);
	cr_assert_eq(waiters_settle(ws, 4), 0, "a pop from an empty queue returned instead of waiting");
	cr_assert_eq(queue_push(q, ITEM(1)), 0, "queue_push failed");
	while (waiters_done(ws, 4) < 1)
		sched_yield();
	cr_assert_eq(waiters_settle(ws, 4), 1, "one item pushed to 4 sleeping consumers, but %zu pops "
		     "returned", waiters_done(ws, 4));
	for (uintptr_t k = 2; k <= 4; k++)
		cr_assert_eq(queue_push(q, ITEM(k)), 0, "queue_push failed");
	for (int i = 0; i < 4; i++) {
		waiter_join(&ws[i]);
		cr_assert_eq(ws[i].rc, 0, "a pop that waited: expected 0, got %d", ws[i].rc);
		sum += NUM(ws[i].item);
	}
	cr_assert_eq(sum, 10, "4 consumers got items summing to %lu: expected 1+2+3+4", sum);
	queue_free(q);
}
