/* Criterion tests of stage 05: the per-user fixed-window rate limiter. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults_mem.h"
#include "ratelimit.h"

/* ---- a clock the test moves by hand ---- */

struct fake_clock {
	_Atomic long long now;
};

static long long fake_clock_ms(void *ctx)
{
	struct fake_clock *c = ctx;

	return atomic_load(&c->now);
}

static void set_time(struct fake_clock *c, long long ms)
{
	atomic_store(&c->now, ms);
}

static ratelimiter_t *new_limiter(int limit, long long window_ms, struct fake_clock *c)
{
	ratelimiter_t *rl = ratelimiter_new(limit, window_ms, fake_clock_ms, c);

	cr_assert_not_null(rl, "ratelimiter_new(%d, %lld, clock, ctx): expected a limiter, got NULL",
			   limit, window_ms);
	return rl;
}

/* How many of n requests by user are allowed. */
static int allowed_of(ratelimiter_t *rl, const char *user, int n)
{
	int allowed = 0;

	for (int i = 0; i < n; i++)
		allowed += ratelimiter_allow(rl, user);
	return allowed;
}

static const char *yes_no(bool b)
{
	return b ? "allowed" : "refused";
}

/* ---- user names that outlive the calls, so only one test is about copying ---- */

#define NUSERS 10000

static char names[NUSERS][16];

static void make_names(void)
{
	for (int i = 0; i < NUSERS; i++)
		snprintf(names[i], sizeof(names[i]), "user-%05d", i);
}

/* ---- one thread, one window ---- */

Test(allow, up_to_limit)
{
	struct fake_clock c = { 0 };
	ratelimiter_t *rl = new_limiter(3, 1000, &c);

	for (int i = 1; i <= 6; i++) {
		bool got = ratelimiter_allow(rl, "alice");

		cr_assert_eq(got, i <= 3, "request %d of alice in one window (limit 3): expected %s, got %s",
			     i, yes_no(i <= 3), yes_no(got));
	}
	ratelimiter_free(rl);

	rl = new_limiter(0, 1000, &c);
	cr_assert_not(ratelimiter_allow(rl, "alice"),
		      "first request with limit 0: expected refused, got allowed");
	ratelimiter_free(rl);
}

Test(allow, users_independent)
{
	struct fake_clock c = { 0 };
	ratelimiter_t *rl = new_limiter(2, 1000, &c);
	int got;

	got = allowed_of(rl, "alice", 3);
	cr_assert_eq(got, 2, "alice, 3 requests (limit 2): expected 2 allowed, got %d", got);
	got = allowed_of(rl, "bob", 3);
	cr_assert_eq(got, 2, "bob, 3 requests after alice's (limit 2): expected 2 allowed, got %d", got);
	got = allowed_of(rl, "bobby", 1);
	cr_assert_eq(got, 1, "bobby's first request: expected 1 allowed, got %d", got);
	got = allowed_of(rl, "alice", 1);
	cr_assert_eq(got, 0, "alice again, same window: expected 0 allowed, got %d", got);
	ratelimiter_free(rl);
}

Test(allow, user_string_copied)
{
	struct fake_clock c = { 0 };
	ratelimiter_t *rl = new_limiter(2, 1000, &c);
	char *buf = malloc(16);
	int got;

	cr_assert_not_null(buf);
	strcpy(buf, "alice");
	got = allowed_of(rl, buf, 2);
	cr_assert_eq(got, 2, "alice (from a buffer), 2 requests (limit 2): expected 2 allowed, got %d", got);

	/* The caller reuses its buffer: the limiter must have kept its own copy. */
	strcpy(buf, "mallory");
	got = allowed_of(rl, "alice", 1);
	cr_assert_eq(got, 0, "alice again after the caller rewrote its buffer to 'mallory': "
		     "expected 0 allowed, got %d (was the name copied?)", got);
	got = allowed_of(rl, buf, 2);
	cr_assert_eq(got, 2, "mallory, 2 requests: expected 2 allowed, got %d", got);
	ratelimiter_free(rl);
	free(buf);
}

Test(allow, default_clock)
{
	/* Windows of 2^50 ms: CLOCK_MONOTONIC stays in window 0 for 35,000 years. */
	ratelimiter_t *rl = ratelimiter_new(2, 1LL << 50, NULL, NULL);
	int got;

	cr_assert_not_null(rl, "ratelimiter_new(2, 1 << 50, NULL, NULL): expected a limiter, got NULL");
	got = allowed_of(rl, "alice", 3);
	cr_assert_eq(got, 2, "alice, 3 requests with the default clock (limit 2): expected 2 allowed, got %d",
		     got);
	ratelimiter_free(rl);
}

