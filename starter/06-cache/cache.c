/* Stage 06-cache: a thread-safe LRU cache with a loader (your code goes here). */
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * As shipped this "cache" keeps nothing: every get calls the loader.  That
 * is correct (each caller gets its own malloc'd value) but it is not a
 * cache.  Read the handout, then:
 *
 *   1. keep the values in a recency list, most recently used first, and
 *      evict from the other end when the cache is full;
 *   2. guard the list with the mutex, held briefly -- never while the
 *      loader runs;
 *   3. make concurrent misses on one key share a single load (a "flight"
 *      with a condition variable the other threads wait on).
 */

struct entry {
	char *key;
	char *value;
	struct entry *prev;	/* more recently used */
	struct entry *next;	/* less recently used */
};

struct cache {
	pthread_mutex_t lock;
	size_t capacity;
	size_t count;
	struct entry *head;	/* most recently used */
	struct entry *tail;	/* least recently used */
	cache_load_fn load;
	void *ctx;
};

cache_t *cache_new(size_t capacity, cache_load_fn load, void *ctx)
{
	cache_t *cache;

	if (!capacity)
		return NULL;
	cache = calloc(1, sizeof(*cache));
	if (!cache)
		return NULL;
	pthread_mutex_init(&cache->lock, NULL);
	cache->capacity = capacity;
	cache->load = load;
	cache->ctx = ctx;
	return cache;
}

char *cache_get(cache_t *cache, const char *key)
{
	/* TODO: look the key up first, and keep what the loader returns. */
	return cache->load(key, cache->ctx);
}

size_t cache_size(cache_t *cache)
{
	/* TODO */
	(void)cache;
	return 0;
}

void cache_free(cache_t *cache)
{
	if (!cache)
		return;
	/* TODO: free the entries too. */
	pthread_mutex_destroy(&cache->lock);
	free(cache);
}
