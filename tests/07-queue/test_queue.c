/* Criterion tests of stage 07-queue: order, items, arguments and capacities, then many threads at once. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "faults_mem.h"
#include "perturb.h"
#include "queue.h"
#include "waiters.h"

/* The blocks the wrapped allocation calls held when a check began (faults_mem.h). */
static long blocks_before;

static struct queue *new_queue(size_t capacity)
{
	struct queue *q = queue_new(capacity);

	cr_assert_not_null(q, "queue_new(%zu) returned NULL", capacity);
	return q;
}

static void push_ok(struct queue *q, uintptr_t item)
{
	int rc = queue_push(q, ITEM(item));

	cr_assert_eq(rc, 0, "queue_push of %lu into an open queue with room: expected 0, got %d",
		     (unsigned long)item, rc);
}

static void pop_expect(struct queue *q, uintptr_t want, const char *when)
{
	void *got = ITEM(12345);
	int rc = queue_pop(q, &got);

	cr_assert_eq(rc, 0, "queue_pop %s: expected 0 and item %lu, got %d", when, (unsigned long)want, rc);
	cr_assert_eq(NUM(got), want, "queue_pop %s: expected item %lu, got %lu", when,
		     (unsigned long)want, (unsigned long)NUM(got));
}

Test(basic, fifo_one_thread)
{
	struct queue *q = new_queue(8);

	for (uintptr_t i = 1; i <= 5; i++)
		push_ok(q, i);
	for (uintptr_t i = 1; i <= 5; i++)
		pop_expect(q, i, "after pushing 1..5 into a queue of 8 (oldest first)");
	queue_free(q);
}

Test(basic, null_items)
{
	struct queue *q = new_queue(4);

	push_ok(q, 0);
	push_ok(q, 7);
	push_ok(q, 0);
	pop_expect(q, 0, "of a NULL item (pushed first)");
	pop_expect(q, 7, "after a NULL item");
	pop_expect(q, 0, "of a second NULL item");
	queue_free(q);
}

Test(basic, bad_arguments)
{
	struct queue *q;
	void *item;

	errno = 0;
	q = queue_new(0);
	cr_assert_null(q, "queue_new(0): expected NULL (a queue that holds nothing), got a queue");
	cr_assert_eq(errno, EINVAL, "queue_new(0): expected errno EINVAL, got %d", errno);
	errno = 0;
	cr_assert_eq(queue_push(NULL, ITEM(1)), -1, "queue_push(NULL, ...): expected -1");
	cr_assert_eq(errno, EINVAL, "queue_push(NULL, ...): expected errno EINVAL, got %d", errno);
	errno = 0;
	cr_assert_eq(queue_pop(NULL, &item), -1, "queue_pop(NULL, ...): expected -1");
	cr_assert_eq(errno, EINVAL, "queue_pop(NULL, ...): expected errno EINVAL, got %d", errno);
	q = new_queue(2);
	push_ok(q, 3);
	errno = 0;
	cr_assert_eq(queue_pop(q, NULL), -1, "queue_pop(q, NULL): expected -1");
	cr_assert_eq(errno, EINVAL, "queue_pop(q, NULL): expected errno EINVAL, got %d", errno);
	pop_expect(q, 3, "after a queue_pop(q, NULL) that must not have taken the item");
	queue_close(NULL);
	queue_free(NULL);
	queue_free(q);
}

/*
 * Capacity 3, pushes and pops interleaved so that the oldest item moves
 * round the whole store many times: every position is written, read and
 * written again, and a pop that reads the wrong slot (an index one off, a
 * wrap at the wrong place, a slot read after it moved on) gets an old item.
 */
Test(basic, ring_wraps_around)
{
	struct queue *q = new_queue(3);
	uintptr_t next_in = 1, next_out = 1;

	for (int round = 0; round < 40; round++) {
		int in = 1 + round % 3, out = in;

		if (round % 5 == 4)
			out = in - 1;	/* leave one behind now and then */
		while (in-- > 0 && next_in - next_out < 3)
			push_ok(q, next_in++);
		while (out-- > 0 && next_out < next_in)
			pop_expect(q, next_out++, "as pushes and pops go round a queue of 3 (oldest first)");
	}
	while (next_out < next_in)
		pop_expect(q, next_out++, "draining a queue of 3 after many rounds");
	queue_free(q);
}

