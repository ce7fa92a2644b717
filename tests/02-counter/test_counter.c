/* Tests for 02-counter: results, the threads made and joined, per-thread arguments. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "counter.h"
#include "faults_mem.h"

/* ---- watching pthread_create and pthread_join ---- */

/*
 * The manifest links this binary with -Wl,--wrap=pthread_create and
 * -Wl,--wrap=pthread_join, so the student's calls land here.  While a test
 * is "tracking", every thread created is recorded and every join is matched
 * against the record.  The test's own helper threads call __real_* directly
 * and are never counted.
 *
 * A tracking test may also close the start gate: a new thread then waits,
 * before it runs the student's function, until the caller first calls
 * pthread_join.  That is a schedule the OS is free to pick anyway (a thread
 * may start as late as it likes); it makes sure every thread runs only after
 * the creating loop has finished, which is when a thread handed &i sees the
 * wrong i.
 */
int __real_pthread_create(pthread_t *tid, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg);
int __real_pthread_join(pthread_t tid, void **ret);

#define MAX_TRACKED 256

static pthread_mutex_t track_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool tracking;
static bool gate_closed;
/*
 * Fault injection, used only in a forked child: with create_fails_at 0 any
 * thread creation is a failure (the child exits 3); with k > 0 the k-th
 * pthread_create call returns EAGAIN as a real one may.
 */
static int create_fails_at = -1;
static int create_calls;
/* With k > 0 the k-th pthread_join joins its thread, then reports EINVAL. */
static int join_fails_at = -1;
static int join_calls;
static pthread_t created[MAX_TRACKED];
static bool joined[MAX_TRACKED];
static int ncreated;		/* may exceed MAX_TRACKED; then only counted */
static int njoined;		/* joins that matched a created, unjoined thread */

struct start {
	void *(*fn)(void *);
	void *arg;
};

static void *gated_start(void *p)
{
	struct start s = *(struct start *)p;

	free(p);
	pthread_mutex_lock(&track_lock);
	while (gate_closed)
		pthread_cond_wait(&gate_cond, &track_lock);
	pthread_mutex_unlock(&track_lock);
	return s.fn(s.arg);
}

int __wrap_pthread_create(pthread_t *tid, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg)
{
	struct start *s;
	int rc;

	if (create_fails_at == 0)
		_exit(3);	/* not abort(): the tests expect SIGABRT from the student */
	if (create_fails_at > 0 && ++create_calls == create_fails_at)
		return EAGAIN;
	if (!tracking)
		return __real_pthread_create(tid, attr, fn, arg);
	s = malloc(sizeof(*s));
	cr_assert_not_null(s, "test: out of memory");
	s->fn = fn;
	s->arg = arg;
	rc = __real_pthread_create(tid, attr, gated_start, s);
	if (rc) {
		free(s);
		return rc;
	}
	pthread_mutex_lock(&track_lock);
	if (ncreated < MAX_TRACKED) {
		created[ncreated] = *tid;
		joined[ncreated] = false;
	}
	ncreated++;
	pthread_mutex_unlock(&track_lock);
	return 0;
}

int __wrap_pthread_join(pthread_t tid, void **ret)
{
	int rc;

	if (join_fails_at > 0 && ++join_calls == join_fails_at) {
		rc = __real_pthread_join(tid, ret);
		return rc ? rc : EINVAL;
	}
	if (!tracking)
		return __real_pthread_join(tid, ret);
	pthread_mutex_lock(&track_lock);
	gate_closed = false;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&track_lock);

	rc = __real_pthread_join(tid, ret);
	if (rc)
		return rc;
	pthread_mutex_lock(&track_lock);
	for (int i = 0; i < ncreated && i < MAX_TRACKED; i++) {
		if (!joined[i] && pthread_equal(created[i], tid)) {
			joined[i] = true;
			njoined++;
			break;
		}
	}
	pthread_mutex_unlock(&track_lock);
	return rc;
}

/* Start recording (and gating, when gate is true) the next call's threads. */
static void track_start(bool gate)
{
	pthread_mutex_lock(&track_lock);
	ncreated = 0;
	njoined = 0;
	gate_closed = gate;
	tracking = true;
	pthread_mutex_unlock(&track_lock);
}

