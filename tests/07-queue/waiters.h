/* Stage 07's test helpers: threads that push or pop once, and a way to know they are blocked without sleeping. */
#ifndef RACECOURSE_QUEUE_WAITERS_H
#define RACECOURSE_QUEUE_WAITERS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "queue.h"

enum waiter_op { WAIT_PUSH, WAIT_POP };

/* One thread making one call: queue_push(q, item) or queue_pop(q, &item). */
struct waiter {
	struct queue *q;
	enum waiter_op op;
	void *item;		/* push: what it pushes; pop: what it got */
	int rc;			/* what the call returned */
	int err;		/* errno after it, when rc is -1 */
	pthread_t thread;
	atomic_int tid;		/* the kernel's thread id, 0 until it runs */
	atomic_bool done;	/* the call has returned */
};

/* Starts w's thread; fails the test when it cannot be created. */
void waiter_start(struct waiter *w, struct queue *q, enum waiter_op op, void *item);

/* Joins w's thread (the test's time limit ends a call that never returns). */
void waiter_join(struct waiter *w);

/* How many of ws[0..n) have returned. */
size_t waiters_done(struct waiter *ws, size_t n);

/*
 * Waits until every waiter of ws[0..n) has either returned or is asleep in
 * the kernel (a futex: a condition variable or a mutex), seen in
 * /proc/self/task/TID/syscall.  A waiter that spins never sleeps there:
 * the test fails once the waiters have burnt 30 ms of CPU time each, and
 * a waiter that polls with a sleep is ended by the test's time limit.
 * Returns how many have returned.
 */
size_t waiters_settle(struct waiter *ws, size_t n);

/* CPU time used so far by the threads of ws[0..n) that have not returned, in microseconds. */
long waiters_cpu_us(struct waiter *ws, size_t n);

/* Items are small integers carried in the pointer. */
#define ITEM(i) ((void *)(uintptr_t)(i))
#define NUM(p) ((uintptr_t)(p))

#endif
