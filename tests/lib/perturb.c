/* Schedule perturbation wrappers linked into a stage's Criterion tests. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "perturb.h"
#include "late_start.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int __real_pthread_mutex_lock(pthread_mutex_t *m);
int __real_pthread_mutex_unlock(pthread_mutex_t *m);
int __real_pthread_rwlock_rdlock(pthread_rwlock_t *l);
int __real_pthread_rwlock_wrlock(pthread_rwlock_t *l);
int __real_pthread_rwlock_unlock(pthread_rwlock_t *l);
int __real_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int __real_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t);
int __real_pthread_mutex_trylock(pthread_mutex_t *m);

static atomic_uint thread_counter;
static atomic_uint lock_errors;
static atomic_uint spurious_one_in;
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

	if (late_start_release)
		late_start_release();	/* this thread moved on: its new threads may start */

	if ((r & 3) == 0)
		sched_yield();
	if (((r >> 2) & 63) == 0) {
		struct timespec pause = { 0, 20 * 1000 };
		nanosleep(&pause, NULL);
	}
}

/* ---- who holds each mutex: misuse that a default mutex does not report ---- */

/*
 * The mutexes locked through the wrappers, with the thread that holds each
 * and how many times (a recursive mutex), in a small open-addressing table
 * under a spinlock: never a pthread lock, which would wrap itself.
 */
#define OWNED_SLOTS 1024

static struct owned {
	pthread_mutex_t *m;	/* NULL: free slot */
	pthread_t owner;
	pid_t tid;		/* the owner's, for a stuck test's stacks */
	void *where;		/* the return address of the call that took it */
	unsigned depth;
} owned[OWNED_SLOTS];
static atomic_flag owned_lock = ATOMIC_FLAG_INIT;

static void owned_enter(void)
{
	while (atomic_flag_test_and_set_explicit(&owned_lock, memory_order_acquire))
		sched_yield();
}

static void owned_leave(void)
{
	atomic_flag_clear_explicit(&owned_lock, memory_order_release);
}

/* The slot of m, or else a free one to put it in (NULL when full). */
static struct owned *owned_slot(pthread_mutex_t *m)
{
	size_t h = ((uintptr_t)m >> 4) % OWNED_SLOTS;
	struct owned *free_slot = NULL;

	for (size_t i = 0; i < OWNED_SLOTS; i++) {
		struct owned *o = &owned[(h + i) % OWNED_SLOTS];

		if (o->m == m)
			return o;
		if (!o->m) {
			free_slot = o;
			break;
		}
	}
	return free_slot;
}

static void count_error(void)
{
	atomic_fetch_add(&lock_errors, 1);
}

static pid_t thread_id(void)
{
	static __thread pid_t tid;

	if (!tid)
		tid = (pid_t)syscall(SYS_gettid);
	return tid;
}

static __thread pthread_mutex_t *last_locked;

const void *perturb_last_locked(void)
{
	const void *m = last_locked;

	last_locked = NULL;
	return m;
}

/* The calling thread now holds m, taken by the call that returns to `where`. */
static void took(pthread_mutex_t *m, void *where)
{
	struct owned *o;

	last_locked = m;

	owned_enter();
	o = owned_slot(m);
	if (o && o->m == m && pthread_equal(o->owner, pthread_self())) {
		o->depth++;
	} else if (o) {
		o->m = m;
		o->owner = pthread_self();
		o->tid = thread_id();
		o->where = where;
		o->depth = 1;
	}
	owned_leave();
}

/* The mutex the calling thread is blocked on in pthread_mutex_lock, or NULL. */
static __thread pthread_mutex_t *blocked_on;

const void *perturb_waiting_for(void)
{
	return blocked_on;
}

/*
 * Called from a signal handler while any thread may be anywhere, even
 * inside the table's spinlock: so the table is read without it.  A slot
 * changing as it is read gives at worst one wrong line in a diagnosis.
 */
size_t perturb_holders(struct perturb_holder *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < OWNED_SLOTS && n < max; i++) {
		pthread_mutex_t *m = __atomic_load_n(&owned[i].m, __ATOMIC_RELAXED);

		if (!m)
			continue;
		out[n].mutex = m;
		out[n].tid = owned[i].tid;
		out[n].where = owned[i].where;
		n++;
	}
	return n;
}

/* The calling thread lets m go: it must hold it. */
static void gave(pthread_mutex_t *m)
{
	struct owned *o;
	bool held;

	owned_enter();
	o = owned_slot(m);
	held = o && o->m == m && pthread_equal(o->owner, pthread_self());
	if (held && --o->depth == 0) {
		/* Deleting from open addressing: put back the entries that follow. */
		size_t i = (size_t)(o - owned);

		o->m = NULL;
		for (size_t k = (i + 1) % OWNED_SLOTS; owned[k].m; k = (k + 1) % OWNED_SLOTS) {
			struct owned moved = owned[k];

			owned[k].m = NULL;
			*owned_slot(moved.m) = moved;
		}
	}
	owned_leave();
	if (!held)
		count_error();
}

unsigned perturb_lock_errors(void)
{
	return atomic_load(&lock_errors);
}

