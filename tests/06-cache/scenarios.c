/* Detector scenarios of stage 06-cache: gets, evictions, joined loads and sizes at once. */
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "faults_mem.h"
#include "scenario.h"

/*
 * The loader is a pure function of the key: it touches no shared data, so
 * anything the detectors find is in the cache, not in the scenario.
 */
static char *load(const char *key, void *ctx)
{
	char buf[64];

	(void)ctx;
	snprintf(buf, sizeof(buf), "value of %s", key);
	return strdup(buf);
}

struct worker {
	cache_t *cache;
	int id;
};

static void run_workers(cache_t *cache, int n, void *(*fn)(void *))
{
	struct worker w[4];

	for (int i = 0; i < n; i++)
		w[i] = (struct worker){ .cache = cache, .id = i };
	scenario_threads(n, fn, w, sizeof(w[0]));
}

/* Six keys, capacity three: hits, misses and evictions overlap. */
static void *overlap_worker(void *arg)
{
	struct worker *w = arg;
	char key[2] = "a";

	for (int i = 0; i < 60; i++) {
		key[0] = 'a' + (i * (w->id + 1) + w->id) % 6;
		free(cache_get(w->cache, key));
	}
	return NULL;
}

static void overlapping_gets(void)
{
	cache_t *cache = cache_new(3, load, NULL);

	run_workers(cache, 4, overlap_worker);
	cache_free(cache);
}

/* Capacity one, two keys: nearly every get misses, and misses on one key meet. */
static void *same_key_worker(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 40; i++)
		free(cache_get(w->cache, (i / 2) % 2 ? "x" : "y"));
	return NULL;
}

static void same_key_misses(void)
{
	cache_t *cache = cache_new(1, load, NULL);

	run_workers(cache, 4, same_key_worker);
	cache_free(cache);
}

/* Three threads get while a fourth keeps asking for the size. */
static void *size_worker(void *arg)
{
	struct worker *w = arg;
	char key[2] = "a";

	if (w->id == 0) {
		for (int i = 0; i < 120; i++)
			(void)cache_size(w->cache);
		return NULL;
	}
	for (int i = 0; i < 40; i++) {
		key[0] = 'a' + (i + w->id) % 4;
		free(cache_get(w->cache, key));
	}
	return NULL;
}

static void size_while_getting(void)
{
	cache_t *cache = cache_new(2, load, NULL);

	run_workers(cache, 4, size_worker);
	cache_free(cache);
}

/*
 * A slow load with waiters: the loader of "slow" does not return until the
 * three other threads are on their way into cache_get for the same key
 * (whichever thread loads: the others always come),
 * and then lets them run (yields) before it does, so that they find the
 * flight unfinished and wait on it.  Everything a waiter reads of the
 * flight, and every write of the loading thread, then happens while the
 * others are there.  Twice, so that a flight left behind is used again.
 */
static atomic_int coming;

static char *slow_load(const char *key, void *ctx)
{
	bool missing = !strcmp(key, "missing");
	char *value;

	(void)ctx;
	if (missing || !strcmp(key, "slow") || !strcmp(key, "oom")) {
		while (atomic_load(&coming) < 3)
			sched_yield();
		for (int i = 0; i < 200; i++)
			sched_yield();
	}
	/* "missing" does not exist: the waiters get the loader's NULL */
	if (missing)
		return NULL;
	value = load(key, NULL);
	/* From the moment "oom" is loaded, memory has run out. */
	if (!strcmp(key, "oom"))
		mem_fail_at(1, true);
	return value;
}

static void *slow_worker(void *arg)
{
	struct worker *w = arg;

	for (int round = 0; round < 2; round++) {
		if (w->id == 0) {
			free(cache_get(w->cache, "slow"));
			continue;
		}
		atomic_fetch_add(&coming, 1);
		free(cache_get(w->cache, "slow"));
		free(cache_get(w->cache, w->id % 2 ? "other" : "slow"));
	}
	return NULL;
}

static void waiters_during_slow_load(void)
{
	cache_t *cache = cache_new(1, slow_load, NULL);

	atomic_store(&coming, 0);
	run_workers(cache, 4, slow_worker);
	cache_free(cache);
}

/*
 * The same slow load, of a key that does not exist: the waiters are there
 * when the loader says NULL.  What the code does to the flight on that
 * path (tell the waiters, take the flight away) happens while they wait
 * on it, so a path that does it without the lock races with them.
 */
static void *missing_worker(void *arg)
{
	struct worker *w = arg;

	if (w->id != 0)
		atomic_fetch_add(&coming, 1);
	free(cache_get(w->cache, "missing"));
	return NULL;
}

static void waiters_during_failed_load(void)
{
	cache_t *cache = cache_new(1, slow_load, NULL);

	atomic_store(&coming, 0);
	run_workers(cache, 4, missing_worker);
	cache_free(cache);
}

/*
 * The slow load again, and memory runs out the moment the loader returns:
 * the code's out-of-memory paths after a load (the value not cached, a
 * copy that cannot be made) run while three waiters are on the flight.
 * A path that frees or changes the flight as if nobody waited on it shows.
 */
static void *oom_worker(void *arg)
{
	struct worker *w = arg;

	if (w->id != 0)
		atomic_fetch_add(&coming, 1);
	free(cache_get(w->cache, "oom"));
	return NULL;
}

static void out_of_memory_after_load(void)
{
	cache_t *cache = cache_new(1, slow_load, NULL);

	atomic_store(&coming, 0);
	run_workers(cache, 4, oom_worker);
	mem_fail_at(0, false);
	cache_free(cache);
}

const struct scenario scenarios[] = {
	{ "overlapping_gets", "4 threads get 6 keys from a cache of 3 (hits, misses, evictions)",
		overlapping_gets },
	{ "same_key_misses", "4 threads get 2 keys from a cache of 1 (concurrent misses on one key)",
		same_key_misses },
	{ "size_while_getting", "cache_size from one thread while 3 others get",
		size_while_getting },
	{ "waiters_during_slow_load", "3 threads wait on a slow load of one key, twice",
		waiters_during_slow_load },
	{ "waiters_during_failed_load", "3 threads wait on a slow load of a key that does not exist",
		waiters_during_failed_load },
	{ "out_of_memory_after_load", "3 threads wait on a slow load, and memory runs out as it ends",
		out_of_memory_after_load },
};

const size_t nscenarios = sizeof(scenarios) / sizeof(scenarios[0]);
