/* Criterion tests of stage 08-pool: the workers made and joined, shutdown, idle workers, errors. */
#define _GNU_SOURCE		/* gettid */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "faults_mem.h"
#include "faults_sync.h"
#include "jobs.h"
#include "pool.h"
#include "track.h"

/* The blocks the wrapped allocation calls held when a check began (faults_mem.h). */
static long blocks_before;

/* ---- threads: exactly nthreads, all joined ---- */

Test(threads, exact_count)
{
	static const size_t sizes[] = { 1, 3, 4, 8 };
	static struct counted c[50];

	for (size_t s = 0; s < sizeof(sizes) / sizeof(*sizes); s++) {
		size_t n = sizes[s];
		struct job *h[50];
		struct pool *p;

		track_reset();
		p = new_pool(n);
		cr_assert_eq(track_creates(), (int)n, "pool_new(%zu): expected %zu pthread_create "
			"calls, got %d", n, n, track_creates());
		counted_init(c, 50);
		blocks_before = mem_live_blocks();
		for (int i = 0; i < 50; i++)
			h[i] = submit_counted(p, &c[i], "exact_count");
		for (int i = 0; i < 50; i++)
			pool_wait(h[i], NULL);
		cr_assert_leq((mem_live_blocks() - blocks_before), 0, "pool_new(%zu), then 50 jobs each waited for with "
			"pool_wait(h, NULL): %ld block(s) the pool allocated meanwhile are still held "
			"(pool_wait releases the handle, whether or not it stores the result)", n,
			(mem_live_blocks() - blocks_before));
		cr_assert_eq(track_creates(), (int)n, "pool_new(%zu), then 50 jobs: expected still %zu "
			"threads created in all, got %d (a pool makes its workers once, not a thread "
			"per job)", n, n, track_creates());
		pool_free(p);
	}
}

/* ---- shutdown: drain, join, refuse ---- */

/*
 * pool_shutdown of 1 to 6 workers, once every worker sleeps, each size in
 * three ways: never used; busy once, every job waited for; and, four
 * times, one job submitted just before the shutdown and not waited for.
 * That job wakes one worker, which has seldom taken it yet when the
 * shutdown begins, while the others sleep on: a shutdown that wakes the
 * workers only when the queue is empty, or wakes one, leaves them asleep
 * and its join waits for ever (the test's time limit ends it).
 */
Test(shutdown, joins_every_worker)
{
	static const char *const ways[] = { " (never used)", " (after 20 jobs)",
		" (one job submitted just before)" };
	static struct counted c[20];

	for (size_t n = 1; n <= 6; n++) {
		for (int round = 0; round < 6; round++) {
			int way = round < 2 ? round : 2;
			struct pool *p;

			track_reset();
			p = new_pool(n);
			counted_init(c, 20);
			if (way == 1)
				for (int i = 0; i < 20; i++)
					pool_wait(submit_counted(p, &c[i], "joins_every_worker"), NULL);
			track_await_asleep();	/* every worker idle, asleep */
			if (way == 2)
				submit_counted(p, &c[0], "joins_every_worker");
			pool_shutdown(p);
			cr_assert_eq(track_joins(), (int)n, "pool_shutdown of %zu workers%s returned with "
				"%d of them joined: it must wake every worker and pthread_join each", n,
				ways[way], track_joins());
			if (way == 2)
				cr_assert_eq(atomic_load(&c[0].runs), 1, "pool_shutdown of %zu workers right "
					"after a job was submitted: the job ran %d times, expected once", n,
					atomic_load(&c[0].runs));
			pool_free(p);
		}
	}
}

struct shutter {
	struct pool *p;
	struct gate done;
};

static void *shutter_run(void *arg)
{
	struct shutter *s = arg;

	pool_shutdown(s->p);
	gate_arrive(&s->done);
	return NULL;
}

#define QUEUED 20
#define MAX_LATE 100000

/*
 * One worker, held by the first job, and QUEUED jobs behind it; another
 * thread calls pool_shutdown.  The test submits more until pool_submit
 * refuses (then shutdown has begun), and only then lets the first job
 * return: every job accepted must run, once, and the worker be joined.
 */