int __wrap_pthread_mutex_lock(pthread_mutex_t *m)
{
	int rc;

	maybe_yield();
	blocked_on = m;
	rc = __real_pthread_mutex_lock(m);
	blocked_on = NULL;
	if (rc)
		count_error();
	else
		took(m, __builtin_return_address(0));
	return rc;
}

/*
 * A trylock is where "usually free" hides a bug: yield before it, and now
 * and then after taking the lock, so that other threads' trylocks find it
 * busy and code that ignores EBUSY shows.
 */
int __wrap_pthread_mutex_trylock(pthread_mutex_t *m)
{
	int rc;

	maybe_yield();
	rc = __real_pthread_mutex_trylock(m);
	if (!rc) {
		took(m, __builtin_return_address(0));
		maybe_yield();
	}
	return rc;
}

int __wrap_pthread_mutex_unlock(pthread_mutex_t *m)
{
	int rc;

	gave(m);
	rc = __real_pthread_mutex_unlock(m);
	if (rc)
		count_error();
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

/* ---- threads asleep in a condition wait ---- */

/*
 * The count is an atomic that the waits change without a lock; only while
 * a test awaits it does a wait also take `waiters_lock` to wake the test.
 * Both sides write their own variable, then read the other's (sequentially
 * consistent), so one of them always sees the other: no lost wake-up.
 */
static atomic_uint cond_waiters;
static atomic_bool awaiting;
static pthread_mutex_t waiters_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t waiters_changed = PTHREAD_COND_INITIALIZER;

static void waiters_enter(void)
{
	atomic_fetch_add(&cond_waiters, 1);
	if (atomic_load(&awaiting)) {
		__real_pthread_mutex_lock(&waiters_lock);
		pthread_cond_broadcast(&waiters_changed);
		__real_pthread_mutex_unlock(&waiters_lock);
	}
}

/* Wrapped waits that have returned, ever: a waiter that left its wait holds its mutex again. */
static atomic_uint wait_returns;

static void waiters_leave(void)
{
	atomic_fetch_sub(&cond_waiters, 1);
	atomic_fetch_add(&wait_returns, 1);
	if (atomic_load(&awaiting)) {
		__real_pthread_mutex_lock(&waiters_lock);
		pthread_cond_broadcast(&waiters_changed);
		__real_pthread_mutex_unlock(&waiters_lock);
	}
}

void perturb_await_cond_waiters(unsigned n)
{
	__real_pthread_mutex_lock(&waiters_lock);
	atomic_store(&awaiting, true);
	while (atomic_load(&cond_waiters) < n)
		__real_pthread_cond_wait(&waiters_changed, &waiters_lock);
	atomic_store(&awaiting, false);
	__real_pthread_mutex_unlock(&waiters_lock);
}

/* The condition variable and mutex of the wrapped wait that began last. */
static _Atomic(pthread_cond_t *) last_cond;
static _Atomic(pthread_mutex_t *) last_mutex;

void perturb_wake_spuriously(void)
{
	pthread_cond_t *c = atomic_load(&last_cond);
	pthread_mutex_t *m = atomic_load(&last_mutex);

	unsigned returned;

	if (!c || !m)
		return;
	/* The waiter holds m until it sleeps: taking it, we know it sleeps. */
	__real_pthread_mutex_lock(m);
	returned = atomic_load(&wait_returns);
	pthread_cond_broadcast(c);
	/*
	 * Then until it has left its wait, and so holds m again: whatever the
	 * test does next with m waits for what the waiter does after it.
	 */
	__real_pthread_mutex_lock(&waiters_lock);
	atomic_store(&awaiting, true);
	__real_pthread_mutex_unlock(m);
	while (atomic_load(&wait_returns) == returned)
		__real_pthread_cond_wait(&waiters_changed, &waiters_lock);
	atomic_store(&awaiting, false);
	__real_pthread_mutex_unlock(&waiters_lock);
}

void perturb_spurious_wakeups(unsigned one_in)
{
	atomic_store(&spurious_one_in, one_in);
}

/*
 * A spurious wake-up, as POSIX allows one: the mutex let go and taken back,
 * no signal consumed, 0 returned.  Another thread may run in between.
 */
static bool woke_spuriously(pthread_mutex_t *m)
{
	unsigned n = atomic_load(&spurious_one_in);

	if (!n || next_random() % n)
		return false;
	__real_pthread_mutex_unlock(m);
	sched_yield();
	__real_pthread_mutex_lock(m);
	return true;
}

/* A wait lets the mutex go and takes it back: it must be held, by this thread. */
int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	int rc = 0;

	gave(m);
	atomic_store(&last_cond, c);
	atomic_store(&last_mutex, m);
	waiters_enter();
	if (!woke_spuriously(m))
		rc = __real_pthread_cond_wait(c, m);
	waiters_leave();
	took(m, __builtin_return_address(0));
	maybe_yield();
	return rc;
}

int __wrap_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t)
{
	int rc = 0;

	gave(m);
	atomic_store(&last_cond, c);
	atomic_store(&last_mutex, m);
	waiters_enter();
	if (!woke_spuriously(m))
		rc = __real_pthread_cond_timedwait(c, m, t);
	waiters_leave();
	took(m, __builtin_return_address(0));
	maybe_yield();
	return rc;
}
