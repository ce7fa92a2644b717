/* Stage 07-queue: a bounded blocking queue between threads (your code goes here). */
#include "queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/*
 * As shipped this is a queue for one thread: a ring of slots that works as
 * long as nobody shares it, and that never waits.  A push into a full
 * queue and a pop from an empty one fail at once with EAGAIN instead of
 * blocking.  Read the handout, then:
 *
 *   1. add a mutex, and hold it for every access to head, count, closed
 *      and the slots;
 *   2. add condition variables, and make a push wait while the queue is
 *      full and a pop while it is empty, each in a `while` loop;
 *   3. make queue_close wake every thread that waits.
 */

struct queue {
	size_t capacity;
	void **slots;		/* a ring: items at head, head+1, ... (mod capacity) */
	size_t head;		/* index of the oldest item */
	size_t count;		/* items in the queue */
	bool closed;
};

struct queue *queue_new(size_t capacity)
{
	struct queue *q;

	if (capacity == 0) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->slots = calloc(capacity, sizeof(*q->slots));
	if (!q->slots) {
		free(q);
		errno = ENOMEM;
		return NULL;
	}
	q->capacity = capacity;
	return q;
}

int queue_push(struct queue *q, void *item)
{
	if (!q) {
		errno = EINVAL;
		return -1;
	}
	if (q->closed) {
		errno = EPIPE;
		return -1;
	}
	if (q->count == q->capacity) {
		/* TODO: wait for a free slot instead. */
		errno = EAGAIN;
		return -1;
	}
	q->slots[(q->head + q->count) % q->capacity] = item;
	q->count++;
	return 0;
}

int queue_pop(struct queue *q, void **item)
{
	if (!q || !item) {
		errno = EINVAL;
		return -1;
	}
	if (q->count == 0) {
		/* TODO: wait for an item while the queue is open; EPIPE once it is closed. */
		errno = q->closed ? EPIPE : EAGAIN;
		return -1;
	}
	*item = q->slots[q->head];
	q->head = (q->head + 1) % q->capacity;
	q->count--;
	return 0;
}

void queue_close(struct queue *q)
{
	if (!q)
		return;
	/* TODO: wake every thread waiting in queue_push or queue_pop. */
	q->closed = true;
}

void queue_free(struct queue *q)
{
	if (!q)
		return;
	free(q->slots);
	free(q);
}
