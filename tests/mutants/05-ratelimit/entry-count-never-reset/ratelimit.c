/* Per-user fixed-window rate limiter: the reference solution of stage 05. */
#include "ratelimit.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One user seen in the current window. */
struct entry {
	struct entry *next;	/* next entry in the same bucket */
	int count;		/* requests allowed so far in the current window */
	char user[];		/* our own copy of the user's name */
};

struct ratelimiter {
	/*
	 * One lock guards everything below that changes (window, buckets,
	 * nbuckets, nentries and the entries).  limit, window_ms, clock and
	 * clock_ctx are set once by ratelimiter_new() and only read after.
	 */
	pthread_mutex_t lock;
	int limit;
	long long window_ms;
	clock_ms_fn clock;
	void *clock_ctx;

	long long window;	/* index of the window the entries belong to */
	struct entry **buckets;	/* hash table of users, chained */
	size_t nbuckets;	/* always a power of two */
	size_t nentries;
};

#define INITIAL_BUCKETS 16

static long long monotonic_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FNV-1a: short, and spreads names that differ in one character. */
static size_t hash_user(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

ratelimiter_t *ratelimiter_new(int limit, long long window_ms, clock_ms_fn clock, void *clock_ctx)
{
	ratelimiter_t *rl;

	if (limit < 0 || window_ms <= 0) {
		errno = EINVAL;
		return NULL;
	}
	rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	rl->buckets = calloc(INITIAL_BUCKETS, sizeof(*rl->buckets));
	if (!rl->buckets) {
		free(rl);
		return NULL;
	}
	if (pthread_mutex_init(&rl->lock, NULL)) {
		free(rl->buckets);
		free(rl);
		return NULL;
	}
	rl->nbuckets = INITIAL_BUCKETS;
	rl->limit = limit;
	rl->window_ms = window_ms;
	rl->clock = clock ? clock : monotonic_ms;
	rl->clock_ctx = clock_ctx;
	/* No window yet: the first call, in whatever window, starts one. */
	rl->window = LLONG_MIN;
	return rl;
}

/* Frees every entry; the buckets stay, ready for the next window. */
static void drop_entries(ratelimiter_t *rl)
{
	for (size_t i = 0; i < rl->nbuckets; i++) {
		struct entry *e = rl->buckets[i];

		while (e) {
			struct entry *next = e->next;

			free(e);
			e = next;
		}
		rl->buckets[i] = NULL;
	}
}

/*
 * Doubles the table.  If memory runs out the table simply stays as it is:
 * chains get longer, answers stay right.
 */
static void grow(ratelimiter_t *rl)
{
	size_t n = rl->nbuckets * 2;
	struct entry **b = calloc(n, sizeof(*b));

	if (!b)
		return;
	for (size_t i = 0; i < rl->nbuckets; i++) {
		struct entry *e = rl->buckets[i];

		while (e) {
			struct entry *next = e->next;
			size_t j = hash_user(e->user) & (n - 1);

			e->next = b[j];
			b[j] = e;
			e = next;
		}
	}
	free(rl->buckets);
	rl->buckets = b;
	rl->nbuckets = n;
}

/* The entry of `user` in the current window, added if new; NULL if out of memory. */
static struct entry *find_or_add(ratelimiter_t *rl, const char *user)
{
	size_t h = hash_user(user);
	size_t len = strlen(user);
	struct entry *e;

	for (e = rl->buckets[h & (rl->nbuckets - 1)]; e; e = e->next)
		if (!strcmp(e->user, user))
			return e;

	if (rl->nentries >= rl->nbuckets)
		grow(rl);
	/* The name lives in the entry: the caller's string may be gone soon. */
	e = malloc(sizeof(*e) + len + 1);
	if (!e)
		return NULL;
	memcpy(e->user, user, len + 1);
	e->count = 0;
	e->next = rl->buckets[h & (rl->nbuckets - 1)];
	rl->buckets[h & (rl->nbuckets - 1)] = e;
	rl->nentries++;
	return e;
}

bool ratelimiter_allow(ratelimiter_t *rl, const char *user)
{
	struct entry *e;
	long long window;
	bool allowed = false;

	pthread_mutex_lock(&rl->lock);
	/*
	 * Read the clock under the lock: calls then see time in the order in
	 * which they take the lock, and the window below never goes back.
	 */
	window = rl->clock(rl->clock_ctx) / rl->window_ms;
	if (window > rl->window) {
		/* Every entry counts requests of a window that is over. */
		drop_entries(rl);
		rl->window = window;
	}
	/*
	 * The check and the increment in the same critical section: no other
	 * request by this user can come between them.
	 */
	e = find_or_add(rl, user);
	if (e && e->count < rl->limit) {
		e->count++;
		allowed = true;
	}
	pthread_mutex_unlock(&rl->lock);
	return allowed;
}

void ratelimiter_free(ratelimiter_t *rl)
{
	if (!rl)
		return;
	drop_entries(rl);
	free(rl->buckets);
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}