Test(shutdown, drains_queued_jobs)
{
	static struct counted c[QUEUED];
	struct counted late;
	struct shutter s;
	struct held first;
	struct job *j;
	pthread_t tid;
	int accepted = 0;

	track_reset();
	s.p = new_pool(1);
	gate_init(&s.done);
	held_init(&first, NULL);
	counted_init(c, QUEUED);
	counted_init(&late, 1);
	cr_assert_not_null(pool_submit(s.p, held_job, &first), "pool_submit returned NULL");
	for (int i = 0; i < QUEUED; i++)
		submit_counted(s.p, &c[i], "drains_queued_jobs");
	test_spawn(&tid, shutter_run, &s);
	while ((j = pool_submit(s.p, counted_job, &late))) {
		cr_assert_lt(++accepted, MAX_LATE, "pool_submit still accepted a job %d times while "
			"pool_shutdown ran: once shutdown has begun it must refuse (EPIPE)", MAX_LATE);
		sched_yield();	/* let the shutting thread run: not a wait for it */
	}
	cr_assert_eq(errno, EPIPE, "pool_submit during pool_shutdown: expected errno EPIPE, got %s",
		strerror(errno));
	gate_open(&first.gate);
	gate_await(&s.done, 1);
	test_join(tid);
	cr_assert(atomic_load(&first.finished), "the job running when pool_shutdown was called "
		"did not finish");
	for (int i = 0; i < QUEUED; i++)
		cr_assert_eq(atomic_load(&c[i].runs), 1, "1 worker busy, %d jobs queued, then "
			"pool_shutdown: queued job %d ran %d times, expected once (shutdown runs what "
			"was submitted)", QUEUED, i, atomic_load(&c[i].runs));
	cr_assert_eq(atomic_load(&late.runs), accepted, "%d jobs were accepted while shutdown "
		"waited; %d of them ran", accepted, atomic_load(&late.runs));
	cr_assert_eq(track_joins(), 1, "pool_shutdown returned with %d of 1 workers joined",
		track_joins());
	pool_free(s.p);
}

static void *must_not_run(void *arg)
{
	atomic_store((atomic_bool *)arg, true);
	return NULL;
}

/*
 * After pool_shutdown, pool_submit refuses, and the job never runs.  Then
 * pool_free frees all the pool allocated: the pool, the refused job's
 * handle, and the handles of three jobs nobody waited for.
 */
Test(shutdown, refuses_new_jobs)
{
	static struct counted c[3];
	struct pool *p;
	atomic_bool ran = false;
	struct job *j;

	blocks_before = mem_live_blocks();
	p = new_pool(2);
	counted_init(c, 3);
	for (int i = 0; i < 3; i++)
		submit_counted(p, &c[i], "refuses_new_jobs");
	pool_shutdown(p);
	errno = 0;
	j = pool_submit(p, must_not_run, &ran);
	cr_assert_null(j, "pool_submit after pool_shutdown: expected NULL, got a handle");
	cr_assert_eq(errno, EPIPE, "pool_submit after pool_shutdown: expected errno EPIPE, got %s",
		strerror(errno));
	pool_shutdown(p);	/* again: nothing to do */
	pool_free(p);
	cr_assert_not(atomic_load(&ran), "a job submitted after pool_shutdown ran");
	cr_assert_leq((mem_live_blocks() - blocks_before), 0, "pool_free left %ld block(s) allocated: it frees the pool and "
		"the handles nobody waited for (3 here), and a refused pool_submit keeps nothing",
		(mem_live_blocks() - blocks_before));
}

/* ---- idle: waiting costs no CPU ---- */

static double cpu_ms(clockid_t clock)
{
	struct timespec t;

	if (clock_gettime(clock, &t))
		return 0;
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The CPU time used so far by the pool's workers and by the thread `waiter`. */
static double others_ms(pthread_t waiter)
{
	clockid_t clock;
	double sum = 0;
	int n = track_creates();

	for (int i = 0; i < n && i < 64; i++)
		if (!pthread_getcpuclockid(track_created(i), &clock))
			sum += cpu_ms(clock);
	if (!pthread_getcpuclockid(waiter, &clock))
		sum += cpu_ms(clock);
	return sum;
}

/*
 * How many times the threads of this process other than the calling one
 * have been switched out so far (/proc/self/task/TID/status), or -1.
 */
static long others_switches(void)
{
	char path[64], line[128];
	struct dirent *e;
	long sum = 0, n;
	DIR *d = opendir("/proc/self/task");
	FILE *f;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || atol(e->d_name) == (long)gettid())
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;	/* a thread that just ended */
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1 ||
			    sscanf(line, "nonvoluntary_ctxt_switches: %ld", &n) == 1)
				sum += n;
		fclose(f);
	}
	closedir(d);
	return sum;
}

