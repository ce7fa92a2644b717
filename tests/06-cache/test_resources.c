/* Criterion tests of stage 06-cache: every mutex and condition variable the cache makes is checked and destroyed, every block freed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "faults_mem.h"
#include "faults_sync.h"

/*
 * The manifest wraps pthread_cond_init and pthread_cond_destroy (mutexes:
 * tests/lib/faults_sync.h): a condition variable per flight, or one per
 * cache, both count the same.
 */
int __real_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
int __real_pthread_cond_destroy(pthread_cond_t *c);
int __wrap_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
int __wrap_pthread_cond_destroy(pthread_cond_t *c);

static atomic_int cond_inits, cond_destroys;
static atomic_int cond_fail_at;	/* the k-th pthread_cond_init from now fails (0: none) */
static atomic_int cond_calls;	/* pthread_cond_init calls since the last cond_init_fail_at() */

/* Makes the k-th pthread_cond_init from now on fail with EAGAIN (0: none), as POSIX allows. */
static void cond_init_fail_at(int k)
{
	atomic_store(&cond_calls, 0);
	atomic_store(&cond_fail_at, k);
}

int __wrap_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
	int k = atomic_fetch_add(&cond_calls, 1) + 1;
	int err;

	if (k == atomic_load(&cond_fail_at))
		return EAGAIN;
	err = __real_pthread_cond_init(c, attr);

	if (!err)
		atomic_fetch_add(&cond_inits, 1);
	return err;
}

int __wrap_pthread_cond_destroy(pthread_cond_t *c)
{
	int err = __real_pthread_cond_destroy(c);

	if (!err)
		atomic_fetch_add(&cond_destroys, 1);
	return err;
}

/* "v:" and the key; NULL for keys that start with "none". */
static char *prefix_loader(const char *key, void *ctx)
{
	char *v;

	(void)ctx;
	if (!strncmp(key, "none", 4))
		return NULL;
	v = malloc(strlen(key) + 3);
	if (v) {
		strcpy(v, "v:");
		strcat(v, key);
	}
	return v;
}

Test(resources, init_checked_and_destroyed)
{
	static const char *const keys[] = { "a", "b", "a", "none1", "c", "d", "none1", "b", "e" };
	cache_t *cache;

	/* pthread_mutex_init can fail (EAGAIN, ENOMEM): no cache then. */
	mutex_init_fail_at(1);
	cache = cache_new(2, prefix_loader, NULL);
	cr_assert_null(cache, "cache_new when its pthread_mutex_init fails: expected NULL, got a cache "
		       "whose lock was never made");
	mutex_init_fail_at(0);
	atomic_store(&cond_inits, 0);
	atomic_store(&cond_destroys, 0);
	cache = cache_new(2, prefix_loader, NULL);
	cr_assert_not_null(cache, "cache_new(2, loader, NULL) returned NULL");
	/* Misses, hits, NULL loads and evictions: every flight starts and ends. */
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		free(cache_get(cache, keys[i]));
	cache_free(cache);
	cr_expect_eq(mutex_destroys(), mutex_inits(), "a cache's life (new, gets, free): %d mutex(es) "
		     "made with pthread_mutex_init, %d destroyed", mutex_inits(), mutex_destroys());
	cr_expect_eq(atomic_load(&cond_destroys), atomic_load(&cond_inits), "a cache's life (new, "
		     "9 gets, free): %d condition variable(s) made with pthread_cond_init, %d destroyed "
		     "(pthread_cond_destroy)", atomic_load(&cond_inits), atomic_load(&cond_destroys));
}

/* Rule: cache_free frees the cache and everything in it; an evicted entry is freed when it goes. */
Test(resources, no_leaks)
{
	static const char *const keys[] = { "a", "b", "a", "none1", "c", "d", "none1", "b", "e", "a" };
	long base = mem_live_blocks(), during;
	cache_t *cache = cache_new(2, prefix_loader, NULL);

	cr_assert_not_null(cache, "cache_new(2, loader, NULL) returned NULL");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		free(cache_get(cache, keys[i]));
	during = mem_live_blocks() - base;
	/* Lots of room for any design: the cache, 2 entries of a few blocks each, a table. */
	cr_expect_leq(during, 16, "a cache of capacity 2 after 10 gets of 6 keys holds %ld blocks: "
		      "are evicted entries (key, value, entry) freed?", during);
	cache_free(cache);
	cr_expect_eq(mem_live_blocks(), base, "after cache_free, %ld block(s) the cache allocated (or its "
		     "loader's values) are still not freed", mem_live_blocks() - base);
}

