/* AddressSanitizer's witness: each new thread starts once its creator has moved on. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "late_start.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

/*
 * A thread handed the address of its creator's loop counter, or of a local
 * in a function that has since returned, reads garbage only when it runs
 * after the creator went on: most runs it starts at once and reads the
 * right value.  Here every thread the code creates waits, before its start
 * routine, until its creator makes its next call into the pthread library
 * (a join, a lock, a condition wait: late_start_release()) or ends.  The
 * creator's loop has then moved on, its frame may be gone, and
 * AddressSanitizer sees the read of a variable out of its scope, or the
 * overrun the stale index causes, every run.
 *
 * A creator that waits some other way (a barrier, a semaphore, a flag it
 * polls) would wait for ever on a thread that has not started, so a thread
 * also starts after LATE_START_LIMIT_MS: a bound, never what orders anything.
 *
 * Only AddressSanitizer's build has this: the gate is a mutex, which would
 * order the creator's later writes before the thread's reads for the race
 * detectors and hide the very race they report.
 */
#define LATE_START_LIMIT_MS 1000

int __real_pthread_create(pthread_t *tid, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg);
int __real_pthread_join(pthread_t tid, void **ret);
void __real_pthread_exit(void *ret);
int __real_pthread_mutex_lock(pthread_mutex_t *m);
int __real_pthread_mutex_unlock(pthread_mutex_t *m);
int __real_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t);
/* Past faults_mem.c's wrappers: the kit's own blocks neither count nor fail (scenario.h). */
void *__real_calloc(size_t n, size_t size);
void __real_free(void *p);

int __wrap_pthread_join(pthread_t tid, void **ret);
void __wrap_pthread_exit(void *ret);

/*
 * One created thread not yet started.  Whichever of the creator and the
 * thread lets go of it second frees it: the thread when it was released,
 * the creator when the thread stopped waiting first.
 */
struct held {
	void *(*fn)(void *);
	void *arg;
	struct held *next;	/* the creator's other threads still held */
	bool released;		/* the creator moved on */
	bool gone;		/* the thread stopped waiting at the limit */
};

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t opened = PTHREAD_COND_INITIALIZER;
static __thread struct held *holding;	/* this thread's created, unreleased threads */

void late_start_release(void)
{
	struct held *h, *next;

	if (!holding)
		return;
	__real_pthread_mutex_lock(&gate);
	for (h = holding; h; h = next) {
		next = h->next;
		h->released = true;
		if (h->gone)
			__real_free(h);
	}
	holding = NULL;
	pthread_cond_broadcast(&opened);
	__real_pthread_mutex_unlock(&gate);
}

static void *start_late(void *p)
{
	struct held *h = p;
	void *(*fn)(void *) = h->fn;
	void *arg = h->arg, *ret;
	struct timespec limit;

	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += LATE_START_LIMIT_MS / 1000;
	limit.tv_nsec += (LATE_START_LIMIT_MS % 1000) * 1000000L;
	if (limit.tv_nsec >= 1000000000L) {
		limit.tv_sec++;
		limit.tv_nsec -= 1000000000L;
	}
	__real_pthread_mutex_lock(&gate);
	while (!h->released)
		if (__real_pthread_cond_timedwait(&opened, &gate, &limit) == ETIMEDOUT)
			break;
	if (h->released)
		__real_free(h);
	else
		h->gone = true;
	__real_pthread_mutex_unlock(&gate);

	ret = fn(arg);
	late_start_release();	/* a thread that created threads and returns has moved on */
	return ret;
}

int late_start_create(pthread_t *tid, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	struct held *h = __real_calloc(1, sizeof(*h));
	int rc;

	if (!h)
		return EAGAIN;
	h->fn = fn;
	h->arg = arg;
	/* On the list before the thread exists: it cannot see itself released early. */
	__real_pthread_mutex_lock(&gate);
	h->next = holding;
	holding = h;
	__real_pthread_mutex_unlock(&gate);
	rc = __real_pthread_create(tid, attr, start_late, h);
	if (rc) {
		__real_pthread_mutex_lock(&gate);
		holding = h->next;
		__real_pthread_mutex_unlock(&gate);
		__real_free(h);
	}
	return rc;
}

int __wrap_pthread_join(pthread_t tid, void **ret)
{
	late_start_release();
	return __real_pthread_join(tid, ret);
}

void __wrap_pthread_exit(void *ret)
{
	late_start_release();
	__real_pthread_exit(ret);
}
