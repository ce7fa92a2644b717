/* Mutant of stage 07: when the second pthread_cond_init fails, the one that failed is destroyed instead of the one made. */
#include "queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct queue {
	/*
	 * One lock guards everything below that changes (head, count, closed
	 * and the slots).  capacity and slots (the pointer) are set once by
	 * queue_new() and only read after.
	 */
	pthread_mutex_t lock;
	pthread_cond_t not_full;	/* a push waits here for a free slot */
	pthread_cond_t not_empty;	/* a pop waits here for an item */
	size_t capacity;
	void **slots;			/* a ring: items at head, head+1, ... */
	size_t head;			/* index of the oldest item */
	size_t count;			/* items in the queue */
	bool closed;
};

struct queue *queue_new(size_t capacity)
{
	struct queue *q;
	int err;

	if (capacity == 0) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	/* calloc checks capacity * sizeof(void *) for overflow itself. */
	q->slots = calloc(capacity, sizeof(*q->slots));
	if (!q->slots) {
		err = ENOMEM;
		goto fail_slots;
	}
	q->capacity = capacity;
	/* Each init can fail (EAGAIN, ENOMEM): undo what was made, in reverse. */
	err = pthread_mutex_init(&q->lock, NULL);
	if (err)
		goto fail_lock;
	err = pthread_cond_init(&q->not_full, NULL);
	if (err)
		goto fail_not_full;
	err = pthread_cond_init(&q->not_empty, NULL);
	if (err)
		goto fail_not_empty;
	return q;

fail_not_empty:
	pthread_cond_destroy(&q->not_empty);
fail_not_full:
	pthread_mutex_destroy(&q->lock);
fail_lock:
	free(q->slots);
fail_slots:
	free(q);
	errno = err;
	return NULL;
}

int queue_push(struct queue *q, void *item)
{
	if (!q) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&q->lock);
	/* while, not if: a wake-up may be spurious, or another push won the slot. */
	while (q->count == q->capacity && !q->closed)
		pthread_cond_wait(&q->not_full, &q->lock);
	if (q->closed) {
		pthread_mutex_unlock(&q->lock);
		errno = EPIPE;
		return -1;
	}
	q->slots[(q->head + q->count) % q->capacity] = item;
	q->count++;
	/* Only pops wait on not_empty, and one item serves one of them. */
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

int queue_pop(struct queue *q, void **item)
{
	if (!q || !item) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&q->lock);
	while (q->count == 0 && !q->closed)
		pthread_cond_wait(&q->not_empty, &q->lock);
	if (q->count == 0) {
		/* Closed, and nothing left to drain. */
		pthread_mutex_unlock(&q->lock);
		errno = EPIPE;
		return -1;
	}
	*item = q->slots[q->head];
	q->slots[q->head] = NULL;
	q->head = (q->head + 1) % q->capacity;
	q->count--;
	pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

void queue_close(struct queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	/* Every waiter must see the change, not just one: broadcast both. */
	pthread_cond_broadcast(&q->not_full);
	pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

void queue_free(struct queue *q)
{
	if (!q)
		return;
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	pthread_mutex_destroy(&q->lock);
	free(q->slots);
	free(q);
}
