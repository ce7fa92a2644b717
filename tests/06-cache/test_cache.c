/* Criterion tests of stage 06-cache: hits, copies, LRU order, single-flight loads. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "faults_mem.h"
#include "perturb.h"

/* ---- messages ---- */

#define SHOW_MAX 208		/* 40 bytes as <xx>, quotes, NUL */

/*
 * Writes a string that cache_get returned into 'buf' for a message: in
 * single quotes, cut at 40 bytes, or NULL.  A wrong cache may return freed
 * memory; the message ends up in Criterion's JSON report, which does not
 * escape what it is given, so bytes outside printable ASCII, double quotes
 * and backslashes are written as <xx> in hex.
 */
static const char *show(const char *s, char buf[SHOW_MAX])
{
	size_t n = 0;

	if (!s)
		return "NULL";
	buf[n++] = '\'';
	for (int i = 0; i < 40 && s[i]; i++) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			buf[n++] = c;
		else
			n += snprintf(buf + n, SHOW_MAX - n, "<%02x>", c);
	}
	buf[n++] = '\'';
	buf[n] = '\0';
	return buf;
}

/* ---- a loader that counts its calls ---- */

/*
 * Loads "value of KEY" for any key, and NULL for keys starting with '!'.
 * Calls are counted per key by the key's first character, so the tests use
 * one-letter keys.
 */
struct tally {
	pthread_mutex_t lock;	/* the loader may run in several threads */
	int calls[128];
};

static char *tally_load(const char *key, void *ctx)
{
	struct tally *t = ctx;
	char buf[64];

	pthread_mutex_lock(&t->lock);
	t->calls[(unsigned char)key[0] & 127]++;
	pthread_mutex_unlock(&t->lock);
	if (key[0] == '!')
		return NULL;
	snprintf(buf, sizeof(buf), "value of %s", key);
	return strdup(buf);
}

static int calls(struct tally *t, char key)
{
	int n;

	pthread_mutex_lock(&t->lock);
	n = t->calls[(unsigned char)key & 127];
	pthread_mutex_unlock(&t->lock);
	return n;
}

static cache_t *new_tally_cache(size_t capacity, struct tally *t)
{
	cache_t *cache;

	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	cache = cache_new(capacity, tally_load, t);
	cr_assert_not_null(cache, "cache_new(%zu, loader, ctx) returned NULL", capacity);
	return cache;
}

/* Gets 'key', checks the value is "value of KEY", and frees it. */
static void get_expect(cache_t *cache, const char *key)
{
	char want[64], shown[SHOW_MAX];
	char *got = cache_get(cache, key);

	snprintf(want, sizeof(want), "value of %s", key);
	cr_assert(got && !strcmp(got, want), "cache_get('%s'): expected '%s', got %s",
		key, want, show(got, shown));
	free(got);
}

/* ---- basic: one thread ---- */

/* A loader that asks the cache it loads for its size: it runs unlocked, or this deadlocks. */
static char *size_asking_load(const char *key, void *ctx)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%zu", cache_size(*(cache_t **)ctx));
	(void)key;
	return strdup(buf);
}

Test(basic, loader_may_use_the_cache)
{
	cache_t *cache = NULL;
	char *got;

	cache = cache_new(4, size_asking_load, &cache);
	cr_assert_not_null(cache, "cache_new(4, loader, ctx) returned NULL");
	got = cache_get(cache, "a");
	cr_assert(got && !strcmp(got, "0"),
		"a loader that calls cache_size on its own cache: expected \"0\", got %s",
		got ? got : "NULL");
	free(got);
	cache_free(cache);
}


Test(basic, hit_calls_loader_once)
{
	struct tally t;
	cache_t *cache = new_tally_cache(4, &t);

	get_expect(cache, "a");
	get_expect(cache, "a");
	cr_assert_eq(calls(&t, 'a'), 1,
		"loader calls for 'a' after two gets: expected 1 (the second get is a hit), got %d",
		calls(&t, 'a'));
	cache_free(cache);
}

