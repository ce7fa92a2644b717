/* Criterion test of stage 05: each request counts in the window of its own clock reading, even under contention. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>

#include "ratelimit.h"

#define NTHREADS 4
#define CALLS 3000
#define LIMIT 2
#define WINDOW_MS 4
#define NWINDOWS (NTHREADS * CALLS / WINDOW_MS)

/*
 * A clock that moves one millisecond at every reading, and tells the
 * calling thread which time it handed out.  Each window then holds exactly
 * WINDOW_MS requests, LIMIT of which must be allowed.
 */
static atomic_llong ticks;
static _Thread_local long long my_time;
static atomic_int allowed_in[NWINDOWS];
static pthread_barrier_t go;

static long long ticking_clock(void *ctx)
{
	(void)ctx;
	my_time = atomic_fetch_add(&ticks, 1);
	return my_time;
}

static void *requester(void *arg)
{
	ratelimiter_t *rl = arg;

	pthread_barrier_wait(&go);
	for (int i = 0; i < CALLS; i++) {
		my_time = -1;
		if (ratelimiter_allow(rl, "shared") && my_time >= 0 && my_time < NTHREADS * CALLS)
			atomic_fetch_add(&allowed_in[my_time / WINDOW_MS], 1);
	}
	return NULL;
}

/*
 * Rule 5 and the handout's "the clock is read once per request, under the
 * lock": a clock read before taking the lock can be older than the window
 * another thread already moved to, and the request then counts in the
 * wrong window (or drops the newer window's counts).
 */
Test(concurrent, window_of_each_request)
{
	ratelimiter_t *rl = ratelimiter_new(LIMIT, WINDOW_MS, ticking_clock, NULL);
	pthread_t tids[NTHREADS];
	int bad = 0, first = -1;

	cr_assert_not_null(rl, "ratelimiter_new(%d, %d, clock, NULL) returned NULL", LIMIT, WINDOW_MS);
	cr_assert_eq(pthread_barrier_init(&go, NULL, NTHREADS), 0);
	for (int i = 0; i < NTHREADS; i++)
		cr_assert_eq(pthread_create(&tids[i], NULL, requester, rl), 0, "pthread_create failed");
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(tids[i], NULL);
	pthread_barrier_destroy(&go);
	ratelimiter_free(rl);
	cr_assert_eq(atomic_load(&ticks), NTHREADS * CALLS, "%d requests read the clock %lld times: "
		     "expected once per request", NTHREADS * CALLS, (long long)atomic_load(&ticks));
	for (int w = 0; w < NWINDOWS; w++)
		if (atomic_load(&allowed_in[w]) != LIMIT && !bad++)
			first = w;
	cr_assert_eq(bad, 0, "%d threads, one user, a clock that moves 1 ms per reading, windows of "
		     "%d ms, limit %d: expected exactly %d requests allowed in each window, by the time "
		     "each request read; %d of %d windows differ (first: window %d allowed %d). Is the "
		     "clock read outside the lock?", NTHREADS, WINDOW_MS, LIMIT, LIMIT, bad, NWINDOWS,
		     first, first >= 0 ? atomic_load(&allowed_in[first]) : 0);
}