/* ---- windows ---- */

Test(window, next_window_allows_again)
{
	struct fake_clock c = { 0 };
	ratelimiter_t *rl = new_limiter(2, 1000, &c);
	int got;

	got = allowed_of(rl, "alice", 3);
	cr_assert_eq(got, 2, "alice at t=0, 3 requests (limit 2): expected 2 allowed, got %d", got);
	set_time(&c, 500);
	got = allowed_of(rl, "alice", 1);
	cr_assert_eq(got, 0, "alice at t=500, same window: expected 0 allowed, got %d", got);
	set_time(&c, 1500);
	got = allowed_of(rl, "alice", 3);
	cr_assert_eq(got, 2, "alice at t=1500, next window, 3 requests: expected 2 allowed, got %d", got);
	set_time(&c, 7003);
	got = allowed_of(rl, "alice", 3);
	cr_assert_eq(got, 2, "alice at t=7003, after idle windows, 3 requests: expected 2 allowed, got %d",
		     got);
	ratelimiter_free(rl);
}

Test(window, exact_boundaries)
{
	/* Window k is [1000k, 1000k + 1000): 999 is the last ms of window 0. */
	static const struct {
		long long t;
		int requests, allowed;
	} steps[] = {
		{ 999, 3, 2 },
		{ 1000, 3, 2 },
		{ 1999, 1, 0 },
		{ 2000, 1, 1 },
		{ 2999, 2, 1 },
	};
	struct fake_clock c = { 0 };
	ratelimiter_t *rl = new_limiter(2, 1000, &c);

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int got;

		set_time(&c, steps[i].t);
		got = allowed_of(rl, "alice", steps[i].requests);
		cr_assert_eq(got, steps[i].allowed,
			     "alice at t=%lld, %d requests (limit 2, windows of 1000 ms, fixed at multiples "
			     "of 1000): expected %d allowed, got %d",
			     steps[i].t, steps[i].requests, steps[i].allowed, got);
	}
	ratelimiter_free(rl);
}

/* ---- many users ---- */

Test(users, ten_thousand_distinct)
{
	struct fake_clock c = { 0 };
	ratelimiter_t *rl = new_limiter(2, 1000, &c);

	make_names();
	/* Three passes over all users: allowed, allowed, refused. */
	for (int pass = 0; pass < 3; pass++) {
		bool want = pass < 2;
		int wrong = 0, first = -1;

		for (int i = 0; i < NUSERS; i++) {
			if (ratelimiter_allow(rl, names[i]) != want) {
				if (first < 0)
					first = i;
				wrong++;
			}
		}
		cr_assert_eq(wrong, 0, "pass %d over %d users (limit 2): expected every request %s, "
			     "got %d otherwise (first: %s)",
			     pass + 1, NUSERS, yes_no(want), wrong, first < 0 ? "none" : names[first]);
	}
	ratelimiter_free(rl);
}

Test(memory, old_windows_freed)
{
	struct fake_clock c = { 0 };
	ratelimiter_t *rl = new_limiter(2, 100, &c);
	long base, left;
	int refused = 0;

	make_names();
	/* Ten windows of 1000 users each; no user comes back. */
	base = mem_live_blocks();
	for (int w = 0; w < 10; w++) {
		set_time(&c, w * 100 + 42);
		for (int i = 0; i < 1000; i++)
			refused += !ratelimiter_allow(rl, names[w * 1000 + i]);
	}
	set_time(&c, 10 * 100 + 42);
	refused += !ratelimiter_allow(rl, "newcomer");
	left = mem_live_blocks() - base;

	cr_assert_eq(refused, 0, "first requests of 10,001 users: expected all allowed, got %d refused",
		     refused);
	cr_assert_leq(left, 8, "blocks still allocated after the first request of window 10, "
		      "when windows 0-9 had 1000 users each: expected at most 8 (the table and one "
		      "user), got %ld", left);
	ratelimiter_free(rl);
}

/*
 * Rule 4 over a long run: two users a window for 4000 windows.  Whatever
 * the design, what the limiter holds then is what two users need: the
 * bytes it holds may not keep growing from window to window (a table that
 * grows with every name ever seen, not with the window's).
 */
