/* Mutant of stage 06: a get joins a load in progress whose key is a prefix of its own. */
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

/*
 * A load in progress.  The thread that started it calls the loader; threads
 * that ask for the same key meanwhile wait on 'done' instead of loading it
 * again.  Everyone taking part leaves with a copy of 'value', and the last
 * one out frees the flight: the cached entry cannot be used for this, since
 * it may be evicted before a waiter wakes up.
 */
struct flight {
	char *key;
	char *value;		/* the loader's result, once 'finished' */
	int finished;
	int users;		/* threads that still have to take their copy */
	pthread_cond_t done;
	struct flight *next;
};

struct cache {
	pthread_mutex_t lock;	/* guards every field below and every entry */
	size_t capacity;
	size_t count;
	struct entry *head;	/* most recently used */
	struct entry *tail;	/* least recently used: evicted first */
	struct flight *flights;	/* loads in progress */
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
	if (pthread_mutex_init(&cache->lock, NULL)) {
		free(cache);
		return NULL;
	}
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

/* ---- loads in progress (lock held) ---- */

static struct flight *find_flight(cache_t *cache, const char *key)
{
	for (struct flight *f = cache->flights; f; f = f->next)
		if (!strncmp(f->key, key, strlen(f->key)))
			return f;
	return NULL;
}

static struct flight *start_flight(cache_t *cache, const char *key)
{
	struct flight *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->key = strdup(key);
	if (!f->key) {
		free(f);
		return NULL;
	}
	if (pthread_cond_init(&f->done, NULL)) {
		free(f->key);
		free(f);
		return NULL;
	}
	f->users = 1;
	f->next = cache->flights;
	cache->flights = f;
	return f;
}

static void remove_flight(cache_t *cache, struct flight *f)
{
	struct flight **p = &cache->flights;

	while (*p != f)
		p = &(*p)->next;
	*p = f->next;
}

/* Takes this thread's copy of a finished flight's value; the last one frees it. */
static char *leave_flight(struct flight *f)
{
	char *copy = f->value ? strdup(f->value) : NULL;

	if (--f->users == 0) {
		pthread_cond_destroy(&f->done);
		free(f->key);
		free(f->value);
		free(f);
	}
	return copy;
}

/* ---- the API ---- */

char *cache_get(cache_t *cache, const char *key)
{
	struct entry *e;
	struct flight *f;
	char *value;

	/*
	 * Even a hit changes the cache (the entry moves to the front), so
	 * there is no read-only path that could go without the lock, or with
	 * only a read lock.  The lock is held for list work only, never while
	 * loading, so holding it is brief.
	 */
	pthread_mutex_lock(&cache->lock);
	e = find_entry(cache, key);
	if (e) {
		unlink_entry(cache, e);
		push_front(cache, e);
		value = strdup(e->value);
		pthread_mutex_unlock(&cache->lock);
		return value;
	}

	f = find_flight(cache, key);
	if (f) {
		/* Someone is loading it already: wait for their result. */
		f->users++;
		while (!f->finished)
			pthread_cond_wait(&f->done, &cache->lock);
		value = leave_flight(f);
		pthread_mutex_unlock(&cache->lock);
		return value;
	}

	f = start_flight(cache, key);
	if (!f) {
		pthread_mutex_unlock(&cache->lock);
		return NULL;
	}
	pthread_mutex_unlock(&cache->lock);

	/*
	 * The slow part, with no lock held: gets of other keys go on, and gets
	 * of this key find the flight and wait on it.
	 */
	value = cache->load(key, cache->ctx);

	pthread_mutex_lock(&cache->lock);
	remove_flight(cache, f);
	f->value = value;
	f->finished = 1;
	if (value)
		insert_entry(cache, key, value);
	pthread_cond_broadcast(&f->done);
	value = leave_flight(f);
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
