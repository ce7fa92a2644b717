/* Criterion tests of stage 06-cache: edges the main tests do not reach: capacity 0, keys compared whole, what a waiter finds when it wakes. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "perturb.h"

/* ---- a loader that says whose value it is, and can hold one key's load ---- */

struct loader {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	const char *slow_key;	/* a load of exactly this key waits for 'open' */
	int entered;		/* the slow load has started */
	int open;
	int calls;		/* loads of any key */
};

static void loader_init(struct loader *l, const char *slow_key)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->changed, NULL);
	l->slow_key = slow_key;
}

static void loader_destroy(struct loader *l)
{
	pthread_cond_destroy(&l->changed);
	pthread_mutex_destroy(&l->lock);
}

/* "v:" and the key. */
static char *key_load(const char *key, void *ctx)
{
	struct loader *l = ctx;
	char *v = malloc(strlen(key) + 3);

	pthread_mutex_lock(&l->lock);
	l->calls++;
	if (l->slow_key && !strcmp(key, l->slow_key)) {
		l->entered = 1;
		pthread_cond_broadcast(&l->changed);
		while (!l->open)
			pthread_cond_wait(&l->changed, &l->lock);
	}
	pthread_mutex_unlock(&l->lock);
	if (v) {
		strcpy(v, "v:");
		strcat(v, key);
	}
	return v;
}

static int loader_calls(struct loader *l)
{
	int n;

	pthread_mutex_lock(&l->lock);
	n = l->calls;
	pthread_mutex_unlock(&l->lock);
	return n;
}

/* True if got is "v:" and key: the value the loader made for that very key. */
static bool is_value_of(const char *got, const char *key)
{
	return got && !strncmp(got, "v:", 2) && !strcmp(got + 2, key);
}

static char *key_of(size_t len, char fill, char last)
{
	char *s = malloc(len + 1);

	cr_assert_not_null(s, "malloc failed");
	memset(s, fill, len - 1);
	s[len - 1] = last;
	s[len] = '\0';
	return s;
}

/* ---- capacity 0 ---- */

Test(basic, capacity_zero)
{
	struct loader l;
	cache_t *cache;

	loader_init(&l, NULL);
	cache = cache_new(0, key_load, &l);
	cr_expect_null(cache, "cache_new(0, loader, ctx): expected NULL (the header: a cache of "
		       "capacity 0 is refused), got a cache");
	if (cache)
		cache_free(cache);
	loader_destroy(&l);
}

/* ---- keys compared whole ---- */

#define NKEYS 12

/* Keys that are prefixes of each other, and long keys that differ only in their last character. */
static void make_keys(char *keys[NKEYS])
{
	static const size_t lens[] = { 31, 31, 33, 33, 10000, 10000 };

	for (int i = 0; i < 6; i++)
		keys[i] = key_of((size_t)i + 1, 'p', 'p');
	for (int i = 0; i < 6; i++)
		keys[6 + i] = key_of(lens[i], 'k', i % 2 ? 'y' : 'x');
}

static void get_all(cache_t *cache, char *keys[NKEYS], int from, int step, const char *order)
{
	for (int n = 0, i = from; n < NKEYS; n++, i += step) {
		char *got = cache_get(cache, keys[i]);

		cr_expect(is_value_of(got, keys[i]), "%s, cache_get of a key of %zu characters: got the "
			  "value of %s (are keys compared only up to some length, or to the shorter "
			  "one's length?)", order, strlen(keys[i]),
			  got ? (strlen(got) > 2 ? "a different key" : "an empty key") : "NULL");
		free(got);
	}
}

Test(basic, keys_compared_whole)
{
	char *keys[NKEYS];

	make_keys(keys);
	for (int dir = 0; dir < 2; dir++) {
		const char *order = dir ? "longest keys first" : "shortest keys first";
		struct loader l;
		cache_t *cache;

		loader_init(&l, NULL);
		cache = cache_new(2 * NKEYS, key_load, &l);
		cr_assert_not_null(cache, "cache_new(%d, loader, ctx) returned NULL", 2 * NKEYS);
		get_all(cache, keys, dir ? NKEYS - 1 : 0, dir ? -1 : 1, order);
		cr_expect_eq(loader_calls(&l), NKEYS, "%s, %d different keys (prefixes of each other, "
			     "long ones differing in their last character): expected %d loads, got %d",
			     order, NKEYS, NKEYS, loader_calls(&l));
		get_all(cache, keys, dir ? NKEYS - 1 : 0, dir ? -1 : 1, order);
		cr_expect_eq(loader_calls(&l), NKEYS, "%s, the same %d keys again, all cached: expected no "
			     "new load, got %d", order, NKEYS, loader_calls(&l) - NKEYS);
		cache_free(cache);
		loader_destroy(&l);
	}
	for (int i = 0; i < NKEYS; i++)
		free(keys[i]);
}