Test(memory, long_run_stays_small)
{
	struct fake_clock c = { 0 };
	ratelimiter_t *rl = new_limiter(2, 100, &c);
	long early = 0, late;

	for (int w = 0; w < 4000; w++) {
		char a[16], b[16];

		snprintf(a, sizeof(a), "a%d", w);
		snprintf(b, sizeof(b), "b%d", w);
		set_time(&c, w * 100 + 42);
		cr_assert(ratelimiter_allow(rl, a) && ratelimiter_allow(rl, b),
			  "window %d: the first request of two new users was refused", w);
		if (w == 20)
			early = mem_live_bytes();
	}
	late = mem_live_bytes();
	cr_assert_leq(late - early, 2048, "two users in each of 4000 windows: the limiter held %ld "
		      "bytes more in window 3999 than in window 20 (%ld then, %ld now); it should "
		      "hold what two users need, however long it runs", late - early, early, late);
	ratelimiter_free(rl);
}

/* ratelimiter_free releases everything: entries of the current window, the table, the limiter. */
Test(memory, free_releases_everything)
{
	struct fake_clock c = { 0 };
	long base = mem_live_blocks();
	ratelimiter_t *rl = new_limiter(2, 100, &c);

	make_names();
	for (int i = 0; i < 100; i++)
		ratelimiter_allow(rl, names[i]);
	set_time(&c, 100);
	for (int i = 100; i < 150; i++)
		ratelimiter_allow(rl, names[i]);
	ratelimiter_free(rl);
	cr_assert_eq(mem_live_blocks(), base, "a limiter that saw 150 users in 2 windows, then "
		     "ratelimiter_free: %ld block(s) still allocated (the entries of the last window? "
		     "the table?)", mem_live_blocks() - base);
}

/*
 * Rule 6: when memory runs out the request is refused, never let through
 * uncounted; and the limiter still works once memory is back.
 */
Test(memory, allocation_failure_refuses)
{
	struct fake_clock c = { 0 };
	ratelimiter_t *rl = new_limiter(2, 100, &c);
	long left;
	bool got;

	cr_assert(ratelimiter_allow(rl, "known"), "first request of \"known\": expected allowed, got refused");
	mem_fail_at(1, true);
	got = ratelimiter_allow(rl, "stranger");
	mem_fail_at(0, false);
	cr_assert_not(got, "first request of a new user while every allocation fails: expected "
		      "refused, got allowed");
	cr_assert_eq(allowed_of(rl, "stranger", 3), 2, "memory back, 3 requests by a user whose first "
		     "request was refused for want of memory (limit 2): expected 2 allowed");
	ratelimiter_free(rl);
	/*
	 * Only the 1st, 2nd or 3rd allocation of a new user's request fails,
	 * the first time with a few users known, then with many (a table that
	 * grows): what the request got before the failure must be freed.
	 */
	make_names();
	for (int users = 1; users <= 64; users *= 4) {
		/* k = 0: no failure, what the same life leaves anyway (free_releases_everything's business). */
		long normal = 0;

		for (int k = 0; k <= 3; k++) {
			long start = mem_live_blocks();

			rl = new_limiter(2, 100, &c);
			for (int i = 0; i < users; i++)
				ratelimiter_allow(rl, names[i]);
			mem_fail_at(k, false);
			ratelimiter_allow(rl, "stranger");
			mem_fail_at(0, false);
			ratelimiter_free(rl);
			left = mem_live_blocks() - start;
			if (!k)
				normal = left;
			cr_assert_leq(left, normal, "leaked %ld block(s): a new user's request after %d others, "
				      "in which allocation number %d failed (is what the request allocated "
				      "before the failure freed?)", left - normal, users, k);
		}
	}
}

/* ---- many threads ---- */

#define NTHREADS 4
#define ROUNDS 300
#define LIMIT 5
#define WINDOW 1000

/*
 * Worker threads live for the whole test; each round the main thread sets
 * the clock to a fresh window, lines the workers up on `start` so their
 * requests overlap, and reads their counts after `done`.
 */
struct rounds {
	ratelimiter_t *rl;
	struct fake_clock clock;
	pthread_barrier_t start, done;
	void (*round)(struct rounds *r, int id);
	int allowed[NTHREADS];	/* this round's count of each worker */
	int shared[NTHREADS];	/* requests for the shared user allowed */
};

