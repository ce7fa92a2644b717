/* Mutant: no single-flight, so threads that miss the same key all call the loader. */
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A cached value, on the recency list. */
struct entry {
	char *key;
	char *value;
	struct entry *prev;	/* more recently used */
	struct entry *next;	/* less recently used */
};

struct cache {
	pthread_mutex_t lock;	/* guards every field below and every entry */
	size_t capacity;
	size_t count;
	struct entry *head;	/* most recently used */
	struct entry *tail;	/* least recently used: evicted first */
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

/* ---- the recency list (lock held) ---- */

/*
 * A linear search keeps the code short; a real cache would add a hash table
 * beside the list.  Nothing else here would change.
 */
static struct entry *find_entry(cache_t *cache, const char *key)
{
	for (struct entry *e = cache->head; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

static void unlink_entry(cache_t *cache, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		cache->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		cache->tail = e->prev;
}

static void push_front(cache_t *cache, struct entry *e)
{
	e->prev = NULL;
	e->next = cache->head;
	if (cache->head)
		cache->head->prev = e;
	else
		cache->tail = e;
	cache->head = e;
}

static void free_entry(struct entry *e)
{
	free(e->key);
	free(e->value);
	free(e);
}

/* Adds a copy of key and value as the most recently used entry. */
static void insert_entry(cache_t *cache, const char *key, const char *value)
{
	struct entry *e = calloc(1, sizeof(*e));

	if (!e)
		return;
	e->key = strdup(key);
	e->value = strdup(value);
	if (!e->key || !e->value) {
		/* Not caching is always allowed: the next get loads again. */
		free_entry(e);
		return;
	}
	if (cache->count == cache->capacity) {
		struct entry *lru = cache->tail;

		unlink_entry(cache, lru);
		free_entry(lru);
		cache->count--;
	}
	push_front(cache, e);
	cache->count++;
}

/* ---- the API ---- */

char *cache_get(cache_t *cache, const char *key)
{
	struct entry *e;
	char *value, *copy;

	pthread_mutex_lock(&cache->lock);
	e = find_entry(cache, key);
	if (e) {
		unlink_entry(cache, e);
		push_front(cache, e);
		value = strdup(e->value);
		pthread_mutex_unlock(&cache->lock);
		return value;
	}
	pthread_mutex_unlock(&cache->lock);

	/* The slow part, with no lock held. */
	value = cache->load(key, cache->ctx);
	if (!value)
		return NULL;

	pthread_mutex_lock(&cache->lock);
	/* Another thread may have loaded it meanwhile: keep theirs. */
	e = find_entry(cache, key);
	if (e) {
		unlink_entry(cache, e);
		push_front(cache, e);
		copy = strdup(e->value);
		free(value);
		value = copy;
	} else {
		insert_entry(cache, key, value);
	}
	pthread_mutex_unlock(&cache->lock);
	return value;
}

size_t cache_size(cache_t *cache)
{
	size_t count;

	pthread_mutex_lock(&cache->lock);
	count = cache->count;
	pthread_mutex_unlock(&cache->lock);
	return count;
}

void cache_free(cache_t *cache)
{
	struct entry *e, *next;

	if (!cache)
		return;
	for (e = cache->head; e; e = next) {
		next = e->next;
		free_entry(e);
	}
	pthread_mutex_destroy(&cache->lock);
	free(cache);
}