#define BURN_MS 200.0
#define MAX_SWITCHES 40

struct idle_waiter {
	struct job *j;
	struct gate arrived;
};

static void *idle_waiter_run(void *arg)
{
	struct idle_waiter *w = arg;

	gate_arrive(&w->arrived);
	pool_wait(w->j, NULL);
	return NULL;
}

/*
 * Four workers: one runs a job held at a gate, three have nothing to do;
 * another thread waits for the held job.  While the test's own thread does
 * BURN_MS of CPU work, the five must stay asleep.  A thread that spins
 * shows one way or the other: on a CPU of its own it uses about as much CPU
 * as the test's thread; on a busy machine a spinner that calls
 * sched_yield() gets little CPU but is switched in and out again and again,
 * where a thread asleep on a condition variable is not switched in at all.
 */
Test(idle, no_busy_waiting)
{
	struct idle_waiter w;
	struct held h;
	struct pool *p;
	pthread_t tid;
	double start, used, burnt, t0;
	long switches0, switches;
	volatile unsigned long x = 0;

	track_reset();
	p = new_pool(4);
	held_init(&h, NULL);
	gate_init(&w.arrived);
	w.j = pool_submit(p, held_job, &h);
	cr_assert_not_null(w.j, "pool_submit returned NULL");
	test_spawn(&tid, idle_waiter_run, &w);
	gate_await(&w.arrived, 1);

	start = others_ms(tid);
	switches0 = others_switches();
	t0 = cpu_ms(CLOCK_THREAD_CPUTIME_ID);
	while ((burnt = cpu_ms(CLOCK_THREAD_CPUTIME_ID) - t0) < BURN_MS)
		for (int i = 0; i < 10000; i++)
			x += i;
	used = others_ms(tid) - start;
	switches = others_switches() - switches0;
	gate_open(&h.gate);
	test_join(tid);
	pool_free(p);
	cr_assert_lt(used, burnt / 4, "while the test's thread used %.0f ms of CPU, 3 idle workers, "
		"1 worker in a job that waits, and 1 thread in pool_wait used %.0f ms (expected next "
		"to none): something waits by spinning, not on a condition variable", burnt, used);
	cr_assert(switches0 < 0 || switches < MAX_SWITCHES, "while the test's thread used %.0f ms "
		"of CPU, 3 idle workers, 1 worker in a job that waits, and 1 thread in pool_wait were "
		"switched in and out %ld times (expected a handful: a thread asleep is not run): "
		"something waits by spinning, not on a condition variable", burnt, switches);
}

/* ---- errors: bad arguments, and what cannot be made ---- */

static void *nothing(void *arg)
{
	return arg;
}

Test(errors, bad_arguments)
{
	struct pool *p;

	errno = 0;
	cr_assert_null(pool_new(0), "pool_new(0): expected NULL");
	cr_assert_eq(errno, EINVAL, "pool_new(0): expected errno EINVAL, got %s", strerror(errno));
	p = new_pool(1);
	errno = 0;
	cr_assert_null(pool_submit(NULL, nothing, NULL), "pool_submit(NULL, fn, arg): expected NULL");
	cr_assert_eq(errno, EINVAL, "pool_submit(NULL, fn, arg): expected errno EINVAL, got %s",
		strerror(errno));
	errno = 0;
	cr_assert_null(pool_submit(p, NULL, NULL), "pool_submit(p, NULL, arg): expected NULL");
	cr_assert_eq(errno, EINVAL, "pool_submit(p, NULL, arg): expected errno EINVAL, got %s",
		strerror(errno));
	errno = 0;
	cr_assert_eq(pool_wait(NULL, NULL), -1, "pool_wait(NULL, NULL): expected -1");
	cr_assert_eq(errno, EINVAL, "pool_wait(NULL, NULL): expected errno EINVAL, got %s",
		strerror(errno));
	pool_shutdown(NULL);
	pool_free(NULL);
	pool_free(p);
}

