/* Criterion tests of stage 07-queue: closing wakes every waiter, refuses pushes, and lets pops drain. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>

#include "queue.h"
#include "waiters.h"

#define WAITERS 4

static void expect_epipe(struct waiter *w, const char *what)
{
	cr_assert_eq(w->rc, -1, "%s, woken by queue_close: expected -1, got %d", what, w->rc);
	cr_assert_eq(w->err, EPIPE, "%s, woken by queue_close: expected errno EPIPE, got %d", what, w->err);
}

/*
 * Four consumers asleep on an empty queue, then queue_close: all four must
 * return (one wake-up for one of them is not enough: the others stay
 * asleep until the test's time limit), each with EPIPE.
 */
Test(close, wakes_every_consumer)
{
	struct queue *q = queue_new(3);
	struct waiter ws[WAITERS];

	cr_assert_not_null(q, "queue_new(3) returned NULL");
	for (int i = 0; i < WAITERS; i++)
		waiter_start(&ws[i], q, WAIT_POP, NULL);
	cr_assert_eq(waiters_settle(ws, WAITERS), 0, "a pop from an empty queue returned instead of waiting");
	queue_close(q);
	for (int i = 0; i < WAITERS; i++) {
		waiter_join(&ws[i]);
		expect_epipe(&ws[i], "a pop asleep on an empty queue");
	}
	queue_free(q);
}

/*
 * Four producers asleep on a full queue of 2, then queue_close: all four
 * return with EPIPE, and their items are not in the queue: the two pushed
 * before the close come out, in order, then EPIPE.
 */
Test(close, wakes_every_producer)
{
	struct queue *q = queue_new(2);
	struct waiter ws[WAITERS];
	void *item = NULL;

	cr_assert_not_null(q, "queue_new(2) returned NULL");
	cr_assert_eq(queue_push(q, ITEM(1)), 0, "queue_push into an empty queue failed");
	cr_assert_eq(queue_push(q, ITEM(2)), 0, "queue_push into a queue with room failed");
	for (int i = 0; i < WAITERS; i++)
		waiter_start(&ws[i], q, WAIT_PUSH, ITEM(10 + i));
	cr_assert_eq(waiters_settle(ws, WAITERS), 0, "a push into a full queue returned instead of waiting");
	queue_close(q);
	for (int i = 0; i < WAITERS; i++) {
		waiter_join(&ws[i]);
		expect_epipe(&ws[i], "a push asleep on a full queue");
	}
	for (uintptr_t k = 1; k <= 2; k++) {
		cr_assert_eq(queue_pop(q, &item), 0, "queue_pop of an item pushed before the close: expected 0");
		cr_assert_eq(NUM(item), k, "queue_pop after close: expected item %lu, got %lu (a push refused by "
			     "the close got in?)", (unsigned long)k, (unsigned long)NUM(item));
	}
	errno = 0;
	cr_assert_eq(queue_pop(q, &item), -1, "queue_pop of a closed, drained queue: expected -1 (the "
		     "refused pushes must not have added items)");
	cr_assert_eq(errno, EPIPE, "queue_pop of a closed, drained queue: expected errno EPIPE, got %d", errno);
	queue_free(q);
}

/* Closed with items in it: pushes fail, pops hand out what is left, in order, then fail. */
Test(close, push_fails_pop_drains)
{
	struct queue *q = queue_new(4);
	void *item = NULL;

	cr_assert_not_null(q, "queue_new(4) returned NULL");
	for (uintptr_t k = 1; k <= 3; k++)
		cr_assert_eq(queue_push(q, ITEM(k)), 0, "queue_push into a queue with room failed");
	queue_close(q);
	errno = 0;
	cr_assert_eq(queue_push(q, ITEM(4)), -1, "queue_push into a closed queue with room: expected -1");
	cr_assert_eq(errno, EPIPE, "queue_push into a closed queue: expected errno EPIPE, got %d", errno);
	queue_close(q);	/* twice is harmless */
	for (uintptr_t k = 1; k <= 3; k++) {
		int rc = queue_pop(q, &item);

		cr_assert_eq(rc, 0, "queue_pop of a closed queue that still holds items: expected 0 (drain "
			     "first), got %d", rc);
		cr_assert_eq(NUM(item), k, "queue_pop draining a closed queue: expected item %lu, got %lu",
			     (unsigned long)k, (unsigned long)NUM(item));
	}
	for (int twice = 0; twice < 2; twice++) {
		errno = 0;
		cr_assert_eq(queue_pop(q, &item), -1, "queue_pop of a closed, drained queue: expected -1");
		cr_assert_eq(errno, EPIPE, "queue_pop of a closed, drained queue: expected errno EPIPE, got %d",
			     errno);
	}
	queue_free(q);
}