/*
 * Stop recording: open the gate, then reap any thread the student did not
 * join, so that it cannot go on writing into a stack frame that has since
 * been reused by the test (a crash there would hide the test's message).
 */
static void track_stop(void)
{
	pthread_mutex_lock(&track_lock);
	tracking = false;
	gate_closed = false;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&track_lock);

	for (int i = 0; i < ncreated && i < MAX_TRACKED; i++) {
		if (!joined[i]) {
			__real_pthread_join(created[i], NULL);
			joined[i] = true;
		}
	}
}

/* ---- data and single-threaded references ---- */

/* xorshift32: the same data on every run and every machine. */
static uint32_t rng_next(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* len values uniform in [min, max), from a fixed seed; caller frees. */
static int *random_data(size_t len, int min, int max, uint32_t seed)
{
	int *data = malloc((len ? len : 1) * sizeof(*data));
	uint32_t state = seed;

	cr_assert_not_null(data, "test: out of memory");
	for (size_t i = 0; i < len; i++)
		data[i] = min + (int)(rng_next(&state) % (uint32_t)(max - min));
	return data;
}

static bool is_even(int v)
{
	return v % 2 == 0;
}

static bool is_multiple_of_7(int v)
{
	return v % 7 == 0;
}

static bool is_negative(int v)
{
	return v < 0;
}

static long count_ref(const int *data, size_t len, bool (*pred)(int))
{
	long n = 0;

	for (size_t i = 0; i < len; i++)
		if (pred(data[i]))
			n++;
	return n;
}

/* The rule of counter.h, written out plainly. */
static void histogram_ref(const int *data, size_t len, long bins[], int nbins,
			  int lo, int hi)
{
	int w = (hi - lo) / nbins;

	for (int k = 0; k < nbins; k++)
		bins[k] = 0;
	for (size_t i = 0; i < len; i++) {
		int v = data[i], k;

		if (v < lo || v >= hi)
			continue;
		k = (v - lo) / w;
		if (k >= nbins)
			k = nbins - 1;
		bins[k]++;
	}
}

/* Compares a histogram with the expected one, naming the first bin that differs. */
static void assert_bins(const long *got, const long *want, int nbins, const char *what)
{
	for (int k = 0; k < nbins; k++)
		cr_assert_eq(got[k], want[k], "%s: bin %d of %d: expected %ld, got %ld",
			     what, k, nbins, want[k], got[k]);
}

/* ---- count_matching ---- */

/* A length every thread count used below divides: 2^5 * 3^2 * 5 * 7. */
#define EVEN_LEN 10080

Test(count, single_thread)
{
	int *data = random_data(EVEN_LEN, -1000, 1000, 2024);
	long want = count_ref(data, EVEN_LEN, is_even);
	long got = count_matching(data, EVEN_LEN, 1, is_even);

	cr_assert_eq(got, want, "count_matching(%d random ints, 1 thread, is_even): "
		     "expected %ld, got %ld", EVEN_LEN, want, got);
	free(data);
}

Test(count, many_threads)
{
	static const int counts[] = { 2, 3, 4, 8, 16 };
	int *data = random_data(EVEN_LEN, -1000, 1000, 7);
	bool (*preds[])(int) = { is_even, is_multiple_of_7, is_negative };
	const char *names[] = { "is_even", "is_multiple_of_7", "is_negative" };

	for (size_t p = 0; p < 3; p++) {
		long want = count_ref(data, EVEN_LEN, preds[p]);

		for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
			long got = count_matching(data, EVEN_LEN, counts[c], preds[p]);

			cr_assert_eq(got, want, "count_matching(%d random ints, %d threads, %s): "
				     "expected %ld, got %ld",
				     EVEN_LEN, counts[c], names[p], want, got);
		}
	}
	free(data);
}

/*
 * With data[i] == i, the predicate can tell which elements it was asked
 * about: each must be asked about exactly once, whatever len % nthreads.
 */
#define UNEVEN_LEN 1001

static atomic_int times_seen[UNEVEN_LEN];

static bool see_multiple_of_3(int v)
{
	if (v >= 0 && v < UNEVEN_LEN)
		atomic_fetch_add(&times_seen[v], 1);
	return v % 3 == 0;
}

