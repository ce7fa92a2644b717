/* Criterion tests of stage 05: the API's edges: bad arguments, a lock that cannot be made, a large limit, clock readings far from zero, two limiters at once. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdatomic.h>

#include "faults_mem.h"
#include "faults_sync.h"
#include "ratelimit.h"

static _Atomic long long now_ms;

static long long test_clock(void *ctx)
{
	(void)ctx;
	return atomic_load(&now_ms);
}

/* The header: NULL if limit < 0 or window_ms <= 0; limit 0 is a limiter that refuses all. */
Test(new, bad_arguments)
{
	static const struct {
		int limit;
		long long window_ms;
	} bad[] = {
		{ -1, 1000 }, { INT_MIN, 1000 }, { 2, 0 }, { 2, -1 }, { 2, LLONG_MIN }, { -1, 0 },
	};
	ratelimiter_t *rl;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rl = ratelimiter_new(bad[i].limit, bad[i].window_ms, test_clock, NULL);
		cr_expect_null(rl, "ratelimiter_new(%d, %lld, clock, NULL): expected NULL (the header: "
			       "limit < 0 or window_ms <= 0), got a limiter", bad[i].limit, bad[i].window_ms);
		if (rl)
			ratelimiter_free(rl);
	}
	rl = ratelimiter_new(0, 1, test_clock, NULL);
	cr_assert_not_null(rl, "ratelimiter_new(0, 1, clock, NULL): expected a limiter (limit 0 is "
			   "allowed), got NULL");
	cr_expect_not(ratelimiter_allow(rl, "alice"), "limit 0: expected refused, got allowed");
	ratelimiter_free(rl);
	rl = ratelimiter_new(INT_MAX, LLONG_MAX, test_clock, NULL);
	cr_assert_not_null(rl, "ratelimiter_new(INT_MAX, LLONG_MAX, clock, NULL): expected a limiter, got NULL");
	cr_expect(ratelimiter_allow(rl, "alice"), "limit INT_MAX: expected allowed, got refused");
	ratelimiter_free(rl);
}

/* pthread_mutex_init can fail (EAGAIN, ENOMEM): no limiter then, and nothing leaked; a limiter's lock is destroyed by ratelimiter_free. */
Test(memory, lock_checked_and_destroyed)
{
	long base = mem_live_blocks();
	ratelimiter_t *rl;

	mutex_init_fail_at(1);
	rl = ratelimiter_new(2, 1000, test_clock, NULL);
	cr_expect_null(rl, "ratelimiter_new when its pthread_mutex_init fails: expected NULL, got a "
		       "limiter whose lock was never made");
	if (rl)
		ratelimiter_free(rl);
	cr_expect_eq(mem_live_blocks(), base, "ratelimiter_new when its pthread_mutex_init fails: %ld "
		     "block(s) it allocated were not freed", mem_live_blocks() - base);
	mutex_init_fail_at(0);
	rl = ratelimiter_new(2, 1000, test_clock, NULL);
	cr_assert_not_null(rl, "ratelimiter_new(2, 1000, clock, NULL) returned NULL");
	ratelimiter_allow(rl, "alice");
	ratelimiter_free(rl);
	cr_expect_eq(mutex_destroys(), mutex_inits(), "a limiter's life (new, allow, free): %d mutex(es) "
		     "made with pthread_mutex_init, %d destroyed", mutex_inits(), mutex_destroys());
}

/* A count kept in a type smaller than the limit's int wraps, and lets everything through (or nothing). */
Test(allow, large_limit)
{
	enum { LIMIT = 100000 };
	ratelimiter_t *rl;
	int got = 0;

	atomic_store(&now_ms, 0);
	rl = ratelimiter_new(LIMIT, 1000, test_clock, NULL);
	cr_assert_not_null(rl, "ratelimiter_new(%d, 1000, clock, NULL) returned NULL", LIMIT);
	for (int i = 0; i < LIMIT + 10; i++)
		got += ratelimiter_allow(rl, "alice");
	cr_expect_eq(got, LIMIT, "limit %d, %d requests by alice in one window: expected %d allowed, got %d "
		     "(is the count kept in a type narrower than the limit's int?)", LIMIT, LIMIT + 10,
		     LIMIT, got);
	ratelimiter_free(rl);
}

