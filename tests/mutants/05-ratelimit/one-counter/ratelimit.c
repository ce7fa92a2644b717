/* Mutant of stage 05: one counter for all users, so users are not independent. */
#include "ratelimit.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct ratelimiter {
	pthread_mutex_t lock;
	int limit;
	long long window_ms;
	clock_ms_fn clock;
	void *clock_ctx;
	long long window;	/* the window count belongs to */
	int count;		/* requests allowed in that window */
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
	if (pthread_mutex_init(&rl->lock, NULL)) {
		free(rl);
		return NULL;
	}
	rl->limit = limit;
	rl->window_ms = window_ms;
	rl->clock = clock ? clock : monotonic_ms;
	rl->clock_ctx = clock_ctx;
	rl->window = LLONG_MIN;
	return rl;
}

bool ratelimiter_allow(ratelimiter_t *rl, const char *user)
{
	long long window;
	bool allowed = false;

	(void)user;
	pthread_mutex_lock(&rl->lock);
	window = rl->clock(rl->clock_ctx) / rl->window_ms;
	if (window > rl->window) {
		rl->window = window;
		rl->count = 0;
	}
	if (rl->count < rl->limit) {
		rl->count++;
		allowed = true;
	}
	pthread_mutex_unlock(&rl->lock);
	return allowed;
}

void ratelimiter_free(ratelimiter_t *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}