/*
 * Rule: when memory runs out, cache_get returns NULL (or still the value),
 * and the cache stays usable: no lock kept, no flight left behind, no
 * block lost.  Each allocation of a run of gets (the cache's and the
 * loader's) fails in turn, once.
 */
Test(resources, out_of_memory)
{
	static const char *const keys[] = { "a", "b", "a", "none1", "c", "a", "d" };
	const size_t nkeys = sizeof(keys) / sizeof(keys[0]);
	bool failed_one = true;

	for (int k = 1; failed_one; k++) {
		long base = mem_live_blocks();
		cache_t *cache = cache_new(2, prefix_loader, NULL);

		cr_assert_not_null(cache, "cache_new(2, loader, NULL) returned NULL");
		mem_fail_at(k, false);
		for (size_t i = 0; i < nkeys; i++) {
			char *got = cache_get(cache, keys[i]);
			char want[8] = "v:";

			strcat(want, keys[i]);
			cr_assert(!got || (strncmp(keys[i], "none", 4) && !strcmp(got, want)),
				  "allocation %d failing: cache_get(\"%s\") returned \"%s\"; expected "
				  "\"%s\" or NULL", k, keys[i], got, want);
			free(got);
		}
		/* Fewer allocations than k: this run failed none, and the next would not either. */
		failed_one = mem_allocations() >= k;
		mem_fail_at(0, false);
		for (size_t i = 0; i < nkeys; i++) {
			char *got = cache_get(cache, keys[i]);

			cr_assert(strncmp(keys[i], "none", 4) ? got && !strncmp(got, "v:", 2) &&
				  !strcmp(got + 2, keys[i]) : !got,
				  "after allocation %d failed once, cache_get(\"%s\") returned \"%s\": the "
				  "cache must go on as if nothing happened", k, keys[i], got);
			free(got);
		}
		cache_free(cache);
		cr_assert_eq(mem_live_blocks(), base, "allocation %d failing during gets: after "
			     "cache_free, %ld block(s) are still not freed", k,
			     mem_live_blocks() - base);
	}
}

/*
 * pthread_cond_init can fail (EAGAIN, ENOMEM) like an allocation: each one
 * of a run of gets fails in turn, once.  cache_new or cache_get then
 * returns NULL (or a get still its value), the cache goes on answering
 * right, and no condition variable that was never made is waited on or
 * destroyed: destroys never outnumber the inits that succeeded.
 */
Test(resources, cond_init_failure)
{
	static const char *const keys[] = { "a", "b", "a", "none1", "c", "a", "d" };
	const size_t nkeys = sizeof(keys) / sizeof(keys[0]);
	bool failed_one = true;

	for (int k = 1; failed_one; k++) {
		cache_t *cache;

		atomic_store(&cond_inits, 0);
		atomic_store(&cond_destroys, 0);
		cond_init_fail_at(k);
		cache = cache_new(2, prefix_loader, NULL);
		for (size_t i = 0; cache && i < nkeys; i++) {
			char *got = cache_get(cache, keys[i]);

			cr_assert(!got || (strncmp(keys[i], "none", 4) && !strcmp(got + 2, keys[i])),
				  "pthread_cond_init call %d failing: cache_get(\"%s\") returned \"%s\"; "
				  "expected \"v:%s\" or NULL", k, keys[i], got, keys[i]);
			free(got);
		}
		failed_one = atomic_load(&cond_calls) >= k;
		cond_init_fail_at(0);
		if (!cache)
			cache = cache_new(2, prefix_loader, NULL);
		cr_assert_not_null(cache, "cache_new(2, loader, NULL) returned NULL with no failure");
		for (size_t i = 0; i < nkeys; i++) {
			char *got = cache_get(cache, keys[i]);

			cr_assert(strncmp(keys[i], "none", 4) ? got && !strcmp(got + 2, keys[i]) : !got,
				  "after pthread_cond_init call %d failed once, cache_get(\"%s\") returned "
				  "\"%s\": the cache must go on as if nothing happened", k, keys[i], got);
			free(got);
		}
		cache_free(cache);
		cr_assert_eq(atomic_load(&cond_destroys), atomic_load(&cond_inits), "pthread_cond_init "
			     "call %d failing: %d condition variable(s) made, %d destroyed (a failed "
			     "pthread_cond_init makes nothing: check its result, and neither wait on nor "
			     "destroy what it failed to make)", k, atomic_load(&cond_inits),
			     atomic_load(&cond_destroys));
	}
}
