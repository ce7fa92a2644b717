/* Stage 06-cache: a thread-safe LRU cache that fills itself through a loader. */
#ifndef RACECOURSE_CACHE_H
#define RACECOURSE_CACHE_H

#include <stddef.h>

typedef struct cache cache_t;

/*
 * Produces the value of 'key': a string allocated with malloc, which the
 * cache then owns, or NULL if the key does not exist.  'ctx' is the pointer
 * given to cache_new().  The cache calls it without holding any lock, and
 * may call it from several threads at once for different keys.
 */
typedef char *(*cache_load_fn)(const char *key, void *ctx);

/*
 * Creates a cache that keeps at most 'capacity' values and calls 'load' on
 * a miss.  Returns NULL if 'capacity' is 0 or memory runs out.  Free it
 * with cache_free().
 */
cache_t *cache_new(size_t capacity, cache_load_fn load, void *ctx);

/*
 * Returns the value of 'key': a copy allocated with malloc that the caller
 * owns and must free, or NULL if the loader said the key does not exist
 * (or memory ran out).  Safe to call from many threads at once.
 *
 * A hit returns the cached value and makes it the most recently used.  A
 * miss calls the loader once, however many threads ask for the key while it
 * runs: they wait for that one call and all get its result.  The loader
 * runs without any lock that gets of other keys need, so a slow load never
 * holds up other keys.  A NULL from the loader is not cached.  Adding a
 * value to a full cache evicts the least recently used one.  The cache keeps
 * its own copy of 'key'.
 */
char *cache_get(cache_t *cache, const char *key);

/* Returns how many values the cache holds now (loads in progress excluded). */
size_t cache_size(cache_t *cache);

/*
 * Frees the cache and every value it holds.  No other thread may be using
 * the cache.  Values returned by cache_get() stay valid: they are the
 * caller's.
 */
void cache_free(cache_t *cache);

#endif