Test(capacity, one)
{
	struct queue *q = new_queue(1);
	struct waiter w;

	for (uintptr_t i = 1; i <= 50; i++) {
		push_ok(q, i);
		pop_expect(q, i, "from a queue of capacity 1");
	}
	push_ok(q, 51);
	waiter_start(&w, q, WAIT_PUSH, ITEM(52));
	cr_assert_eq(waiters_settle(&w, 1), 0, "queue_push into a full queue of capacity 1 returned %d "
		     "instead of waiting for room", w.rc);
	pop_expect(q, 51, "from a full queue of capacity 1");
	waiter_join(&w);
	cr_assert_eq(w.rc, 0, "the push that waited for room: expected 0, got %d", w.rc);
	pop_expect(q, 52, "of the item that waited for room");
	queue_free(q);
}

/*
 * The handout lets a queue allocate its slots up front: then a capacity
 * whose slots do not fit in memory gives NULL with ENOMEM.  A queue that
 * allocates as it goes may accept it.  Either way it must not overflow
 * (capacity * sizeof(void *) wraps round to a few bytes for the second
 * one), and a large capacity that fits must hold what it says.  A
 * queue_new that fails frees what it had allocated.
 */
Test(capacity, huge)
{
	static const size_t huge[] = { SIZE_MAX, SIZE_MAX / sizeof(void *) + 2, SIZE_MAX / 2 + 1 };
	const uintptr_t many = 5000;
	struct queue *q;

	for (size_t i = 0; i < sizeof(huge) / sizeof(*huge); i++) {
		errno = 0;
		blocks_before = mem_live_blocks();
		q = queue_new(huge[i]);
		if (!q) {
			cr_assert_eq(errno, ENOMEM, "queue_new(%zu) returned NULL: expected errno ENOMEM, got %d",
				     huge[i], errno);
			cr_assert_leq((mem_live_blocks() - blocks_before), 0, "queue_new(%zu) returned NULL but kept %ld block(s) it "
				      "had allocated: free what was made before the failure", huge[i],
				      (mem_live_blocks() - blocks_before));
			continue;
		}
		/* Accepted: it must work like any queue, and not write past what it got. */
		for (uintptr_t k = 1; k <= 1024; k++)
			push_ok(q, k);
		free(malloc(64));
		for (uintptr_t k = 1; k <= 1024; k++)
			pop_expect(q, k, "from a queue of a huge capacity");
		queue_free(q);
	}
	q = new_queue(1 << 20);
	for (uintptr_t k = 1; k <= many; k++)
		push_ok(q, k);
	for (uintptr_t k = 1; k <= many; k++)
		pop_expect(q, k, "after pushing 5000 items into a queue of 1048576");
	queue_free(q);
}

/* ---- many threads ---- */

#define PRODUCERS 4
#define CONSUMERS 4
#define SEQ_BITS 20

struct traffic {
	struct queue *q;
	pthread_barrier_t go;
	int items;			/* per producer */
	atomic_int seen[PRODUCERS][200];	/* times each item was popped */
	atomic_int out_of_order;
	atomic_int bad_items;
};

struct role {
	struct traffic *t;
	int id;
};

static void *producer(void *arg)
{
	struct role *r = arg;

	pthread_barrier_wait(&r->t->go);
	for (int i = 0; i < r->t->items; i++)
		if (queue_push(r->t->q, ITEM(((uintptr_t)r->id << SEQ_BITS) | (uintptr_t)i)))
			atomic_fetch_add(&r->t->bad_items, 1);
	return NULL;
}

/* Pops until the queue is closed and empty; checks each producer's items come in order. */
static void *consumer(void *arg)
{
	struct role *r = arg;
	struct traffic *t = r->t;
	int last[PRODUCERS];
	void *item;

	for (int p = 0; p < PRODUCERS; p++)
		last[p] = -1;
	pthread_barrier_wait(&t->go);
	while (queue_pop(t->q, &item) == 0) {
		uintptr_t p = NUM(item) >> SEQ_BITS, i = NUM(item) & ((1u << SEQ_BITS) - 1);

		if (p >= PRODUCERS || i >= (uintptr_t)t->items) {
			atomic_fetch_add(&t->bad_items, 1);
			continue;
		}
		if ((int)i <= last[p])
			atomic_fetch_add(&t->out_of_order, 1);
		last[p] = (int)i;
		atomic_fetch_add(&t->seen[p][i], 1);
	}
	return NULL;
}

/* One round: producers and consumers start together; close once every producer is done. */
static void run_traffic(struct traffic *t, size_t capacity, int producers, int consumers)
{
	pthread_t tids[PRODUCERS + CONSUMERS];
	struct role roles[PRODUCERS + CONSUMERS];

	t->q = new_queue(capacity);
	pthread_barrier_init(&t->go, NULL, (unsigned)(producers + consumers));
	for (int i = 0; i < producers + consumers; i++) {
		roles[i] = (struct role){ t, i < producers ? i : i - producers };
		cr_assert_eq(pthread_create(&tids[i], NULL, i < producers ? producer : consumer, &roles[i]), 0,
			     "pthread_create failed");
	}
	for (int i = 0; i < producers; i++)
		pthread_join(tids[i], NULL);
	queue_close(t->q);
	for (int i = producers; i < producers + consumers; i++)
		pthread_join(tids[i], NULL);
	pthread_barrier_destroy(&t->go);
	queue_free(t->q);
}

