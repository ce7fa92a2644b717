/* Per-user rate limiter with fixed time windows: the API of stage 05. */
#ifndef RACECOURSE_RATELIMIT_H
#define RACECOURSE_RATELIMIT_H

#include <stdbool.h>

typedef struct ratelimiter ratelimiter_t;

/*
 * A clock: returns the current time in milliseconds.  It is called with
 * the clock_ctx given to ratelimiter_new().  The time it returns never goes
 * backwards and is never negative.  The limiter may call it from any thread,
 * with or without its own lock held.
 */
typedef long long (*clock_ms_fn)(void *ctx);

/*
 * Creates a limiter that allows at most `limit` requests per user in each
 * window of `window_ms` milliseconds.  Windows are fixed: window k is the
 * half-open interval [k * window_ms, (k + 1) * window_ms) of the clock, so
 * with window_ms = 1000 the times 999 and 1000 are in different windows.
 *
 * `clock` is the time source; NULL means CLOCK_MONOTONIC, in milliseconds.
 * `clock_ctx` is passed to every call of `clock` and is not owned.
 *
 * limit may be 0 (every request is refused).  Returns the new limiter, to
 * be released with ratelimiter_free(), or NULL if limit < 0, window_ms <= 0
 * or memory ran out.
 */
ratelimiter_t *ratelimiter_new(int limit, long long window_ms, clock_ms_fn clock, void *clock_ctx);

/*
 * One request by `user` (a non-NULL, NUL-terminated string), now.  Returns
 * true, and counts the request, if `user` has had fewer than `limit`
 * requests allowed in the current window; returns false otherwise, and a
 * refused request is not counted.  Users are independent: one user's
 * requests never change another's answers.
 *
 * The limiter copies `user` the first time it sees it in a window: the
 * caller may free or reuse its string as soon as the call returns.
 *
 * Memory: the first call made in a new window frees every entry kept for
 * earlier windows before it returns, so the limiter holds memory only for
 * the users of the current window.
 *
 * Safe to call from any number of threads at once on the same limiter: the
 * check against the limit and the counting of the request happen as one
 * atomic step, so exactly `limit` of many concurrent requests by one user
 * in one window are allowed.  If memory runs out, the request is refused.
 */
bool ratelimiter_allow(ratelimiter_t *rl, const char *user);

/*
 * Frees the limiter and everything it holds.  No other thread may be using
 * it.  NULL is allowed and does nothing.
 */
void ratelimiter_free(ratelimiter_t *rl);

#endif
