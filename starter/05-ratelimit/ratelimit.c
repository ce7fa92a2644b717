/* Per-user fixed-window rate limiter: stage 05, your file. */
#include "ratelimit.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * TODO: decide what the limiter keeps for each user (a name it owns and a
 * count of the requests allowed in the current window) and how it finds a
 * user quickly among thousands.  A hash table with chained entries works.
 */

struct ratelimiter {
	int limit;
	long long window_ms;
	clock_ms_fn clock;
	void *clock_ctx;
	/* TODO: the users of the current window, and a lock. */
};

static long long monotonic_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

ratelimiter_t *ratelimiter_new(int limit, long long window_ms, clock_ms_fn clock, void *clock_ctx)
{
	ratelimiter_t *rl;

	if (limit < 0 || window_ms <= 0) {
		errno = EINVAL;
		return NULL;
	}
	rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	rl->limit = limit;
	rl->window_ms = window_ms;
	rl->clock = clock ? clock : monotonic_ms;
	rl->clock_ctx = clock_ctx;
	return rl;
}

bool ratelimiter_allow(ratelimiter_t *rl, const char *user)
{
	/*
	 * TODO:
	 *  - which window is it? (the clock's time divided by window_ms)
	 *  - if it is a new window, free what the older windows left behind;
	 *  - find the user's entry, adding a copy of the name if it is new;
	 *  - allow, and count, only if fewer than limit were allowed so far;
	 *  - all of it while holding one lock, taken once.
	 */
	(void)rl;
	(void)user;
	return true;
}

void ratelimiter_free(ratelimiter_t *rl)
{
	/* TODO: free every entry too. */
	free(rl);
}