/*
 * The clock may return any non-negative long long: window numbers past
 * 2^31 must not be cut to an int (or a double's 53 bits).
 */
Test(window, far_from_zero)
{
	static const struct {
		long long window_ms, t;
	} steps[] = {
		{ 1, 2147483646LL }, { 1, 2147483647LL }, { 1, 2147483648LL }, { 1, 4294967295LL },
		{ 1, 4294967296LL }, { 1, 4294967297LL }, { 1, 1LL << 53 }, { 1, (1LL << 53) + 1 },
		{ 1, LLONG_MAX - 1 }, { 1, LLONG_MAX },
		{ 1000, 2147483647999LL }, { 1000, 2147483648000LL }, { 1000, 4294967296000LL },
	};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		ratelimiter_t *rl = ratelimiter_new(1, steps[i].window_ms, test_clock, NULL);

		cr_assert_not_null(rl, "ratelimiter_new(1, %lld, clock, NULL) returned NULL", steps[i].window_ms);
		/* Walk up to t through the window before it, then t's own window is a new one. */
		for (size_t j = 0; j <= i; j++) {
			if (steps[j].window_ms != steps[i].window_ms)
				continue;
			atomic_store(&now_ms, steps[j].t);
			cr_assert(ratelimiter_allow(rl, "alice"), "windows of %lld ms, limit 1, alice's first "
				  "request at t=%lld (a new window): expected allowed, got refused (is the "
				  "time or the window number kept in an int, or a double?)",
				  steps[j].window_ms, steps[j].t);
			cr_assert_not(ratelimiter_allow(rl, "alice"), "windows of %lld ms, limit 1, alice's "
				      "second request at t=%lld: expected refused, got allowed",
				      steps[j].window_ms, steps[j].t);
		}
		ratelimiter_free(rl);
	}
}

/* Each limiter's clock, for limiters_independent. */
static long long own_clock(void *ctx)
{
	return atomic_load((_Atomic long long *)ctx);
}

/*
 * Two limiters are two: no state (window, table, counts) shared through a
 * global or a static.  One's clock is far ahead of the other's, and they
 * take turns.
 */
Test(allow, limiters_independent)
{
	_Atomic long long ahead = 50000, behind = 0;
	ratelimiter_t *a = ratelimiter_new(1, 1000, own_clock, &ahead);
	ratelimiter_t *b = ratelimiter_new(2, 1000, own_clock, &behind);

	cr_assert(a && b, "ratelimiter_new returned NULL");
	for (int w = 0; w < 3; w++) {
		atomic_store(&ahead, 50000 + w * 1000);
		atomic_store(&behind, w * 1000);
		cr_expect(ratelimiter_allow(a, "alice"), "limiter A (limit 1, clock at %lld): alice's first "
			  "request: expected allowed, got refused", 50000LL + w * 1000);
		cr_expect(ratelimiter_allow(b, "alice"), "limiter B (limit 2, clock at %d, another limiter "
			  "with its clock far ahead): alice's first request: expected allowed, got refused "
			  "(is a window or a table shared between limiters?)", w * 1000);
		cr_expect(ratelimiter_allow(b, "alice"), "limiter B (limit 2, clock at %d): alice's second "
			  "request: expected allowed, got refused (is a count shared between limiters?)",
			  w * 1000);
		cr_expect_not(ratelimiter_allow(a, "alice"), "limiter A (limit 1): alice's second request: "
			      "expected refused, got allowed");
		cr_expect_not(ratelimiter_allow(b, "alice"), "limiter B (limit 2): alice's third request: "
			      "expected refused, got allowed");
	}
	ratelimiter_free(a);
	ratelimiter_free(b);
}