Test(basic, keys_are_copied)
{
	struct tally t;
	cache_t *cache = new_tally_cache(4, &t);
	char key[8] = "a";

	get_expect(cache, key);
	/* The caller's buffer changes: the cache must have kept its own copy. */
	strcpy(key, "z");
	get_expect(cache, "a");
	cr_assert_eq(calls(&t, 'a'), 1,
		"get('a'), caller's key buffer overwritten, get('a'): expected 1 loader call "
		"for 'a' (the cache keeps a copy of the key), got %d", calls(&t, 'a'));
	cache_free(cache);
}

Test(basic, returns_a_copy)
{
	struct tally t;
	cache_t *cache = new_tally_cache(1, &t);
	char *mine, *kept;
	char shown[SHOW_MAX];

	get_expect(cache, "a");
	mine = cache_get(cache, "a");
	cr_assert_not_null(mine, "cache_get('a') on a hit: expected 'value of a', got NULL");
	memset(mine, 'X', strlen(mine));
	kept = cache_get(cache, "a");
	cr_assert(kept && !strcmp(kept, "value of a"),
		"the caller overwrote the string a hit returned, then got 'a' again: expected "
		"'value of a' (each get returns a copy), got %s", show(kept, shown));
	free(mine);

	/* Capacity 1: getting "b" evicts "a", whose copy must stay the caller's. */
	get_expect(cache, "b");
	cr_assert(!strcmp(kept, "value of a"),
		"a value returned by cache_get, after its entry was evicted: expected "
		"'value of a', got %s", show(kept, shown));
	free(kept);
	cache_free(cache);
}

Test(basic, null_not_cached)
{
	struct tally t;
	cache_t *cache = new_tally_cache(4, &t);
	char *got;
	char shown[SHOW_MAX];

	for (int i = 1; i <= 2; i++) {
		got = cache_get(cache, "!gone");
		cr_assert_null(got, "get %d of '!gone' (the loader returns NULL): expected NULL, got %s",
			i, show(got, shown));
		cr_assert_eq(calls(&t, '!'), i,
			"loader calls after get %d of '!gone': expected %d (a NULL is not cached), got %d",
			i, i, calls(&t, '!'));
	}
	cr_assert_eq(cache_size(cache), 0,
		"cache_size after two gets that loaded NULL: expected 0, got %zu", cache_size(cache));
	cache_free(cache);
}

Test(basic, size)
{
	struct tally t;
	cache_t *cache = new_tally_cache(3, &t);

	cr_assert_eq(cache_size(cache), 0, "cache_size of a new cache: expected 0, got %zu",
		cache_size(cache));
	get_expect(cache, "a");
	get_expect(cache, "b");
	cr_assert_eq(cache_size(cache), 2, "cache_size after getting a, b: expected 2, got %zu",
		cache_size(cache));
	get_expect(cache, "a");
	cr_assert_eq(cache_size(cache), 2, "cache_size after getting a, b, a: expected 2, got %zu",
		cache_size(cache));
	get_expect(cache, "c");
	get_expect(cache, "d");
	get_expect(cache, "e");
	cr_assert_eq(cache_size(cache), 3,
		"cache_size (capacity 3) after getting a, b, a, c, d, e: expected 3, got %zu",
		cache_size(cache));
	cache_free(cache);
}

/* ---- lru: which entry goes ---- */

/*
 * Capacity 3.  Each step gets a key and then checks how many times the
 * loader has run for it: one more than before means the key had been
 * evicted.  The comments show the cache from least to most recently used.
 */
Test(lru, evicts_least_recent)
{
	static const struct {
		const char *key;
		int loads;
	} steps[] = {
		{ "a", 1 }, { "b", 1 }, { "c", 1 },	/* a b c */
		{ "d", 1 },				/* b c d: a evicted */
		{ "c", 1 },				/* b d c */
		{ "d", 1 },				/* b c d */
		{ "a", 2 },				/* c d a: b evicted */
		{ "b", 2 },				/* d a b: c evicted */
		{ "d", 1 },				/* a b d */
		{ "c", 2 },				/* b d c: a evicted */
		{ "b", 2 },				/* d c b */
		{ "a", 3 },				/* c b a: d evicted */
	};
	const char *seq = "a b c d c d a b d c b a";
	struct tally t;
	cache_t *cache = new_tally_cache(3, &t);

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		get_expect(cache, steps[i].key);
		cr_assert_eq(calls(&t, steps[i].key[0]), steps[i].loads,
			"capacity 3, gets %s: at get %zu ('%s') expected %d loads of '%s' so far, got %d",
			seq, i + 1, steps[i].key, steps[i].loads, steps[i].key,
			calls(&t, steps[i].key[0]));
	}
	cache_free(cache);
}

