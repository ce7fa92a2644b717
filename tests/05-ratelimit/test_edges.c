/* Criterion tests of stage 05: user names (long ones, prefixes of each other), and the default clock (monotonic, in milliseconds). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ratelimit.h"

/* ---- names of any length ---- */

/* A name of len characters: `fill` repeated, then `last`. */
static char *long_name(size_t len, char fill, char last)
{
	char *s = malloc(len + 1);

	cr_assert_not_null(s, "malloc failed");
	memset(s, fill, len - 1);
	s[len - 1] = last;
	s[len] = '\0';
	return s;
}

static long long zero_clock(void *ctx)
{
	(void)ctx;
	return 0;
}

Test(allow, long_user_names)
{
	static const size_t lens[] = { 31, 32, 33, 64, 100, 255, 256, 1000, 10000 };

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		ratelimiter_t *rl = ratelimiter_new(2, 1000, zero_clock, NULL);
		char *a = long_name(lens[i], 'u', 'a'), *b = long_name(lens[i], 'u', 'b');
		int got_a = 0, got_b = 0;

		cr_assert_not_null(rl, "ratelimiter_new(2, 1000, clock, NULL) returned NULL");
		/* Same first len - 1 characters: two different users all the same. */
		for (int k = 0; k < 3; k++) {
			got_a += ratelimiter_allow(rl, a);
			got_b += ratelimiter_allow(rl, b);
		}
		cr_expect_eq(got_a, 2, "a user name of %zu characters, 3 requests with limit 2: expected 2 "
			     "allowed, got %d (is the name cut to fit a fixed buffer?)", lens[i], got_a);
		cr_expect_eq(got_b, 2, "two user names of %zu characters that differ only in the last: they "
			     "are different users, each gets 2 of 3 requests; the second got %d", lens[i], got_b);
		free(a);
		free(b);
		ratelimiter_free(rl);
	}
}

/*
 * Names that start alike: a name compared only up to the length of another
 * (strncmp with the wrong length, a stored prefix) makes "bob" and "bobby"
 * one user, when the two meet in the same hash chain.  300 names, each a
 * prefix of the next, in both orders, so that many do.
 */
#define PREFIXES 300

static int prefix_round(bool growing, char fill)
{
	ratelimiter_t *rl = ratelimiter_new(2, 1000, zero_clock, NULL);
	char *name = long_name(PREFIXES, fill, fill);
	int wrong = 0;

	cr_assert_not_null(rl, "ratelimiter_new(2, 1000, clock, NULL) returned NULL");
	for (int i = 0; i < PREFIXES; i++) {
		size_t len = growing ? (size_t)i + 1 : (size_t)(PREFIXES - i);
		int got = 0;

		name[len] = '\0';
		for (int k = 0; k < 3; k++)
			got += ratelimiter_allow(rl, name);
		wrong += got != 2;
		name[len] = fill;
	}
	free(name);
	ratelimiter_free(rl);
	return wrong;
}

Test(allow, prefix_names)
{
	int shorter_first = prefix_round(true, 'p'), longer_first = prefix_round(false, 'q');

	cr_expect_eq(shorter_first, 0, "names \"p\", \"pp\", ... of 1 to %d characters, each one's 3 "
		     "requests (limit 2) after the shorter names': expected 2 allowed for each, got a "
		     "different count for %d names (are names compared only up to the stored name's "
		     "length?)", PREFIXES, shorter_first);
	cr_expect_eq(longer_first, 0, "names of %d down to 1 characters, each one's 3 requests (limit "
		     "2) after the longer names': expected 2 allowed for each, got a different count for %d "
		     "names (are names compared only up to the asked name's length?)", PREFIXES,
		     longer_first);
}

/* ---- the default clock: CLOCK_MONOTONIC in milliseconds ---- */

/*
 * The manifest wraps clock_gettime.  While a test drives it, the calls made
 * from the test's own thread for a monotonic clock return the test's time;
 * every other clock, and every other thread (the runner's watchdog), get
 * the real one.  Code that reads the wall clock (time, gettimeofday,
 * CLOCK_REALTIME) sees no time pass at all.
 */
int __real_clock_gettime(clockid_t id, struct timespec *ts);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts);

static _Atomic long long driven_ms = -1;
static pthread_t driver;

int __wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
	long long ms = atomic_load(&driven_ms);
	bool monotonic = id == CLOCK_MONOTONIC || id == CLOCK_MONOTONIC_RAW ||
			 id == CLOCK_MONOTONIC_COARSE || id == CLOCK_BOOTTIME;

	if (ms < 0 || !monotonic || !pthread_equal(pthread_self(), driver))
		return __real_clock_gettime(id, ts);
	ts->tv_sec = ms / 1000;
	ts->tv_nsec = (ms % 1000) * 1000000L;
	return 0;
}

static void drive_clock(long long ms)
{
	driver = pthread_self();
	atomic_store(&driven_ms, ms);
}

Test(allow, default_clock_monotonic_ms)
{
	/* Windows of 100 ms on the default clock, moved by the test. */
	ratelimiter_t *rl;
	int got;

	drive_clock(1250);
	rl = ratelimiter_new(2, 100, NULL, NULL);
	cr_assert_not_null(rl, "ratelimiter_new(2, 100, NULL, NULL) returned NULL");
	got = (ratelimiter_allow(rl, "alice") + ratelimiter_allow(rl, "alice") +
	       ratelimiter_allow(rl, "alice"));
	cr_assert_eq(got, 2, "default clock at 1.250 s, 3 requests, limit 2: expected 2 allowed, got %d", got);
	drive_clock(1299);
	cr_assert_not(ratelimiter_allow(rl, "alice"), "default clock at 1.299 s, still the window "
		      "[1.200, 1.300): expected refused, got allowed");
	drive_clock(1310);
	cr_assert(ratelimiter_allow(rl, "alice"), "default clock at 1.310 s, the next window of 100 ms: "
		  "expected allowed, got refused (the default clock must be CLOCK_MONOTONIC in "
		  "milliseconds: not time(), not the wall clock, not whole seconds)");
	drive_clock(987654321);
	cr_assert(ratelimiter_allow(rl, "alice"), "default clock at 987654.321 s, much later: expected "
		  "allowed, got refused");
	atomic_store(&driven_ms, -1);
	ratelimiter_free(rl);
}
