/* A bounded blocking queue of pointers, shared by producer and consumer threads. */
#ifndef RACECOURSE_QUEUE_H
#define RACECOURSE_QUEUE_H

#include <stddef.h>

struct queue;

/*
 * A new, open, empty queue that holds at most `capacity` items.
 * Returns NULL with errno EINVAL when capacity is 0, ENOMEM when out of memory.
 */
struct queue *queue_new(size_t capacity);

/*
 * Appends `item` (any pointer, NULL included), blocking while the queue is
 * full.  Returns 0, or -1 with errno EPIPE once the queue is closed (also
 * when it closes while this call waits), EINVAL when q is NULL.
 */
int queue_push(struct queue *q, void *item);

/*
 * Removes the oldest item into *item, blocking while the queue is empty.
 * Returns 0, or -1 with errno EPIPE when the queue is closed and empty (the
 * items left at close are still handed out first), EINVAL when q or item
 * is NULL.
 */
int queue_pop(struct queue *q, void **item);

/*
 * Closes the queue and wakes every thread blocked in it.  Closing twice is
 * harmless.  Does nothing when q is NULL.
 */
void queue_close(struct queue *q);

/* Frees the queue; no thread may be using it.  Does nothing when q is NULL. */
void queue_free(struct queue *q);

#endif
