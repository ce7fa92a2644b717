/* Schedule perturbation wrappers linked into a stage's Criterion tests. */
#include "perturb.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

int __real_pthread_mutex_lock(pthread_mutex_t *m);
int __real_pthread_mutex_unlock(pthread_mutex_t *m);
int __real_pthread_rwlock_rdlock(pthread_rwlock_t *l);
int __real_pthread_rwlock_wrlock(pthread_rwlock_t *l);
int __real_pthread_rwlock_unlock(pthread_rwlock_t *l);
int __real_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);

static atomic_uint thread_counter;
static atomic_uint lock_errors;
static _Thread_local uint64_t rng_state;

unsigned long perturb_seed(void)
{
	const char *s = getenv("RACECOURSE_SEED");

	return s && *s ? strtoul(s, NULL, 10) : 1;
}

/* splitmix64: small, fast, and good enough to pick when to yield. */
static uint64_t next_random(void)
{
	uint64_t z;

	if (!rng_state) {
		/* Each thread gets its own stream, derived from the seed. */
		unsigned n = atomic_fetch_add(&thread_counter, 1) + 1;
		rng_state = perturb_seed() * 0x9e3779b97f4a7c15ULL + n;
		if (!rng_state)
			rng_state = 1;
	}
	z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * One call in four yields; one in sixty-four also pauses for a few
 * microseconds, long enough for a thread on the other core to get through
 * a whole critical section.  The pause is never used to order anything.
 */
static void maybe_yield(void)
{
	uint64_t r = next_random();

	if ((r & 3) == 0)
		sched_yield();
	if (((r >> 2) & 63) == 0) {
		struct timespec pause = { 0, 20 * 1000 };
		nanosleep(&pause, NULL);
	}
}

unsigned perturb_lock_errors(void)
{
	return atomic_load(&lock_errors);
}

int __wrap_pthread_mutex_lock(pthread_mutex_t *m)
{
	int rc;

	maybe_yield();
	rc = __real_pthread_mutex_lock(m);
	if (rc)
		atomic_fetch_add(&lock_errors, 1);
	return rc;
}

int __wrap_pthread_mutex_unlock(pthread_mutex_t *m)
{
	int rc = __real_pthread_mutex_unlock(m);

	if (rc)
		atomic_fetch_add(&lock_errors, 1);
	maybe_yield();
	return rc;
}

int __wrap_pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	maybe_yield();
	return __real_pthread_rwlock_rdlock(l);
}

int __wrap_pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	maybe_yield();
	return __real_pthread_rwlock_wrlock(l);
}

int __wrap_pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	int rc = __real_pthread_rwlock_unlock(l);

	maybe_yield();
	return rc;
}

int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	int rc = __real_pthread_cond_wait(c, m);

	maybe_yield();
	return rc;
}
