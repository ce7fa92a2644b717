/* Counting and failing the pool's pthread_create, pthread_join and pthread_cond_init for 08-pool's tests. */
#define _GNU_SOURCE		/* gettid */
#include "track.h"
#include "task_state.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_KEPT 64

int __real_pthread_create(pthread_t *tid, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
int __real_pthread_join(pthread_t tid, void **ret);
int __real_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
int __real_pthread_cond_destroy(pthread_cond_t *c);
int __wrap_pthread_create(pthread_t *tid, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
int __wrap_pthread_join(pthread_t tid, void **ret);
int __wrap_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
int __wrap_pthread_cond_destroy(pthread_cond_t *c);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t created[MAX_KEPT];
static bool joined[MAX_KEPT];
static int ncreated, njoined, create_calls, create_fail_at, create_err;
static atomic_int cond_calls, cond_fail_at, cond_inits, cond_destroys;
/* The condition variables made and not yet destroyed (under lock), and destroys of any other. */
static pthread_cond_t *live_conds[MAX_KEPT];
static int nlive_conds;
static atomic_int cond_unmade_destroys;

/*
 * Each kept thread starts in started(), which notes its kernel thread id
 * (for track_await_asleep) before it calls the code's own function.
 */
static struct start {
	void *(*fn)(void *);
	void *arg;
	atomic_int tid;
} starts[MAX_KEPT];

static void *started(void *arg)
{
	struct start *s = arg;

	atomic_store(&s->tid, (int)gettid());
	return s->fn(s->arg);
}

void track_reset(void)
{
	pthread_mutex_lock(&lock);
	ncreated = njoined = create_calls = create_fail_at = nlive_conds = 0;
	pthread_mutex_unlock(&lock);
	atomic_store(&cond_unmade_destroys, 0);
	atomic_store(&cond_calls, 0);
	atomic_store(&cond_fail_at, 0);
	atomic_store(&cond_inits, 0);
	atomic_store(&cond_destroys, 0);
}

int __wrap_pthread_create(pthread_t *tid, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	int rc;

	/*
	 * Recorded under the lock, before the new thread can run: a worker
	 * that asks track_is_created() finds itself.
	 */
	pthread_mutex_lock(&lock);
	if (++create_calls == create_fail_at) {
		pthread_mutex_unlock(&lock);
		return create_err;
	}
	if (ncreated < MAX_KEPT) {
		struct start *st = &starts[ncreated];

		st->fn = fn;
		st->arg = arg;
		atomic_store(&st->tid, 0);
		rc = __real_pthread_create(tid, attr, started, st);
	} else {
		rc = __real_pthread_create(tid, attr, fn, arg);
	}
	if (!rc) {
		if (ncreated < MAX_KEPT) {
			created[ncreated] = *tid;
			joined[ncreated] = false;
		}
		ncreated++;
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

int __wrap_pthread_join(pthread_t tid, void **ret)
{
	int rc = __real_pthread_join(tid, ret);

	if (rc)
		return rc;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < ncreated && i < MAX_KEPT; i++) {
		if (!joined[i] && pthread_equal(created[i], tid)) {
			joined[i] = true;
			njoined++;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

int __wrap_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
	int rc;

	if (atomic_fetch_add(&cond_calls, 1) + 1 == atomic_load(&cond_fail_at))
		return ENOMEM;
	rc = __real_pthread_cond_init(c, attr);
	if (!rc) {
		atomic_fetch_add(&cond_inits, 1);
		pthread_mutex_lock(&lock);
		if (nlive_conds < MAX_KEPT)
			live_conds[nlive_conds++] = c;
		pthread_mutex_unlock(&lock);
	}
	return rc;
}

/* Forgets c; false if it is not a condition variable made and not yet destroyed. */
static bool forget_cond(pthread_cond_t *c)
{
	bool found = false;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < nlive_conds; i++) {
		if (live_conds[i] == c) {
			live_conds[i] = live_conds[--nlive_conds];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return found;
}

int __wrap_pthread_cond_destroy(pthread_cond_t *c)
{
	int rc;

	if (!forget_cond(c))
		atomic_fetch_add(&cond_unmade_destroys, 1);
	rc = __real_pthread_cond_destroy(c);

	if (!rc)
		atomic_fetch_add(&cond_destroys, 1);
	return rc;
}

static int locked_read(int *v)
{
	int n;

	pthread_mutex_lock(&lock);
	n = *v;
	pthread_mutex_unlock(&lock);
	return n;
}

int track_creates(void)
{
	return locked_read(&ncreated);
}

int track_joins(void)
{
	return locked_read(&njoined);
}

bool track_is_created(void)
{
	bool found = false;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < ncreated && i < MAX_KEPT && !found; i++)
		found = pthread_equal(created[i], pthread_self());
	pthread_mutex_unlock(&lock);
	return found;
}

pthread_t track_created(int i)
{
	pthread_t t;

	pthread_mutex_lock(&lock);
	t = created[i];
	pthread_mutex_unlock(&lock);
	return t;
}

/* Whether the thread is asleep in a futex (a condition variable or a mutex), or gone. */
static bool asleep(int tid)
{
	enum task_state st = task_state(tid);

	return st == TASK_IN_FUTEX || st == TASK_GONE;
}

void track_await_asleep(void)
{
	for (;;) {
		bool all = true;
		int n = track_creates();

		for (int i = 0; i < n && i < MAX_KEPT && all; i++) {
			int tid = atomic_load(&starts[i].tid);

			all = tid && asleep(tid);
		}
		if (all)
			return;
		sched_yield();
	}
}

void track_create_fail_at(int k, int err)
{
	pthread_mutex_lock(&lock);
	create_fail_at = k;
	create_err = err;
	create_calls = 0;
	pthread_mutex_unlock(&lock);
}

void track_cond_init_fail_at(int k)
{
	atomic_store(&cond_fail_at, k);
	atomic_store(&cond_calls, 0);
	atomic_store(&cond_inits, 0);
	atomic_store(&cond_destroys, 0);
}

int track_cond_inits(void)
{
	return atomic_load(&cond_inits);
}

int track_cond_destroys(void)
{
	return atomic_load(&cond_destroys);
}

int track_cond_unmade_destroys(void)
{
	return atomic_load(&cond_unmade_destroys);
}

void test_spawn(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	int rc = __real_pthread_create(tid, NULL, fn, arg);

	cr_assert_eq(rc, 0, "test: pthread_create failed (%d)", rc);
}

void test_join(pthread_t tid)
{
	__real_pthread_join(tid, NULL);
}
