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

#define ROUNDS 8

/*
 * Four consumers asleep on an empty queue, then queue_close: all four must
 * return (one wake-up for one of them is not enough: the others stay
 * asleep until the test's time limit), each with EPIPE.  In every round
 * but the first, an item is pushed just before the close: it wakes one
 * consumer, which has seldom taken it yet when the close comes, so the
 * queue is neither empty nor full then and the others still sleep (a close
 * that wakes the consumers only when the queue is empty leaves them there).
 * That item goes to exactly one consumer.
 */
Test(close, wakes_every_consumer)
{
	for (int round = 0; round < ROUNDS; round++) {
		struct queue *q = queue_new(3);
		struct waiter ws[WAITERS];
		int got = 0;

		cr_assert_not_null(q, "queue_new(3) returned NULL");
		for (int i = 0; i < WAITERS; i++)
			waiter_start(&ws[i], q, WAIT_POP, NULL);
		cr_assert_eq(waiters_settle(ws, WAITERS), 0, "a pop from an empty queue returned instead "
			     "of waiting");
		if (round > 0)
			cr_assert_eq(queue_push(q, ITEM(7)), 0, "queue_push into an empty queue failed");
		queue_close(q);
		for (int i = 0; i < WAITERS; i++) {
			waiter_join(&ws[i]);
			if (round > 0 && ws[i].rc == 0) {
				cr_assert_eq(NUM(ws[i].item), 7, "a pop asleep on an empty queue got item %lu: "
					     "expected 7, the one pushed", (unsigned long)NUM(ws[i].item));
				got++;
				continue;
			}
			expect_epipe(&ws[i], round ? "a pop asleep on an empty queue, then one item pushed" :
				     "a pop asleep on an empty queue");
		}
		cr_assert_eq(got, round > 0, "4 pops asleep on an empty queue, one item pushed and the queue "
			     "closed: %d of them got the item, expected 1 (the close lets pops drain)", got);
		queue_free(q);
	}
}

/*
 * Four producers asleep on a full queue of 2, then queue_close: all four
 * return with EPIPE, and their items are not in the queue: the two pushed
 * before the close come out, in order, then EPIPE.  In every round but the
 * first, one item is popped just before the close: its free slot wakes one
 * producer, which has seldom pushed yet when the close comes, so the queue
 * is neither full nor empty then and the others still sleep.  That
 * producer may push before the close (then its item comes out last) or
 * get EPIPE; the others get EPIPE.
 */
Test(close, wakes_every_producer)
{
	for (int round = 0; round < ROUNDS; round++) {
		struct queue *q = queue_new(2);
		struct waiter ws[WAITERS];
		void *item = NULL;
		int pushed = 0;
		uintptr_t late = 0;

		cr_assert_not_null(q, "queue_new(2) returned NULL");
		cr_assert_eq(queue_push(q, ITEM(1)), 0, "queue_push into an empty queue failed");
		cr_assert_eq(queue_push(q, ITEM(2)), 0, "queue_push into a queue with room failed");
		for (int i = 0; i < WAITERS; i++)
			waiter_start(&ws[i], q, WAIT_PUSH, ITEM(10 + i));
		cr_assert_eq(waiters_settle(ws, WAITERS), 0, "a push into a full queue returned instead of "
			     "waiting");
		if (round > 0) {
			cr_assert_eq(queue_pop(q, &item), 0, "queue_pop from a full queue failed");
			cr_assert_eq(NUM(item), 1, "queue_pop from a full queue: expected item 1, got %lu",
				     (unsigned long)NUM(item));
		}
		queue_close(q);
		for (int i = 0; i < WAITERS; i++) {
			waiter_join(&ws[i]);
			if (round > 0 && ws[i].rc == 0) {
				pushed++;
				late = NUM(ws[i].item);
				continue;
			}
			expect_epipe(&ws[i], round ? "a push asleep on a full queue, then one item popped" :
				     "a push asleep on a full queue");
		}
		cr_assert_leq(pushed, 1, "4 pushes asleep on a full queue of 2, one item popped and the queue "
			      "closed: %d of them pushed, expected at most 1 (one slot was freed)", pushed);
		for (uintptr_t k = round ? 2 : 1; k <= 2; k++) {
			cr_assert_eq(queue_pop(q, &item), 0, "queue_pop of an item pushed before the close: "
				     "expected 0");
			cr_assert_eq(NUM(item), k, "queue_pop after close: expected item %lu, got %lu (a push "
				     "refused by the close got in?)", (unsigned long)k, (unsigned long)NUM(item));
		}
		if (pushed) {
			cr_assert_eq(queue_pop(q, &item), 0, "queue_pop of the item pushed into the freed slot: "
				     "expected 0");
			cr_assert_eq(NUM(item), late, "queue_pop after close: expected item %lu, the one "
				     "pushed into the freed slot, got %lu", (unsigned long)late,
				     (unsigned long)NUM(item));
		}
		errno = 0;
		cr_assert_eq(queue_pop(q, &item), -1, "queue_pop of a closed, drained queue: expected -1 (the "
			     "refused pushes must not have added items)");
		cr_assert_eq(errno, EPIPE, "queue_pop of a closed, drained queue: expected errno EPIPE, got %d",
			     errno);
		queue_free(q);
	}
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
