/* 02-counter mutant: every thread increments one shared counter without a lock. */
#include "counter.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 64

/* The arrays below hold MAX_THREADS jobs: refuse anything that would overrun them. */
static void check_nthreads(int nthreads)
{
	if (nthreads < 1 || nthreads > MAX_THREADS) {
		fprintf(stderr, "counter: nthreads must be between 1 and 64\n");
		abort();
	}
}

/*
 * Everything one counting thread needs.  The input is shared but only read;
 * the result is written by this thread alone and read by the caller only
 * after pthread_join, which is what makes the write visible to it.  Each
 * thread gets a pointer to its OWN job, never to a loop variable the caller
 * goes on changing.
 */
struct count_job {
	const int *data;
	size_t begin, end;	/* this thread's slice: data[begin..end) */
	bool (*pred)(int);
};

/* The answer, which every thread adds to. */
static long total;

/* One histogram thread: like count_job, with a private bins array. */
struct histogram_job {
	const int *data;
	size_t begin, end;
	int lo, hi, width, nbins;
	long *bins;		/* nbins counters that only this thread touches */
};

/*
 * Start of slice t of nthreads.  Slice t is [slice_start(t), slice_start(t+1)),
 * so consecutive slices meet exactly, the last one ends at len, and the
 * remainder of len / nthreads is spread one element at a time instead of
 * being dropped.  len * t cannot overflow for any array that fits in memory.
 */
static size_t slice_start(size_t len, int nthreads, int t)
{
	return len * (size_t)t / (size_t)nthreads;
}

static void start_thread(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	int err = pthread_create(tid, NULL, fn, arg);

	if (err) {
		fprintf(stderr, "counter: cannot create thread: %s\n", strerror(err));
		abort();
	}
}

static void *count_slice(void *arg)
{
	struct count_job *job = arg;

	for (size_t i = job->begin; i < job->end; i++)
		if (job->pred(job->data[i]))
			total++;
	return NULL;
}

long count_matching(const int *data, size_t len, int nthreads, bool (*pred)(int))
{
	check_nthreads(nthreads);
	struct count_job jobs[MAX_THREADS];
	pthread_t tids[MAX_THREADS];

	total = 0;
	for (int t = 0; t < nthreads; t++) {
		jobs[t] = (struct count_job) {
			.data = data,
			.begin = slice_start(len, nthreads, t),
			.end = slice_start(len, nthreads, t + 1),
			.pred = pred,
		};
		start_thread(&tids[t], count_slice, &jobs[t]);
	}

	for (int t = 0; t < nthreads; t++)
		pthread_join(tids[t], NULL);
	return total;
}

/* The bin of v, or -1 when v is outside [lo, hi); see counter.h for the rule. */
static int bin_of(int v, int lo, int hi, int width, int nbins)
{
	int k;

	if (v < lo || v >= hi)
		return -1;
	k = (v - lo) / width;
	/* Values in the remainder past lo + nbins*width belong to the last bin. */
	return k < nbins ? k : nbins - 1;
}

static void *histogram_slice(void *arg)
{
	struct histogram_job *job = arg;

	for (size_t i = job->begin; i < job->end; i++) {
		int k = bin_of(job->data[i], job->lo, job->hi, job->width, job->nbins);

		if (k >= 0)
			job->bins[k]++;
	}
	return NULL;
}

void histogram(const int *data, size_t len, int nthreads, long bins[], int nbins,
	       int lo, int hi)
{
	check_nthreads(nthreads);
	struct histogram_job jobs[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	long *local;

	/* One zeroed row of nbins counters per thread, side by side. */
	local = calloc((size_t)nthreads * (size_t)nbins, sizeof(*local));
	if (!local) {
		fprintf(stderr, "counter: out of memory\n");
		abort();
	}

	for (int t = 0; t < nthreads; t++) {
		jobs[t] = (struct histogram_job) {
			.data = data,
			.begin = slice_start(len, nthreads, t),
			.end = slice_start(len, nthreads, t + 1),
			.lo = lo,
			.hi = hi,
			.width = (hi - lo) / nbins,
			.nbins = nbins,
			.bins = local + (size_t)t * (size_t)nbins,
		};
		start_thread(&tids[t], histogram_slice, &jobs[t]);
	}

	for (int k = 0; k < nbins; k++)
		bins[k] = 0;
	for (int t = 0; t < nthreads; t++) {
		pthread_join(tids[t], NULL);
		for (int k = 0; k < nbins; k++)
			bins[k] += jobs[t].bins[k];
	}
	free(local);
}
