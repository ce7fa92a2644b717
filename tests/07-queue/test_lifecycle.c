/* Criterion tests of stage 07-queue: a mutex or condition variable that cannot be made, and all of them destroyed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "faults_mem.h"
#include "faults_sync.h"
#include "queue.h"

/* The blocks the wrapped allocation calls held when a check began (faults_mem.h). */
static long blocks_before;

/*
 * pthread_cond_init and pthread_cond_destroy, wrapped like faults_sync.c
 * wraps the mutex calls (the manifest adds the --wrap flags): the k-th
 * init from cond_init_fail_at(k) on fails with ENOMEM.
 */
static atomic_int cond_calls, cond_made, cond_gone, cond_fail_at;

/*
 * Which condition variables are made and not yet destroyed, by address:
 * destroying one that was never made (the one whose init failed, say) is
 * counted apart, even when the counts above come out even.
 */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t *live[64];
static int nlive;
static atomic_int cond_unmade_gone;

static void live_add(pthread_cond_t *c)
{
	pthread_mutex_lock(&live_lock);
	if (nlive < (int)(sizeof(live) / sizeof(live[0])))
		live[nlive++] = c;
	pthread_mutex_unlock(&live_lock);
}

/* Forgets c; false if it was not a live condition variable. */
static bool live_remove(pthread_cond_t *c)
{
	bool found = false;

	pthread_mutex_lock(&live_lock);
	for (int i = 0; i < nlive; i++) {
		if (live[i] == c) {
			live[i] = live[--nlive];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&live_lock);
	return found;
}

int __real_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
int __real_pthread_cond_destroy(pthread_cond_t *c);
int __wrap_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
int __wrap_pthread_cond_destroy(pthread_cond_t *c);

int __wrap_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
	int rc;

	if (atomic_fetch_add(&cond_calls, 1) + 1 == atomic_load(&cond_fail_at))
		return ENOMEM;
	rc = __real_pthread_cond_init(c, attr);
	if (!rc) {
		atomic_fetch_add(&cond_made, 1);
		live_add(c);
	}
	return rc;
}

int __wrap_pthread_cond_destroy(pthread_cond_t *c)
{
	int rc;

	if (!live_remove(c))
		atomic_fetch_add(&cond_unmade_gone, 1);
	rc = __real_pthread_cond_destroy(c);

	if (!rc)
		atomic_fetch_add(&cond_gone, 1);
	return rc;
}

static void cond_init_fail_at(int k)
{
	atomic_store(&cond_fail_at, k);
	atomic_store(&cond_calls, 0);
	atomic_store(&cond_made, 0);
	atomic_store(&cond_gone, 0);
	atomic_store(&cond_unmade_gone, 0);
	pthread_mutex_lock(&live_lock);
	nlive = 0;
	pthread_mutex_unlock(&live_lock);
}

static void expect_all_undone(const char *what)
{
	cr_assert_eq(mutex_destroys(), mutex_inits(), "queue_new when %s: it returned NULL but destroyed %d "
		     "of the %d mutex(es) it made", what, mutex_destroys(), mutex_inits());
	cr_assert_eq(atomic_load(&cond_gone), atomic_load(&cond_made), "queue_new when %s: it returned NULL "
		     "but destroyed %d of the %d condition variable(s) it made", what,
		     atomic_load(&cond_gone), atomic_load(&cond_made));
	cr_assert_eq(atomic_load(&cond_unmade_gone), 0, "queue_new when %s: it called pthread_cond_destroy "
		     "%d time(s) on a condition variable it had not made (the one whose init failed?): "
		     "undo exactly what was made", what, atomic_load(&cond_unmade_gone));
	cr_assert_leq((mem_live_blocks() - blocks_before), 0, "queue_new when %s: it returned NULL but kept %ld block(s) it had "
		      "allocated (the queue, its slots?): free them too", what, (mem_live_blocks() - blocks_before));
}

/* Every init that can fail is checked, and what was made before it is undone and freed. */
Test(lifecycle, init_failure_handled)
{
	struct queue *q;

	mutex_init_fail_at(1);
	cond_init_fail_at(0);
	blocks_before = mem_live_blocks();
	q = queue_new(4);
	cr_assert_null(q, "queue_new when pthread_mutex_init fails: expected NULL, got a queue whose lock "
		       "was never made");
	expect_all_undone("pthread_mutex_init fails");
	/* How many condition variables does a queue make?  Fail each in turn. */
	mutex_init_fail_at(0);
	cond_init_fail_at(0);
	q = queue_new(4);
	cr_assert_not_null(q, "queue_new(4) returned NULL");
	queue_free(q);
	for (int k = 1, made = atomic_load(&cond_made); k <= made; k++) {
		mutex_init_fail_at(0);
		cond_init_fail_at(k);
		blocks_before = mem_live_blocks();
		q = queue_new(4);
		cr_assert_null(q, "queue_new when its pthread_cond_init number %d fails: expected NULL, got a "
			       "queue with a condition variable that was never made", k);
		expect_all_undone("a pthread_cond_init fails");
	}
	cond_init_fail_at(0);
}

/* queue_free destroys what queue_new made, the mutex and every condition variable, and frees it all. */
Test(lifecycle, free_destroys)
{
	struct queue *q;

	mutex_init_fail_at(0);
	cond_init_fail_at(0);
	blocks_before = mem_live_blocks();
	q = queue_new(4);
	cr_assert_not_null(q, "queue_new(4) returned NULL");
	cr_assert_eq(queue_push(q, NULL), 0, "queue_push of NULL into an empty queue failed");
	queue_close(q);
	queue_free(q);
	cr_assert_eq(mutex_destroys(), mutex_inits(), "queue_free must pthread_mutex_destroy: %d made, %d "
		     "destroyed", mutex_inits(), mutex_destroys());
	cr_assert_eq(atomic_load(&cond_gone), atomic_load(&cond_made), "queue_free must "
		     "pthread_cond_destroy: %d made, %d destroyed", atomic_load(&cond_made),
		     atomic_load(&cond_gone));
	cr_assert_eq(atomic_load(&cond_unmade_gone), 0, "queue_free called pthread_cond_destroy %d time(s) "
		     "on a condition variable queue_new had not made", atomic_load(&cond_unmade_gone));
	cr_assert_leq((mem_live_blocks() - blocks_before), 0, "queue_free left %ld block(s) allocated that queue_new and "
		      "queue_push had made: it frees everything", (mem_live_blocks() - blocks_before));
}