Test(count, uneven_split)
{
	static const int counts[] = { 2, 3, 4, 6, 7, 10, 16, 64 };
	int data[UNEVEN_LEN];
	long want = 0;

	for (int i = 0; i < UNEVEN_LEN; i++) {
		data[i] = i;
		want += i % 3 == 0;
	}
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		long got;

		for (int i = 0; i < UNEVEN_LEN; i++)
			atomic_store(&times_seen[i], 0);
		got = count_matching(data, UNEVEN_LEN, counts[c], see_multiple_of_3);
		for (int i = 0; i < UNEVEN_LEN; i++) {
			int seen = atomic_load(&times_seen[i]);

			cr_assert_eq(seen, 1, "count_matching(len %d, %d threads): element %d "
				     "was passed to pred %d times, expected once",
				     UNEVEN_LEN, counts[c], i, seen);
		}
		cr_assert_eq(got, want, "count_matching(len %d, %d threads): expected %ld, got %ld",
			     UNEVEN_LEN, counts[c], want, got);
	}
}

Test(count, fewer_items_than_threads)
{
	static const struct { size_t len; int nthreads; } cases[] = {
		{ 3, 8 }, { 1, 64 }, { 5, 6 }, { 63, 64 }, { 0, 4 },
	};
	int *data = random_data(64, -50, 50, 99);

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		long want = count_ref(data, cases[c].len, is_even);
		long got = count_matching(data, cases[c].len, cases[c].nthreads, is_even);

		cr_assert_eq(got, want, "count_matching(len %zu, %d threads, is_even): "
			     "expected %ld, got %ld",
			     cases[c].len, cases[c].nthreads, want, got);
	}
	free(data);
}

/*
 * Several callers at once, each with its own data and predicate, lined up
 * by a barrier every round: a solution that keeps its arguments or partial
 * results in globals mixes one call's work into another's.
 */
#define CALLERS 4
#define CALL_ROUNDS 40
#define CALL_LEN 1200

static pthread_barrier_t callers_ready;

#define CALL_BINS 8

struct caller {
	int *data;
	bool (*pred)(int);	/* count_matching with it; NULL: histogram */
	long want;		/* the count, or the sum of k * bins[k] */
	long wrong_got;		/* first wrong result, valid when nwrong > 0 */
	int nwrong;
};

/* One number for a whole histogram, that changes when any bin does. */
static long bins_digest(const long *bins)
{
	long d = 0;

	for (int k = 0; k < CALL_BINS; k++)
		d = d * 31 + bins[k];
	return d;
}

static void *caller_run(void *arg)
{
	struct caller *c = arg;

	for (int r = 0; r < CALL_ROUNDS; r++) {
		long got;

		pthread_barrier_wait(&callers_ready);
		if (c->pred) {
			got = count_matching(c->data, CALL_LEN, 3, c->pred);
		} else {
			long bins[CALL_BINS];

			histogram(c->data, CALL_LEN, 3, bins, CALL_BINS, -400, 400);
			got = bins_digest(bins);
		}
		if (got != c->want && c->nwrong++ == 0)
			c->wrong_got = got;
	}
	return NULL;
}

/* Runs every caller in a thread of the test's own (never counted), all lined up each round. */
static void run_callers(struct caller *callers)
{
	pthread_t tids[CALLERS];

	pthread_barrier_init(&callers_ready, NULL, CALLERS);
	for (int i = 0; i < CALLERS; i++)
		cr_assert_eq(__real_pthread_create(&tids[i], NULL, caller_run, &callers[i]), 0,
			     "test: cannot create caller thread");
	for (int i = 0; i < CALLERS; i++)
		__real_pthread_join(tids[i], NULL);
	pthread_barrier_destroy(&callers_ready);
}

Test(count, concurrent_calls)
{
	bool (*preds[CALLERS])(int) = { is_even, is_multiple_of_7, is_negative, is_even };
	struct caller callers[CALLERS];

	for (int i = 0; i < CALLERS; i++) {
		/* Different ranges, so that every caller expects a different count. */
		callers[i] = (struct caller) {
			.data = random_data(CALL_LEN, -100 * (i + 1), 50 * (i + 1), 31 + i),
			.pred = preds[i],
		};
		callers[i].want = count_ref(callers[i].data, CALL_LEN, callers[i].pred);
	}
	run_callers(callers);

	for (int i = 0; i < CALLERS; i++) {
		cr_assert_eq(callers[i].nwrong, 0, "%d callers calling count_matching at once "
			     "(%d threads each): caller %d got %ld instead of %ld in %d of %d "
			     "rounds; is some state shared between calls?",
			     CALLERS, 3, i, callers[i].wrong_got, callers[i].want,
			     callers[i].nwrong, CALL_ROUNDS);
		free(callers[i].data);
	}
}

