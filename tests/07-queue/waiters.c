/* Stage 07's test helpers: one-call threads, and knowing they sleep in the kernel rather than spin. */
#define _GNU_SOURCE
#include "waiters.h"
#include "task_state.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void *run(void *arg)
{
	struct waiter *w = arg;

	atomic_store(&w->tid, (int)syscall(SYS_gettid));
	if (w->op == WAIT_PUSH)
		w->rc = queue_push(w->q, w->item);
	else
		w->rc = queue_pop(w->q, &w->item);
	w->err = w->rc ? errno : 0;
	atomic_store(&w->done, true);
	return NULL;
}

void waiter_start(struct waiter *w, struct queue *q, enum waiter_op op, void *item)
{
	w->q = q;
	w->op = op;
	w->item = item;
	w->rc = -2;
	w->err = 0;
	atomic_store(&w->tid, 0);
	atomic_store(&w->done, false);
	cr_assert_eq(pthread_create(&w->thread, NULL, run, w), 0, "pthread_create failed");
}

void waiter_join(struct waiter *w)
{
	pthread_join(w->thread, NULL);
}

size_t waiters_done(struct waiter *ws, size_t n)
{
	size_t done = 0;

	for (size_t i = 0; i < n; i++)
		done += atomic_load(&ws[i].done);
	return done;
}

long waiters_cpu_us(struct waiter *ws, size_t n)
{
	long us = 0;

	for (size_t i = 0; i < n; i++) {
		clockid_t clock;
		struct timespec t;

		/* A thread that has returned may be gone: its clock no longer reads. */
		if (atomic_load(&ws[i].done) || pthread_getcpuclockid(ws[i].thread, &clock) ||
		    clock_gettime(clock, &t))
			continue;
		us += t.tv_sec * 1000000L + t.tv_nsec / 1000;
	}
	return us;
}

/*
 * A waiter needs well under a millisecond of CPU time to start, lock and go
 * to sleep; one that spins uses its whole share of a core.
 */
#define CPU_BUDGET_US_EACH 30000L

size_t waiters_settle(struct waiter *ws, size_t n)
{
	for (;;) {
		size_t settled = 0;
		long used;

		for (size_t i = 0; i < n; i++) {
			int tid = atomic_load(&ws[i].tid);

			if (atomic_load(&ws[i].done) || (tid && task_state(tid) == TASK_IN_FUTEX))
				settled++;
		}
		if (settled == n)
			return waiters_done(ws, n);
		used = waiters_cpu_us(ws, n);
		cr_assert_lt(used, CPU_BUDGET_US_EACH * (long)n, "%zu thread(s) that should be waiting used %ld ms "
			     "of CPU time and never went to sleep: is the wait a loop that spins "
			     "(sched_yield, or nothing) instead of pthread_cond_wait?",
			     n - waiters_done(ws, n), used / 1000);
		sched_yield();
	}
}