/* Checks that a failed pool_new undid everything: threads joined, locks and conditions destroyed, memory freed. */
static void assert_undone(struct pool *p, const char *what, int want_errno)
{
	cr_assert_null(p, "pool_new(4) when %s: expected NULL, got a pool", what);
	cr_assert_eq(errno, want_errno, "pool_new(4) when %s: expected errno %s, got %s", what,
		strerror(want_errno), strerror(errno));
	cr_assert_eq(track_joins(), track_creates(), "pool_new(4) when %s: %d worker(s) created, "
		"%d joined before it returned NULL", what, track_creates(), track_joins());
	cr_assert_eq(mutex_destroys(), mutex_inits(), "pool_new(4) when %s: %d mutex(es) made, %d "
		"destroyed", what, mutex_inits(), mutex_destroys());
	cr_assert_eq(track_cond_destroys(), track_cond_inits(), "pool_new(4) when %s: %d condition "
		"variable(s) made, %d destroyed", what, track_cond_inits(), track_cond_destroys());
	cr_assert_eq(track_cond_unmade_destroys(), 0, "pool_new(4) when %s: %d pthread_cond_destroy "
		"call(s) on a condition variable it had not made (the one whose init failed?): undo "
		"exactly what was made", what, track_cond_unmade_destroys());
	cr_assert_leq((mem_live_blocks() - blocks_before), 0, "pool_new(4) when %s: it returned NULL but kept %ld block(s) it "
		"had allocated: free them too", what, (mem_live_blocks() - blocks_before));
}

Test(errors, create_failure)
{
	char what[64];

	/*
	 * pthread_create returns its error and leaves errno alone: the pool
	 * must pass on the very code, whichever it is (EAGAIN, or EPERM),
	 * and errno is cleared first so that one left over proves nothing.
	 */
	for (int k = 1; k <= 4; k++) {
		int err = k % 2 ? EAGAIN : EPERM;

		track_reset();
		mutex_init_fail_at(0);
		track_create_fail_at(k, err);
		snprintf(what, sizeof(what), "pthread_create fails for worker %d with %s", k,
			err == EAGAIN ? "EAGAIN" : "EPERM");
		errno = 0;
		blocks_before = mem_live_blocks();
		assert_undone(pool_new(4), what, err);
		cr_assert_eq(track_creates(), k - 1, "pool_new(4) when %s: expected %d workers made "
			"before it, got %d", what, k - 1, track_creates());
	}
}

Test(errors, init_failure)
{
	struct pool *p;
	int mutexes, conds;
	char what[64];

	track_reset();
	mutex_init_fail_at(0);
	p = new_pool(2);
	mutexes = mutex_inits();
	conds = track_cond_inits();
	pool_free(p);
	cr_assert_eq(mutex_destroys(), mutexes, "pool_free: %d mutex(es) made, %d destroyed",
		mutexes, mutex_destroys());
	cr_assert_eq(track_cond_destroys(), conds, "pool_free: %d condition variable(s) made, %d "
		"destroyed", conds, track_cond_destroys());
	cr_assert_eq(track_cond_unmade_destroys(), 0, "pool_free: %d pthread_cond_destroy call(s) on a "
		"condition variable pool_new had not made", track_cond_unmade_destroys());
	for (int k = 1; k <= mutexes + conds; k++) {
		track_reset();
		mutex_init_fail_at(k <= mutexes ? k : 0);
		track_cond_init_fail_at(k <= mutexes ? 0 : k - mutexes);
		snprintf(what, sizeof(what), "%s %d of %d fails", k <= mutexes ? "pthread_mutex_init" :
			"pthread_cond_init", k <= mutexes ? k : k - mutexes, k <= mutexes ? mutexes : conds);
		errno = 0;
		blocks_before = mem_live_blocks();
		assert_undone(pool_new(4), what, ENOMEM);
	}
}