/* The same for histogram: private rows kept in a static array, say, are shared by every caller. */
Test(histogram, concurrent_calls)
{
	struct caller callers[CALLERS];

	for (int i = 0; i < CALLERS; i++) {
		long want[CALL_BINS];

		/* Different ranges, so that every caller expects different bins. */
		callers[i] = (struct caller) {
			.data = random_data(CALL_LEN, -100 * (i + 1), 50 * (i + 1), 41 + i),
		};
		histogram_ref(callers[i].data, CALL_LEN, want, CALL_BINS, -400, 400);
		callers[i].want = bins_digest(want);
	}
	run_callers(callers);

	for (int i = 0; i < CALLERS; i++) {
		cr_assert_eq(callers[i].nwrong, 0, "%d callers calling histogram at once (3 threads, "
			     "%d bins each): caller %d got wrong bins in %d of %d rounds; is some state "
			     "shared between calls?", CALLERS, CALL_BINS, i, callers[i].nwrong, CALL_ROUNDS);
		free(callers[i].data);
	}
}

/* ---- the threads themselves ---- */

Test(threads, exact_count)
{
	static const int counts[] = { 1, 2, 5, 64 };
	int *data = random_data(1000, 0, 100, 5);
	long bins[10];

	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		int n;

		track_start(false);
		count_matching(data, 1000, counts[c], is_even);
		n = ncreated;
		track_stop();
		cr_assert_eq(n, counts[c], "count_matching(len 1000, nthreads %d) created "
			     "%d threads, expected %d", counts[c], n, counts[c]);

		track_start(false);
		histogram(data, 1000, counts[c], bins, 10, 0, 100);
		n = ncreated;
		track_stop();
		cr_assert_eq(n, counts[c], "histogram(len 1000, nthreads %d) created "
			     "%d threads, expected %d", counts[c], n, counts[c]);
	}
	free(data);
}

Test(threads, all_joined)
{
	static const int counts[] = { 1, 2, 4, 16 };
	int *data = random_data(1000, 0, 100, 6);
	long bins[10];
	int made, done;

	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		track_start(false);
		count_matching(data, 1000, counts[c], is_even);
		made = ncreated;
		done = njoined;
		track_stop();
		cr_assert_gt(made, 0, "count_matching(nthreads %d) created no thread at all",
			     counts[c]);
		cr_assert_eq(done, made, "count_matching(nthreads %d) returned with %d of its "
			     "%d threads not joined", counts[c], made - done, made);

		track_start(false);
		histogram(data, 1000, counts[c], bins, 10, 0, 100);
		made = ncreated;
		done = njoined;
		track_stop();
		cr_assert_gt(made, 0, "histogram(nthreads %d) created no thread at all",
			     counts[c]);
		cr_assert_eq(done, made, "histogram(nthreads %d) returned with %d of its "
			     "%d threads not joined", counts[c], made - done, made);
	}
	free(data);
}

/*
 * Every thread starts only once the caller first calls pthread_join, so
 * after all of them were created.  Each must still find its own slice.
 */
Test(threads, own_argument)
{
	static const int counts[] = { 2, 3, 4, 8 };
	int *data = random_data(EVEN_LEN, -500, 500, 11);
	long want = count_ref(data, EVEN_LEN, is_multiple_of_7);
	long want_bins[8], bins[8];

	histogram_ref(data, EVEN_LEN, want_bins, 8, -400, 400);
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		char what[160];
		long got;

		track_start(true);
		got = count_matching(data, EVEN_LEN, counts[c], is_multiple_of_7);
		track_stop();
		cr_assert_eq(got, want, "count_matching(%d ints, %d threads) with threads that "
			     "start late: expected %ld, got %ld; does each thread get an "
			     "argument of its own?", EVEN_LEN, counts[c], want, got);

		memset(bins, 0, sizeof(bins));
		track_start(true);
		histogram(data, EVEN_LEN, counts[c], bins, 8, -400, 400);
		track_stop();
		snprintf(what, sizeof(what), "histogram(%d ints, %d threads, 8 bins over "
			 "[-400, 400)) with threads that start late", EVEN_LEN, counts[c]);
		assert_bins(bins, want_bins, 8, what);
	}
	free(data);
}