Test(lru, hit_counts_as_use)
{
	struct tally t;
	cache_t *cache = new_tally_cache(3, &t);

	get_expect(cache, "a");
	get_expect(cache, "b");
	get_expect(cache, "c");
	get_expect(cache, "a");		/* a hit: now b is the least recently used */
	get_expect(cache, "d");		/* evicts b */
	get_expect(cache, "a");
	get_expect(cache, "c");
	get_expect(cache, "d");
	cr_assert_eq(calls(&t, 'a'), 1,
		"capacity 3, gets a b c a d a: expected 'a' loaded once (the hit on 'a' made "
		"'b' the least recently used, so d evicts b), got %d loads", calls(&t, 'a'));
	cr_assert_eq(calls(&t, 'c') + calls(&t, 'd'), 2,
		"capacity 3, gets a b c a d a c d: expected 'c' and 'd' loaded once each, "
		"got %d and %d", calls(&t, 'c'), calls(&t, 'd'));
	get_expect(cache, "b");
	cr_assert_eq(calls(&t, 'b'), 2,
		"capacity 3, gets a b c a d ... b: expected 'b' loaded twice (d evicted it), got %d",
		calls(&t, 'b'));
	cache_free(cache);
}

/* ---- single_flight: a loader that waits for the test ---- */

/*
 * Loads of 'slow_key' wait until the test opens the gate, and return
 * "load #N of KEY" (N counts the slow loads) or NULL.  Other keys load at
 * once as "value of KEY".  'arrived' counts test threads about to call
 * cache_get, so the test knows when to open the gate.
 *
 * A thread counted in 'arrived' may still be on its way into cache_get when
 * the gate opens, and then it may load again, legitimately, if the first
 * load returned NULL.  But while the gate is closed the first load has not
 * returned, so with single-flight no second load of the key can start:
 * 'early' must be 1.
 */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	const char *slow_key;
	int return_null;
	int entered;		/* slow loads started */
	int early;		/* of those, started before the gate opened */
	int open;
	int arrived;
	int fast_calls[128];	/* other loads, by the key's first character */
};

static void gate_init(struct gate *g, const char *slow_key, int return_null)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->changed, NULL);
	g->slow_key = slow_key;
	g->return_null = return_null;
}

static void gate_destroy(struct gate *g)
{
	pthread_cond_destroy(&g->changed);
	pthread_mutex_destroy(&g->lock);
}

static char *gate_load(const char *key, void *ctx)
{
	struct gate *g = ctx;
	char buf[64];
	int n;

	pthread_mutex_lock(&g->lock);
	if (strcmp(key, g->slow_key)) {
		g->fast_calls[(unsigned char)key[0] & 127]++;
		pthread_mutex_unlock(&g->lock);
		snprintf(buf, sizeof(buf), "value of %s", key);
		return strdup(buf);
	}
	n = ++g->entered;
	if (!g->open)
		g->early++;
	pthread_cond_broadcast(&g->changed);
	while (!g->open)
		pthread_cond_wait(&g->changed, &g->lock);
	pthread_mutex_unlock(&g->lock);
	if (g->return_null)
		return NULL;
	snprintf(buf, sizeof(buf), "load #%d of %s", n, key);
	return strdup(buf);
}

static int gate_read(struct gate *g, int *field)
{
	int v;

	pthread_mutex_lock(&g->lock);
	v = *field;
	pthread_mutex_unlock(&g->lock);
	return v;
}