/* ---- keys in flight compared whole ---- */

struct slow_get {
	cache_t *cache;
	const char *key;
	char *value;
};

static void *slow_get_run(void *arg)
{
	struct slow_get *s = arg;

	s->value = cache_get(s->cache, s->key);
	return NULL;
}

/* Starts a thread getting `key`, whose load the loader holds, and returns once that load has begun. */
static void start_held_load(struct loader *l, cache_t *cache, const char *key, struct slow_get *slow,
			    pthread_t *tid)
{
	*slow = (struct slow_get){ .cache = cache, .key = key };
	cr_assert_eq(pthread_create(tid, NULL, slow_get_run, slow), 0, "pthread_create failed");
	pthread_mutex_lock(&l->lock);
	while (!l->entered)
		pthread_cond_wait(&l->changed, &l->lock);
	pthread_mutex_unlock(&l->lock);
}

/* Lets the held load return. */
static void release(struct loader *l)
{
	pthread_mutex_lock(&l->lock);
	l->open = 1;
	pthread_cond_broadcast(&l->changed);
	pthread_mutex_unlock(&l->lock);
}


/*
 * While the load of one key is held, a get of a key that is a prefix of
 * it (or that it is a prefix of) is a different key: it loads its own
 * value at once.  Code that joins the held load instead waits for a load
 * nobody will release, and the test's time limit ends it.
 */
Test(single_flight, prefix_keys_in_flight, .timeout = 10)
{
	char *longa = key_of(40, 'k', 'a'), *longb = key_of(40, 'k', 'b');
	const char *pairs[][2] = {
		{ "ab", "abc" }, { "abc", "ab" }, { "a", "ab" }, { longa, longb }, { longb, longa },
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct slow_get slow;
		struct loader l;
		pthread_t tid;
		cache_t *cache;
		char *got;

		loader_init(&l, pairs[i][0]);
		cache = cache_new(4, key_load, &l);
		cr_assert_not_null(cache, "cache_new(4, loader, ctx) returned NULL");
		start_held_load(&l, cache, pairs[i][0], &slow, &tid);

		got = cache_get(cache, pairs[i][1]);
		cr_expect(is_value_of(got, pairs[i][1]), "while the load of a key of %zu characters was "
			  "held, cache_get of a different key of %zu characters: expected its own value, "
			  "got %s", strlen(pairs[i][0]), strlen(pairs[i][1]), got ? "another" : "NULL");
		free(got);

		release(&l);
		pthread_join(tid, NULL);
		cr_expect(is_value_of(slow.value, pairs[i][0]), "the held load of a key of %zu characters, "
			  "once released: expected its own value, got %s", strlen(pairs[i][0]),
			  slow.value ? "another" : "NULL");
		free(slow.value);
		cache_free(cache);
		loader_destroy(&l);
	}
	free(longa);
	free(longb);
}

/* ---- waiters take the flight's result, not the cached entry ---- */

#define WAITERS 3

/*
 * A waiter asleep in pthread_cond_wait is sent SIGUSR1; its handler says it
 * is in, then blocks until the test lets it go.  Meanwhile the load ends
 * (broadcast) and another get evicts the key; only then do the waiters go
 * back to their wait, find it signalled and take their copy.  No timing:
 * the order is forced.
 */
static sem_t held_in, held_go;

static void hold_handler(int sig)
{
	int saved = errno;

	(void)sig;
	sem_post(&held_in);
	while (sem_wait(&held_go) && errno == EINTR)
		;
	errno = saved;
}

