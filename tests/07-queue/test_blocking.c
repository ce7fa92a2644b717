/* Criterion tests of stage 07-queue: threads that must wait, wake when they can go on, and not spin meanwhile. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "queue.h"
#include "waiters.h"

#define WAITERS 3

static void pop_expect(struct queue *q, uintptr_t want)
{
	void *got = NULL;
	int rc = queue_pop(q, &got);

	cr_assert_eq(rc, 0, "queue_pop: expected 0 and item %lu, got %d", (unsigned long)want, rc);
	cr_assert_eq(NUM(got), want, "queue_pop: expected item %lu (oldest first), got %lu",
		     (unsigned long)want, (unsigned long)NUM(got));
}

/* Yields until `want` of the waiters have returned: a lost wake-up is ended by the time limit. */
static void await_done(struct waiter *ws, size_t n, size_t want)
{
	while (waiters_done(ws, n) < want)
		sched_yield();
}

/*
 * A full queue of 2 and three producers asleep on it.  Each pop frees one
 * slot: one producer, and only one, must wake and push.  The test knows
 * they sleep (they are in the kernel, in a futex) without sleeping itself.
 * Then two more asleep, and two pops in a row: both must wake (a pop that
 * signals only when the queue was full wakes one).
 */
Test(blocking, producer_wakes_when_slot_frees)
{
	struct queue *q = queue_new(2);
	struct waiter ws[WAITERS];

	cr_assert_not_null(q, "queue_new(2) returned NULL");
	cr_assert_eq(queue_push(q, ITEM(100)), 0, "queue_push into an empty queue failed");
	cr_assert_eq(queue_push(q, ITEM(101)), 0, "queue_push into a queue with room failed");
	for (int i = 0; i < WAITERS; i++)
		waiter_start(&ws[i], q, WAIT_PUSH, ITEM(i + 1));
	cr_assert_eq(waiters_settle(ws, WAITERS), 0, "a push into a full queue returned instead of "
		     "waiting for room");
	for (size_t k = 1; k <= WAITERS; k++) {
		void *item;

		if (k <= 2)
			pop_expect(q, 99 + k);
		else
			cr_assert_eq(queue_pop(q, &item), 0, "queue_pop from a full queue failed");
		await_done(ws, WAITERS, k);
		cr_assert_eq(waiters_settle(ws, WAITERS), k, "%zu pop(s) freed %zu slot(s) of a full queue, "
			     "but %zu blocked push(es) returned", k, k, waiters_done(ws, WAITERS));
	}
	for (int i = 0; i < WAITERS; i++) {
		waiter_join(&ws[i]);
		cr_assert_eq(ws[i].rc, 0, "a push that waited for room then got it: expected 0, got %d", ws[i].rc);
	}
	for (int i = 0; i < 2; i++)
		waiter_start(&ws[i], q, WAIT_PUSH, ITEM(10 + i));
	cr_assert_eq(waiters_settle(ws, 2), 0, "a push into a full queue returned instead of waiting for room");
	for (int i = 0; i < 2; i++) {
		void *item;

		cr_assert_eq(queue_pop(q, &item), 0, "queue_pop from a full queue failed");
	}
	await_done(ws, 2, 2);
	for (int i = 0; i < 2; i++)
		waiter_join(&ws[i]);
	queue_free(q);
}

/*
 * Three consumers asleep on an empty queue; each push must wake one of
 * them.  Then three more asleep, and three pushes in a row: all three must
 * wake (a push that signals only when the queue was empty wakes one).
 */
Test(blocking, consumer_wakes_when_item_arrives)
{
	struct queue *q = queue_new(4);
	struct waiter ws[WAITERS];
	bool got[WAITERS + 1] = { false };

	cr_assert_not_null(q, "queue_new(4) returned NULL");
	for (int i = 0; i < WAITERS; i++)
		waiter_start(&ws[i], q, WAIT_POP, NULL);
	cr_assert_eq(waiters_settle(ws, WAITERS), 0, "a pop from an empty queue returned instead of "
		     "waiting for an item");
	for (size_t k = 1; k <= WAITERS; k++) {
		cr_assert_eq(queue_push(q, ITEM(k)), 0, "queue_push into a queue with room failed");
		await_done(ws, WAITERS, k);
		cr_assert_eq(waiters_settle(ws, WAITERS), k, "%zu item(s) pushed to sleeping consumers, "
			     "but %zu pop(s) returned", k, waiters_done(ws, WAITERS));
	}
	for (int i = 0; i < WAITERS; i++) {
		waiter_join(&ws[i]);
		cr_assert_eq(ws[i].rc, 0, "a pop that waited for an item: expected 0, got %d", ws[i].rc);
		cr_assert(NUM(ws[i].item) >= 1 && NUM(ws[i].item) <= WAITERS && !got[NUM(ws[i].item)],
			  "a pop that waited got item %lu: expected each of 1..%d once",
			  (unsigned long)NUM(ws[i].item), WAITERS);
		got[NUM(ws[i].item)] = true;
	}
	for (int i = 0; i < WAITERS; i++)
		waiter_start(&ws[i], q, WAIT_POP, NULL);
	cr_assert_eq(waiters_settle(ws, WAITERS), 0, "a pop from an empty queue returned instead of "
		     "waiting for an item");
	for (uintptr_t k = 1; k <= WAITERS; k++)
		cr_assert_eq(queue_push(q, ITEM(k)), 0, "queue_push into a queue with room failed");
	await_done(ws, WAITERS, WAITERS);
	for (int i = 0; i < WAITERS; i++)
		waiter_join(&ws[i]);
	queue_free(q);
}

static long thread_cpu_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

/*
 * Three consumers on an empty queue and three producers on a full one.
 * Once they sleep, this thread computes for 40 ms of its own CPU time: a
 * waiter that spins gets a share of the CPU meanwhile; one asleep on a
 * condition variable gets none.  CPU time, not wall-clock time, so a
 * loaded machine changes nothing.
 */
Test(blocking, waits_without_spinning)
{
	struct queue *empty = queue_new(2), *full = queue_new(1);
	struct waiter ws[2 * WAITERS];
	long before, used, start;
	volatile unsigned long spin = 0;

	cr_assert(empty && full, "queue_new returned NULL");
	cr_assert_eq(queue_push(full, ITEM(9)), 0, "queue_push into an empty queue failed");
	for (int i = 0; i < WAITERS; i++) {
		waiter_start(&ws[i], empty, WAIT_POP, NULL);
		waiter_start(&ws[WAITERS + i], full, WAIT_PUSH, ITEM(i));
	}
	cr_assert_eq(waiters_settle(ws, 2 * WAITERS), 0, "a pop from an empty queue or a push into a "
		     "full one returned instead of waiting");
	before = waiters_cpu_us(ws, 2 * WAITERS);
	start = thread_cpu_us();
	while (thread_cpu_us() - start < 40000)
		spin++;
	used = waiters_cpu_us(ws, 2 * WAITERS) - before;
	cr_assert_lt(used, 10000, "6 threads waiting on a queue used %ld ms of CPU time while this test "
		     "computed for 40 ms: waiting must sleep (pthread_cond_wait), not spin", used / 1000);
	queue_close(empty);
	queue_close(full);
	for (int i = 0; i < 2 * WAITERS; i++)
		waiter_join(&ws[i]);
	queue_free(empty);
	queue_free(full);
}