/* Blocks until the slow load has started and 'arrived' test threads are in. */
static void gate_wait(struct gate *g, int arrived)
{
	pthread_mutex_lock(&g->lock);
	while (g->entered == 0 || g->arrived < arrived)
		pthread_cond_wait(&g->changed, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->open = 1;
	pthread_cond_broadcast(&g->changed);
	pthread_mutex_unlock(&g->lock);
}

struct getter {
	pthread_t tid;
	cache_t *cache;
	struct gate *gate;
	const char *key;
	char *value;
};

static void *getter_run(void *arg)
{
	struct getter *a = arg;

	pthread_mutex_lock(&a->gate->lock);
	a->gate->arrived++;
	pthread_cond_broadcast(&a->gate->changed);
	pthread_mutex_unlock(&a->gate->lock);
	a->value = cache_get(a->cache, a->key);
	return NULL;
}

#define FLIGHT_THREADS 8

/*
 * FLIGHT_THREADS threads get the slow key of a fresh cache; the gate opens
 * once the load has started and every thread is on its way into cache_get.
 * With `asleep`, only once the other threads also sleep in a condition
 * wait, as the handout asks: threads that poll a flag instead (sched_yield
 * or nanosleep in a loop) never do, and the test runs out of time.
 */
static void flight_round(struct gate *g, cache_t *cache, struct getter *getters, bool asleep)
{
	for (int i = 0; i < FLIGHT_THREADS; i++) {
		getters[i] = (struct getter){ .cache = cache, .gate = g, .key = g->slow_key };
		cr_assert_eq(pthread_create(&getters[i].tid, NULL, getter_run, &getters[i]), 0,
			"pthread_create failed");
	}
	gate_wait(g, FLIGHT_THREADS);
	/* The loader waits at the gate, the others on the flight. */
	if (asleep)
		perturb_await_cond_waiters(FLIGHT_THREADS);
	gate_open(g);
	for (int i = 0; i < FLIGHT_THREADS; i++)
		pthread_join(getters[i].tid, NULL);
}

/*
 * The blocks a fresh cache holds, beyond what it held new, after one thread
 * alone got the gate's slow key (gate open, value freed): what 8 threads
 * sharing that load must leave too, once the flight is over.  Measured so
 * that a cache_free that leaks is no_leaks' business, not a flight's.
 */
static long blocks_after_one_load(int return_null)
{
	struct gate g;
	cache_t *cache;
	long before;

	gate_init(&g, "k", return_null);
	g.open = 1;
	cache = cache_new(4, gate_load, &g);
	cr_assert_not_null(cache, "cache_new(4, loader, ctx) returned NULL");
	before = mem_live_blocks();
	free(cache_get(cache, "k"));
	before = mem_live_blocks() - before;
	cache_free(cache);
	gate_destroy(&g);
	return before;
}

/*
 * 20 rounds of flight_round() on a fresh cache: one loader call, entered
 * once before the test let it return, and its value for every thread.
 * `how` says what else the round had, for the messages.  `strict` also
 * checks that the waiters sleep in a condition wait and that nothing is
 * left allocated after cache_free.
 */
static void one_load_rounds(const char *how, bool strict)
{
	long normal = strict ? blocks_after_one_load(0) : 0;

	for (int round = 1; round <= 20; round++) {
		struct getter getters[FLIGHT_THREADS];
		struct gate g;
		cache_t *cache;
		long base, left;

		gate_init(&g, "k", 0);
		cache = cache_new(4, gate_load, &g);
		cr_assert_not_null(cache, "cache_new(4, loader, ctx) returned NULL");
		base = mem_live_blocks();
		flight_round(&g, cache, getters, strict);
		cr_assert_eq(g.early, 1,
			"round %d%s: %d threads got the same missing key at once: expected the "
			"loader to be entered once before the test let that load return, got %d "
			"times", round, how, FLIGHT_THREADS, g.early);
		cr_assert_eq(g.entered, 1,
			"round %d%s: %d threads got the same missing key (capacity 4): expected 1 "
			"loader call in all, got %d", round, how, FLIGHT_THREADS, g.entered);
		for (int i = 0; i < FLIGHT_THREADS; i++) {
			char *got = getters[i].value;
			char shown[SHOW_MAX];

			cr_assert(got && !strcmp(got, "load #1 of k"),
				"round %d%s: thread %d of %d: expected 'load #1 of k' (the one load's "
				"value), got %s", round, how, i + 1, FLIGHT_THREADS, show(got, shown));
			free(got);
		}
		left = mem_live_blocks() - base - normal;
		cr_assert(!strict || left <= 0, "round %d%s: leaked %ld block(s): %d threads shared one "
			"load and took their copies, and the cache holds more than after one thread "
			"loaded the key alone (is the flight freed by the last thread out of it?)",
			round, how, left, FLIGHT_THREADS);
		cache_free(cache);
		gate_destroy(&g);
	}
}

Test(single_flight, loader_runs_once)
{
	one_load_rounds("", true);
}

/*
 * The same, with spurious wake-ups: a waiter's pthread_cond_wait may return
 * before the load is done.  Waiting must be `while (!done) wait`, never `if`.
 */
Test(single_flight, spurious_wakeups)
{
	perturb_spurious_wakeups(2);
	one_load_rounds(", with spurious wake-ups (pthread_cond_wait may return without a signal: "
			"wait in a while loop)", false);
	perturb_spurious_wakeups(0);
}

Test(single_flight, null_shared_not_cached)
{
	long normal = blocks_after_one_load(1);

	for (int round = 1; round <= 10; round++) {
		struct getter getters[FLIGHT_THREADS];
		struct gate g;
		cache_t *cache;
		char *again;
		int before;
		char shown[SHOW_MAX];

		long base, left;

		gate_init(&g, "k", 1);
		cache = cache_new(4, gate_load, &g);
		cr_assert_not_null(cache, "cache_new(4, loader, ctx) returned NULL");
		base = mem_live_blocks();
		flight_round(&g, cache, getters, false);
		cr_assert_eq(g.early, 1,
			"round %d: %d threads got the same missing key at once (the loader returns "
			"NULL): expected the loader to be entered once before the test let that "
			"load return, got %d times", round, FLIGHT_THREADS, g.early);
		for (int i = 0; i < FLIGHT_THREADS; i++)
			cr_assert_null(getters[i].value,
				"round %d: thread %d of %d: expected NULL (the loader's result), got %s",
				round, i + 1, FLIGHT_THREADS, show(getters[i].value, shown));
		before = g.entered;
		again = cache_get(cache, "k");
		cr_assert_null(again, "round %d: get after the flight: expected NULL, got %s",
			round, show(again, shown));
		cr_assert_eq(g.entered, before + 1,
			"round %d: get after loads that returned NULL: expected the loader to run "
			"again (NULL is not cached), so %d calls, got %d", round, before + 1, g.entered);
		cr_assert_eq(cache_size(cache), 0,
			"round %d: cache_size after loads that returned NULL: expected 0, got %zu",
			round, cache_size(cache));
		/* Nothing cached: whatever is left is a flight's. */
		left = mem_live_blocks() - base - normal;
		cr_assert_leq(left, 0, "round %d: leaked %ld block(s): %d threads shared one load that "
			"returned NULL, then one more get loaded NULL alone (is a flight that loaded NULL "
			"freed by the last thread out of it?)", round, left, FLIGHT_THREADS);
		cache_free(cache);
		gate_destroy(&g);
	}
}

/*
 * While the load of "A" waits at the gate, the test thread itself gets "B"
 * (a miss with a fast load) and "C" (a hit).  If either waits for "A", the
 * gate never opens and the test runs out of time.
 */
Test(single_flight, other_keys_not_blocked)
{
	for (int round = 1; round <= 3; round++) {
		struct getter slow;
		struct gate g;
		cache_t *cache;
		char shown[SHOW_MAX];

		gate_init(&g, "A", 0);
		cache = cache_new(4, gate_load, &g);
		cr_assert_not_null(cache, "cache_new(4, loader, ctx) returned NULL");
		get_expect(cache, "C");

		slow = (struct getter){ .cache = cache, .gate = &g, .key = "A" };
		cr_assert_eq(pthread_create(&slow.tid, NULL, getter_run, &slow), 0,
			"pthread_create failed");
		gate_wait(&g, 1);
		get_expect(cache, "B");
		get_expect(cache, "C");
		cr_assert_eq(gate_read(&g, &g.fast_calls['C']), 1,
			"round %d: 'C' was cached before the slow load of 'A' started: expected "
			"1 load of 'C', got %d", round, gate_read(&g, &g.fast_calls['C']));
		gate_open(&g);
		pthread_join(slow.tid, NULL);

		cr_assert(slow.value && !strcmp(slow.value, "load #1 of A"),
			"round %d: get('A'): expected 'load #1 of A', got %s", round,
			show(slow.value, shown));
		free(slow.value);
		cache_free(cache);
		gate_destroy(&g);
	}
}

/* ---- stress: many threads, few places ---- */

#define STRESS_THREADS 4
#define STRESS_ROUNDS 150
#define STRESS_GETS 12
#define STRESS_CAPACITY 3

struct stresser {
	pthread_t tid;
	int id;
	cache_t *cache;
	pthread_barrier_t *start;
	int wrong;		/* gets that returned a wrong value */
	char first_wrong[SHOW_MAX + 32];
	size_t max_size;	/* largest cache_size seen */
};

/*
 * Six keys in a cache of three: every round mixes hits, misses, evictions
 * and joined loads.  Worker threads only record what they see; the test's
 * own thread makes the assertions.
 */
static void *stresser_run(void *arg)
{
	struct stresser *s = arg;
	char key[2] = "a", want[32], shown[SHOW_MAX];

	for (int round = 0; round < STRESS_ROUNDS; round++) {
		pthread_barrier_wait(s->start);
		for (int i = 0; i < STRESS_GETS; i++) {
			char *got;
			size_t size;

			key[0] = 'a' + (round + i * (s->id + 1)) % 6;
			snprintf(want, sizeof(want), "value of %s", key);
			got = cache_get(s->cache, key);
			if ((!got || strcmp(got, want)) && !s->wrong++)
				snprintf(s->first_wrong, sizeof(s->first_wrong),
					"get('%s') returned %s", key, show(got, shown));
			free(got);
			size = cache_size(s->cache);
			if (size > s->max_size)
				s->max_size = size;
		}
	}
	return NULL;
}

Test(stress, overlapping_gets)
{
	struct stresser s[STRESS_THREADS];
	pthread_barrier_t start;
	struct tally t;
	cache_t *cache = new_tally_cache(STRESS_CAPACITY, &t);

	pthread_barrier_init(&start, NULL, STRESS_THREADS);
	for (int i = 0; i < STRESS_THREADS; i++) {
		s[i] = (struct stresser){ .id = i, .cache = cache, .start = &start };
		cr_assert_eq(pthread_create(&s[i].tid, NULL, stresser_run, &s[i]), 0,
			"pthread_create failed");
	}
	for (int i = 0; i < STRESS_THREADS; i++)
		pthread_join(s[i].tid, NULL);
	pthread_barrier_destroy(&start);

	for (int i = 0; i < STRESS_THREADS; i++) {
		cr_assert_eq(s[i].wrong, 0,
			"%d threads getting 6 keys from a cache of 3: thread %d had %d wrong values "
			"(expected 'value of KEY'), first: %s", STRESS_THREADS, i + 1, s[i].wrong,
			s[i].first_wrong);
		cr_assert_leq(s[i].max_size, STRESS_CAPACITY,
			"%d threads getting 6 keys from a cache of capacity %d: thread %d saw "
			"cache_size %zu, expected at most %d", STRESS_THREADS, STRESS_CAPACITY, i + 1,
			s[i].max_size, STRESS_CAPACITY);
	}
	cr_assert_eq(cache_size(cache), STRESS_CAPACITY,
		"cache_size after the threads ended: expected %d (full), got %zu", STRESS_CAPACITY,
		cache_size(cache));
	cache_free(cache);
}
