/* Instructor-only tests of 08-pool: handles and pools the handout states but does not drill. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "../jobs.h"
#include "../track.h"
#include "pool.h"

Test(hidden, free_runs_what_was_submitted)
{
	static struct counted c[50];
	struct pool *p;

	track_reset();
	p = new_pool(2);
	counted_init(c, 50);
	for (int i = 0; i < 50; i++)
		submit_counted(p, &c[i], "free_runs_what_was_submitted");
	pool_free(p);	/* nobody waited: pool_free shuts down, which runs them */
	for (int i = 0; i < 50; i++)
		cr_assert_eq(atomic_load(&c[i].runs), 1, "50 jobs submitted, none waited for, then "
			"pool_free: job %d ran %d times, expected once", i, atomic_load(&c[i].runs));
	cr_assert_eq(track_joins(), 2, "pool_free of 2 workers joined %d", track_joins());
}

Test(hidden, wait_after_shutdown)
{
	static struct counted c[30];
	static struct job *h[30];
	struct pool *p = new_pool(3);

	counted_init(c, 30);
	for (int i = 0; i < 30; i++)
		h[i] = submit_counted(p, &c[i], "wait_after_shutdown");
	pool_shutdown(p);
	for (int i = 29; i >= 0; i--) {
		void *got = NULL;

		cr_assert_eq(pool_wait(h[i], &got), 0, "pool_wait after pool_shutdown did not return 0");
		cr_assert_eq(got, counted_result(i), "pool_wait(job %d) after pool_shutdown: expected "
			"%p, got %p", i, counted_result(i), got);
	}
	pool_free(p);
}

static struct pool *second;

/* A job of the first pool that hands work to the second pool and waits for it. */
static void *relay(void *arg)
{
	struct job *j = pool_submit(second, counted_job, arg);
	void *got = NULL;

	if (!j || pool_wait(j, &got))
		return NULL;
	return got;
}

Test(hidden, two_pools_at_once)
{
	static struct counted c[100];
	static struct job *h[100];
	struct pool *first;

	track_reset();
	first = new_pool(2);
	second = new_pool(2);
	counted_init(c, 100);
	for (int i = 0; i < 100; i++) {
		h[i] = pool_submit(first, relay, &c[i]);
		cr_assert_not_null(h[i], "pool_submit returned NULL");
	}
	for (int i = 0; i < 100; i++) {
		void *got = NULL;

		pool_wait(h[i], &got);
		cr_assert_eq(got, counted_result(i), "two pools, jobs of the first wait for jobs of "
			"the second: job %d: expected %p, got %p", i, counted_result(i), got);
	}
	cr_assert_eq(track_creates(), 4, "two pools of 2: expected 4 threads created, got %d",
		track_creates());
	pool_free(first);
	pool_free(second);
}