static void check_each_once(struct traffic *t, int producers, const char *what)
{
	cr_assert_eq(atomic_load(&t->bad_items), 0, "%s: %d push(es) failed or item(s) popped that were "
		     "never pushed (a stale or empty slot?)", what, atomic_load(&t->bad_items));
	for (int p = 0; p < producers; p++)
		for (int i = 0; i < t->items; i++)
			cr_assert_eq(atomic_load(&t->seen[p][i]), 1, "%s: item %d of producer %d was popped %d "
				     "time(s), expected exactly once", what, i, p, atomic_load(&t->seen[p][i]));
}

Test(order, fifo_per_producer)
{
	for (int round = 0; round < 10; round++) {
		struct traffic t = { .items = 150 };

		run_traffic(&t, 4, 3, 2);
		cr_assert_eq(atomic_load(&t.out_of_order), 0, "3 producers, 2 consumers, capacity 4: %d time(s) "
			     "a consumer got a producer's items out of the order they were pushed in",
			     atomic_load(&t.out_of_order));
		check_each_once(&t, 3, "3 producers, 2 consumers, capacity 4");
	}
}

/*
 * Capacity 1 and 2 with 4 producers and 4 consumers: threads of both kinds
 * wait at once, on a full queue and on an empty one.  A wake-up that goes
 * to the wrong kind of thread, and is lost, leaves everybody asleep: the
 * test's time limit ends it.
 */
Test(stress, nothing_lost_or_duplicated)
{
	for (int round = 0; round < 12; round++) {
		struct traffic t = { .items = 80 };

		run_traffic(&t, 1 + round % 2, PRODUCERS, CONSUMERS);
		check_each_once(&t, PRODUCERS, "4 producers, 4 consumers, capacity 1 or 2");
	}
}

/* The same, with pthread_cond_wait returning early now and then, as POSIX allows. */
struct popper {
	struct queue *q;
	void *item;
	int rc;
};

static void *pop_one(void *arg)
{
	struct popper *p = arg;

	p->rc = queue_pop(p->q, &p->item);
	return NULL;
}

static void *push_one(void *arg)
{
	struct popper *p = arg;

	p->rc = queue_push(p->q, p->item);
	return NULL;
}

Test(blocking, spurious_wakeups)
{
	struct queue *q = new_queue(1);
	struct popper p = { .q = q, .item = ITEM(12345) };
	pthread_t t;

	/* One consumer asleep on an empty queue, woken with nothing in it. */
	cr_assert_eq(pthread_create(&t, NULL, pop_one, &p), 0);
	perturb_await_cond_waiters(1);
	perturb_wake_spuriously();
	push_ok(q, 42);
	pthread_join(t, NULL);
	cr_assert(p.rc == 0 && NUM(p.item) == 42, "a consumer asleep on an empty queue, woken with "
		  "nothing pushed (a spurious wake-up), then 42 pushed: expected 0 and item 42, got %d "
		  "and item %lu (does pop re-check the queue in a while loop?)", p.rc,
		  (unsigned long)NUM(p.item));
	queue_free(q);

	/* One producer asleep on a full queue, woken with no room made. */
	q = new_queue(1);
	p = (struct popper){ .q = q, .item = ITEM(2) };
	push_ok(q, 1);
	cr_assert_eq(pthread_create(&t, NULL, push_one, &p), 0);
	perturb_await_cond_waiters(1);
	perturb_wake_spuriously();
	pop_expect(q, 1, "from a full queue of 1 whose producer of 2 was woken with no room made "
		   "(a spurious wake-up): does push re-check for room in a while loop?");
	pthread_join(t, NULL);
	cr_assert_eq(p.rc, 0, "the push of 2, once there was room: expected 0, got %d", p.rc);
	pop_expect(q, 2, "after the producer's push of 2");
	queue_free(q);

	perturb_spurious_wakeups(3);
	for (int round = 0; round < 10; round++) {
		struct traffic t = { .items = 60 };

		run_traffic(&t, 1 + round % 2, PRODUCERS, CONSUMERS);
		check_each_once(&t, PRODUCERS, "with spurious wake-ups: 4 producers, 4 consumers, "
				"capacity 1 or 2 (does every wait re-check its condition in a while loop?)");
	}
	perturb_spurious_wakeups(0);
}
