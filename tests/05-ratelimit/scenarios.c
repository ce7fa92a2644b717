/* Detector scenarios of stage 05: one limiter driven from several threads at once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "ratelimit.h"
#include "scenario.h"

/*
 * A clock that moves on by one millisecond at every reading, so windows
 * roll over while other threads are in allow().  It has its own mutex
 * rather than an atomic counter: Helgrind and DRD can report atomics as
 * races, and the clock is called from the student's code.
 */
struct ticking_clock {
	pthread_mutex_t lock;
	long long now;
};

static long long ticking_ms(void *ctx)
{
	struct ticking_clock *c = ctx;
	long long t;

	pthread_mutex_lock(&c->lock);
	t = c->now++;
	pthread_mutex_unlock(&c->lock);
	return t;
}

static long long fixed_ms(void *ctx)
{
	(void)ctx;
	return 5000;
}

struct arg {
	ratelimiter_t *rl;
	int id;
};

static ratelimiter_t *must_new(int limit, long long window_ms, clock_ms_fn clock, void *ctx)
{
	ratelimiter_t *rl = ratelimiter_new(limit, window_ms, clock, ctx);

	if (!rl) {
		fprintf(stderr, "scenarios: ratelimiter_new returned NULL\n");
		exit(1);
	}
	return rl;
}

static void run_threads(ratelimiter_t *rl, int n, void *(*fn)(void *))
{
	struct arg args[4];

	for (int i = 0; i < n; i++) {
		args[i].rl = rl;
		args[i].id = i;
	}
	scenario_threads(n, fn, args, sizeof(args[0]));
}

/* ---- scenarios ---- */

static void *one_user_thread(void *p)
{
	struct arg *a = p;

	for (int i = 0; i < 50; i++)
		ratelimiter_allow(a->rl, "shared");
	return NULL;
}

static void one_user(void)
{
	ratelimiter_t *rl = must_new(20, 1000, fixed_ms, NULL);

	run_threads(rl, 4, one_user_thread);
	ratelimiter_free(rl);
}

/* Names built in a buffer the thread reuses, as callers do; 40 users in all. */
static void *many_users_thread(void *p)
{
	struct arg *a = p;
	char name[16];

	for (int i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "user-%d", (a->id * 7 + i) % 40);
		ratelimiter_allow(a->rl, name);
		if (i % 10 == 0)
			ratelimiter_allow(a->rl, "shared");
	}
	return NULL;
}

static void many_users(void)
{
	ratelimiter_t *rl = must_new(3, 1000, fixed_ms, NULL);

	run_threads(rl, 3, many_users_thread);
	ratelimiter_free(rl);
}

static void *rollover_thread(void *p)
{
	struct arg *a = p;
	char name[16];

	for (int i = 0; i < 80; i++) {
		snprintf(name, sizeof(name), "user-%d", (a->id + i) % 10);
		ratelimiter_allow(a->rl, name);
	}
	return NULL;
}

/* Windows of 8 ms on a clock that ticks at every call: a new window every few calls. */
static void rollover(void)
{
	struct ticking_clock c = { .now = 0 };
	ratelimiter_t *rl;

	pthread_mutex_init(&c.lock, NULL);
	rl = must_new(2, 8, ticking_ms, &c);
	run_threads(rl, 3, rollover_thread);
	ratelimiter_free(rl);
	pthread_mutex_destroy(&c.lock);
}

static void *real_clock_thread(void *p)
{
	struct arg *a = p;

	for (int i = 0; i < 40; i++)
		ratelimiter_allow(a->rl, i % 2 ? "shared" : "other");
	return NULL;
}

static void real_clock(void)
{
	ratelimiter_t *rl = must_new(10, 1000, NULL, NULL);

	run_threads(rl, 2, real_clock_thread);
	ratelimiter_free(rl);
}

const struct scenario scenarios[] = {
	{ "one_user", "4 threads, each 50 requests by the same user", one_user },
	{ "many_users", "3 threads, requests by 40 overlapping users named in reused buffers", many_users },
	{ "rollover", "3 threads while the window rolls over every few calls", rollover },
	{ "real_clock", "2 threads with the default clock (CLOCK_MONOTONIC)", real_clock },
};
const size_t nscenarios = sizeof(scenarios) / sizeof(scenarios[0]);