/* ---- histogram ---- */

Test(histogram, single_thread)
{
	int *data = random_data(EVEN_LEN, -20, 120, 3);
	long want[10], got[10] = { 0 };

	histogram_ref(data, EVEN_LEN, want, 10, 0, 100);
	histogram(data, EVEN_LEN, 1, got, 10, 0, 100);
	assert_bins(got, want, 10, "histogram(random ints in [-20, 120), 1 thread, "
		    "10 bins over [0, 100))");
	free(data);
}

Test(histogram, many_threads)
{
	static const int counts[] = { 2, 3, 4, 7, 16 };
	/* A prime length, so that no thread count divides it. */
	const size_t len = 10007;
	int *data = random_data(len, -60, 60, 4);
	long want[20], got[20];

	histogram_ref(data, len, want, 20, -50, 50);
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		char what[128];

		memset(got, 0, sizeof(got));
		histogram(data, len, counts[c], got, 20, -50, 50);
		snprintf(what, sizeof(what), "histogram(%zu random ints, %d threads, "
			 "20 bins over [-50, 50))", len, counts[c]);
		assert_bins(got, want, 20, what);
	}
	free(data);
}

Test(histogram, bins_zeroed)
{
	int *data = random_data(2000, 0, 40, 8);
	long want[4], got[4];

	histogram_ref(data, 2000, want, 4, 0, 40);
	for (int round = 0; round < 2; round++) {
		/* Leftovers from an earlier use of the array must not count. */
		for (int k = 0; k < 4; k++)
			got[k] = 777;
		histogram(data, 2000, 4, got, 4, 0, 40);
		assert_bins(got, want, 4, "histogram(4 threads) into a bins array that "
			    "held 777 in every bin");
	}
	free(data);
}

Test(histogram, out_of_range_ignored)
{
	int data[] = { INT_MIN, -11, -10, -1, 0, 9, 10, 19, 20, 29, 30, INT_MAX, -10, 29 };
	size_t len = sizeof(data) / sizeof(data[0]);
	/* bins over [-10, 30): [-10,0) [0,10) [10,20) [20,30) */
	long want[4] = { 3, 2, 2, 3 }, got[4] = { 0 };

	histogram(data, len, 2, got, 4, -10, 30);
	assert_bins(got, want, 4, "histogram of {INT_MIN, -11, -10, -1, 0, 9, 10, 19, 20, "
		    "29, 30, INT_MAX, -10, 29}, 2 threads, 4 bins over [-10, 30)");
}

/*
 * 0..9 into 3 bins over [0, 10): w = 3, and 9 lies past 3 * 3, in the
 * remainder, which counter.h gives to the last bin.
 */
Test(histogram, remainder_to_last_bin)
{
	int data[100];
	long want3[3] = { 30, 30, 40 }, got3[3] = { 0 };
	long want7[7], got7[7] = { 0 };

	for (int i = 0; i < 100; i++)
		data[i] = i % 10;
	histogram(data, 100, 4, got3, 3, 0, 10);
	assert_bins(got3, want3, 3, "histogram(0..9 ten times each, 4 threads, 3 bins "
		    "over [0, 10): the last bin is [6, 10))");

	/* 100 values in [-50, 50) into 7 bins: w = 14, the last bin is [34, 50). */
	for (int i = 0; i < 100; i++)
		data[i] = i - 50;
	for (int k = 0; k < 6; k++)
		want7[k] = 14;
	want7[6] = 16;
	histogram(data, 100, 5, got7, 7, -50, 50);
	assert_bins(got7, want7, 7, "histogram(-50..49, 5 threads, 7 bins over [-50, 50): "
		    "the last bin is [34, 50))");
}

/*
 * nthreads outside 1..64 must abort before any thread is created.  Without
 * the check 0 threads returns 0, and 65 or more start threads that write
 * past 64-entry arrays.  The call runs in a child; create_fails_at 0 turns the
 * child's first thread creation into a plain exit, so neither a quiet return
 * nor a stack-smashing abort after the overrun passes.  The huge counts go
 * to count_matching: histogram's calloc of nthreads rows would fail and
 * abort for the wrong reason.
 */