Test(single_flight, waiters_copy_the_flight, .timeout = 10)
{
	struct sigaction sa = { .sa_handler = hold_handler };
	struct slow_get slow, waiters[WAITERS];
	pthread_t slow_tid, tids[WAITERS];
	struct loader l;
	cache_t *cache;
	char *got;

	sem_init(&held_in, 0, 0);
	sem_init(&held_go, 0, 0);
	sigemptyset(&sa.sa_mask);
	cr_assert_eq(sigaction(SIGUSR1, &sa, NULL), 0, "sigaction failed");
	loader_init(&l, "A");
	cache = cache_new(1, key_load, &l);
	cr_assert_not_null(cache, "cache_new(1, loader, ctx) returned NULL");
	start_held_load(&l, cache, "A", &slow, &slow_tid);
	for (int i = 0; i < WAITERS; i++) {
		waiters[i] = (struct slow_get){ .cache = cache, .key = "A" };
		cr_assert_eq(pthread_create(&tids[i], NULL, slow_get_run, &waiters[i]), 0,
			     "pthread_create failed");
	}
	/*
	 * All of them asleep on the flight (the slow load waits on a condition
	 * variable too: one more), then each held in its signal handler.  A
	 * waiter is counted just before its wait lets go of the cache lock: a
	 * get of another key, which looks it up under that lock, returns once
	 * they all have.
	 */
	perturb_await_cond_waiters(WAITERS + 1);
	got = cache_get(cache, "C");
	cr_expect(is_value_of(got, "C"), "cache_get('C') while A loads: expected its value");
	free(got);
	for (int i = 0; i < WAITERS; i++)
		pthread_kill(tids[i], SIGUSR1);
	for (int i = 0; i < WAITERS; i++)
		while (sem_wait(&held_in) && errno == EINTR)
			;

	/* The load of A ends, and B evicts A from the cache of one. */
	release(&l);
	pthread_join(slow_tid, NULL);
	got = cache_get(cache, "B");
	cr_expect(is_value_of(got, "B"), "cache_get('B') while A's waiters were held: expected its value");
	free(got);

	for (int i = 0; i < WAITERS; i++)
		sem_post(&held_go);
	for (int i = 0; i < WAITERS; i++) {
		pthread_join(tids[i], NULL);
		cr_expect(is_value_of(waiters[i].value, "A"), "capacity 1: %d threads waited for the load "
			  "of A; it ended, then a get of B evicted A before the waiters woke up: waiter %d "
			  "got %s, expected A's value (take the result from the flight, not from the "
			  "cached entry: it may be gone by the time a waiter wakes)", WAITERS, i + 1,
			  waiters[i].value ? "another value" : "NULL");
		free(waiters[i].value);
	}
	cr_expect(is_value_of(slow.value, "A"), "the thread that loaded A: expected A's value");
	free(slow.value);
	cache_free(cache);
	loader_destroy(&l);
	sem_destroy(&held_in);
	sem_destroy(&held_go);
}

/* ---- the result is cached by the time anybody has it ---- */

#define CACHED_ROUNDS 200

struct again_get {
	cache_t *cache;
	char *value, *again;
};

/* A waiter that, as soon as it has the value, asks for it again: a hit. */
static void *again_get_run(void *arg)
{
	struct again_get *a = arg;

	a->value = cache_get(a->cache, "A");
	a->again = cache_get(a->cache, "A");
	return NULL;
}

/*
 * The load's result goes into the cache in the same critical section that
 * ends the flight: a waiter that got the value and asks again at once must
 * hit.  Code that ends the flight, unlocks, then locks again to insert
 * leaves a gap with neither flight nor entry, and the waiter's second get
 * loads again; the kit's scheduler nudges (after each unlock) put the
 * waiter in that gap in some of the rounds.
 */
Test(single_flight, result_cached_when_handed_out, .timeout = 20)
{
	int reloads = 0, first = 0;

	for (int round = 1; round <= CACHED_ROUNDS; round++) {
		struct slow_get slow;
		struct again_get waiter;
		pthread_t slow_tid, waiter_tid;
		struct loader l;
		cache_t *cache;

		loader_init(&l, "A");
		cache = cache_new(4, key_load, &l);
		cr_assert_not_null(cache, "cache_new(4, loader, ctx) returned NULL");
		start_held_load(&l, cache, "A", &slow, &slow_tid);
		waiter = (struct again_get){ .cache = cache };
		cr_assert_eq(pthread_create(&waiter_tid, NULL, again_get_run, &waiter), 0,
			     "pthread_create failed");
		/* The held load and the waiter on its flight. */
		perturb_await_cond_waiters(2);
		release(&l);
		pthread_join(slow_tid, NULL);
		pthread_join(waiter_tid, NULL);
		cr_assert(is_value_of(slow.value, "A") && is_value_of(waiter.value, "A") &&
			  is_value_of(waiter.again, "A"), "round %d: a load of A and a waiter on it, "
			  "then the waiter's second get: expected A's value three times", round);
		if (loader_calls(&l) != 1 && !reloads++)
			first = round;
		free(slow.value);
		free(waiter.value);
		free(waiter.again);
		cache_free(cache);
		loader_destroy(&l);
	}
	cr_expect_eq(reloads, 0, "%d rounds of: a load of A with one waiter, then the waiter gets A "
		     "again at once: in %d round(s) (the first: %d) that second get loaded A again "
		     "(store the result in the cache in the same critical section that marks the load "
		     "finished: a thread that has the value must find it cached)", CACHED_ROUNDS,
		     reloads, first);
}