struct worker {
	struct rounds *r;
	int id;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < ROUNDS; i++) {
		pthread_barrier_wait(&w->r->start);
		w->r->round(w->r, w->id);
		pthread_barrier_wait(&w->r->done);
	}
	return NULL;
}

static void rounds_start(struct rounds *r, pthread_t *tids, struct worker *ws)
{
	r->rl = new_limiter(LIMIT, WINDOW, &r->clock);
	cr_assert_eq(pthread_barrier_init(&r->start, NULL, NTHREADS + 1), 0);
	cr_assert_eq(pthread_barrier_init(&r->done, NULL, NTHREADS + 1), 0);
	for (int i = 0; i < NTHREADS; i++) {
		ws[i].r = r;
		ws[i].id = i;
		cr_assert_eq(pthread_create(&tids[i], NULL, worker_main, &ws[i]), 0);
	}
}

static void rounds_finish(struct rounds *r, pthread_t *tids)
{
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(tids[i], NULL);
	pthread_barrier_destroy(&r->start);
	pthread_barrier_destroy(&r->done);
	ratelimiter_free(r->rl);
}

static void one_user_round(struct rounds *r, int id)
{
	r->allowed[id] = allowed_of(r->rl, "shared", 4);
}

Test(concurrent, exactly_limit_one_user)
{
	static struct rounds r;
	pthread_t tids[NTHREADS];
	struct worker ws[NTHREADS];
	int bad = 0, first = -1, first_got = 0;

	r.round = one_user_round;
	rounds_start(&r, tids, ws);
	for (int i = 0; i < ROUNDS; i++) {
		int total = 0;

		set_time(&r.clock, (long long)i * WINDOW);
		pthread_barrier_wait(&r.start);
		pthread_barrier_wait(&r.done);
		for (int t = 0; t < NTHREADS; t++)
			total += r.allowed[t];
		if (total != LIMIT) {
			if (first < 0) {
				first = i;
				first_got = total;
			}
			bad++;
		}
	}
	rounds_finish(&r, tids);
	cr_assert_eq(bad, 0, "%d threads x 4 requests by one user in a fresh window (limit %d): "
		     "expected exactly %d allowed in all %d rounds, got a different count in %d "
		     "rounds (first: round %d allowed %d)",
		     NTHREADS, LIMIT, LIMIT, ROUNDS, bad, first, first_got);
}

static const char *const own_users[NTHREADS] = { "ann", "ben", "cat", "dan" };

/* Eight requests for the thread's own user, two of them followed by one for "shared". */
static void many_users_round(struct rounds *r, int id)
{
	r->allowed[id] = 0;
	r->shared[id] = 0;
	for (int j = 0; j < 8; j++) {
		r->allowed[id] += ratelimiter_allow(r->rl, own_users[id]);
		if (j % 4 == 0)
			r->shared[id] += ratelimiter_allow(r->rl, "shared");
	}
}

Test(concurrent, users_independent)
{
	static struct rounds r;
	pthread_t tids[NTHREADS];
	struct worker ws[NTHREADS];
	int bad_own = 0, bad_shared = 0;
	char what[160] = "";

	r.round = many_users_round;
	rounds_start(&r, tids, ws);
	for (int i = 0; i < ROUNDS; i++) {
		int shared = 0;

		set_time(&r.clock, (long long)i * WINDOW);
		pthread_barrier_wait(&r.start);
		pthread_barrier_wait(&r.done);
		for (int t = 0; t < NTHREADS; t++) {
			shared += r.shared[t];
			if (r.allowed[t] != LIMIT && !bad_own++ && !bad_shared)
				snprintf(what, sizeof(what), "round %d: %s had %d of 8 allowed",
					 i, own_users[t], r.allowed[t]);
		}
		if (shared != LIMIT && !bad_shared++ && !bad_own)
			snprintf(what, sizeof(what), "round %d: shared had %d of 8 allowed", i, shared);
	}
	rounds_finish(&r, tids);
	cr_assert(bad_own == 0 && bad_shared == 0,
		  "%d threads, each 8 requests for its own user and 2 for a shared one, in a fresh "
		  "window (limit %d): expected exactly %d allowed for every user in all %d rounds, got "
		  "wrong counts for own users %d times and for the shared user in %d rounds (first: %s)",
		  NTHREADS, LIMIT, LIMIT, ROUNDS, bad_own, bad_shared, what);
}