static void expect_abort(int nthreads, bool use_histogram, int fail_at, int join_fail_at)
{
	static const int data[4] = { 1, 2, 3, 4 };
	long bins[2];
	int status;
	pid_t pid = fork();

	cr_assert_neq(pid, -1, "test: cannot fork");
	if (pid == 0) {
		create_fails_at = fail_at;
		join_fails_at = join_fail_at;
		if (use_histogram)
			histogram(data, 4, nthreads, bins, 2, 0, 4);
		else
			count_matching(data, 4, nthreads, is_even);
		_exit(4);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid, "test: waitpid failed");
	cr_assert(!(WIFEXITED(status) && WEXITSTATUS(status) == 4),
		  "%s(nthreads %d) returned instead of aborting%s",
		  use_histogram ? "histogram" : "count_matching", nthreads,
		  join_fail_at > 0 ? " when a pthread_join failed (is its result checked?)" : "");
	cr_assert(!(WIFEXITED(status) && WEXITSTATUS(status) == 3),
		  "nthreads %d: a thread was created before the limit was checked",
		  nthreads);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
		  "nthreads %d: expected abort(), got %s %d", nthreads,
		  WIFSIGNALED(status) ? "signal" : "exit status",
		  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

Test(limits, zero_threads)
{
	expect_abort(0, false, 0, -1);
	expect_abort(0, true, 0, -1);
}

Test(limits, too_many_threads)
{
	expect_abort(65, false, 0, -1);
	expect_abort(65, true, 0, -1);
}

Test(limits, negative_or_huge)
{
	expect_abort(INT_MAX, false, 0, -1);
	expect_abort(-1, false, 0, -1);
}

/*
 * The k-th pthread_create fails: the header says the program aborts.  A
 * caller that ignores the error goes on to join a thread that never existed.
 */
Test(threads, create_failure_aborts)
{
	expect_abort(4, false, 1, -1);
	expect_abort(4, false, 3, -1);
	expect_abort(4, true, 2, -1);
}

/*
 * The k-th pthread_join fails (it did join the thread, then said EINVAL):
 * the header says the program aborts, as for a failed pthread_create.  A
 * caller that ignores what pthread_join returns adds up a result it has no
 * right to read.
 */
Test(threads, join_failure_aborts)
{
	expect_abort(4, false, -1, 1);
	expect_abort(4, false, -1, 4);
	expect_abort(3, true, -1, 2);
}

/*
 * Nothing in counter.h bounds nbins: a private array of a fixed size in
 * each thread's job (say 32 counters) runs past its end here.
 */
Test(histogram, many_bins)
{
	static const struct { int nbins, lo, hi, nthreads; } cases[] = {
		{ 1000, 0, 1000, 4 }, { 333, -500, 500, 3 }, { 4096, -5000, 5000, 7 },
	};
	const size_t len = 20011;
	int *data = random_data(len, -6000, 6000, 11);

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		int nbins = cases[c].nbins;
		long *want = calloc((size_t)nbins, sizeof(*want));
		long *got = calloc((size_t)nbins, sizeof(*got));
		char what[128];

		cr_assert(want && got, "test: out of memory");
		histogram_ref(data, len, want, nbins, cases[c].lo, cases[c].hi);
		histogram(data, len, cases[c].nthreads, got, nbins, cases[c].lo, cases[c].hi);
		snprintf(what, sizeof(what), "histogram(%zu random ints, %d threads, %d bins over [%d, %d))",
			 len, cases[c].nthreads, nbins, cases[c].lo, cases[c].hi);
		assert_bins(got, want, nbins, what);
		free(want);
		free(got);
	}
	free(data);
}

/* What histogram allocates for its threads' private counters, it frees before it returns (rule 6). */
Test(histogram, frees_its_memory)
{
	int *data = random_data(5000, 0, 100, 12);
	long bins[10];
	long before, left;

	before = mem_live_blocks();
	for (int nthreads = 1; nthreads <= 8; nthreads *= 2)
		histogram(data, 5000, nthreads, bins, 10, 0, 100);
	(void)count_matching(data, 5000, 4, is_even);
	left = mem_live_blocks() - before;
	cr_assert_eq(left, 0, "histogram and count_matching left %ld block(s) allocated after they "
		     "returned: free what you allocate", left);
	free(data);
}
