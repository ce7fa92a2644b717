/* 02-counter reference solution: one slice and one private result per thread. */
#include "counter.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 64

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
	long count;		/* result, written by the thread */
};

/* One histogram thread: like count_job, with a private bins array. */
struct histogram_job {
	const int *data;
	size_t begin, end;
	int lo, hi, width, nbins;
	long bins[32];		/* this thread's counters */
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

/* There is no way to report a partial result, so every failure ends here. */
static _Noreturn void die(const char *what, int err)
{
	if (err)
		fprintf(stderr, "counter: %s: %s\n", what, strerror(err));
	else
		fprintf(stderr, "counter: %s\n", what);
	abort();
}

/* The arrays below hold MAX_THREADS jobs: refuse anything that would overrun them. */
static void check_nthreads(int nthreads)
{
	if (nthreads < 1 || nthreads > MAX_THREADS)
		die("nthreads must be between 1 and 64", 0);
}

static void start_thread(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	int err = pthread_create(tid, NULL, fn, arg);

	if (err)
		die("cannot create thread", err);
}

static void join_thread(pthread_t tid)
{
	int err = pthread_join(tid, NULL);

	if (err)
		die("cannot join thread", err);
}

static void *count_slice(void *arg)
{
	struct count_job *job = arg;
	long count = 0;

	for (size_t i = job->begin; i < job->end; i++)
		if (job->pred(job->data[i]))
			count++;
	job->count = count;
	return NULL;
}

long count_matching(const int *data, size_t len, int nthreads, bool (*pred)(int))
{
	struct count_job jobs[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	long total = 0;

	check_nthreads(nthreads);
	for (int t = 0; t < nthreads; t++) {
		jobs[t] = (struct count_job) {
			.data = data,
			.begin = slice_start(len, nthreads, t),
			.end = slice_start(len, nthreads, t + 1),
			.pred = pred,
		};
		start_thread(&tids[t], count_slice, &jobs[t]);
	}

	/* Only after a join may we read what that thread wrote. */
	for (int t = 0; t < nthreads; t++) {
		join_thread(tids[t]);
		total += jobs[t].count;
	}
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
	struct histogram_job jobs[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	long *local;

	check_nthreads(nthreads);
	/* One zeroed row of nbins counters per thread, side by side. */
	local = NULL;

	for (int t = 0; t < nthreads; t++) {
		jobs[t] = (struct histogram_job) {
			.data = data,
			.begin = slice_start(len, nthreads, t),
			.end = slice_start(len, nthreads, t + 1),
			.lo = lo,
			.hi = hi,
			.width = (hi - lo) / nbins,
			.nbins = nbins,
		};
		start_thread(&tids[t], histogram_slice, &jobs[t]);
	}

	for (int k = 0; k < nbins; k++)
		bins[k] = 0;
	for (int t = 0; t < nthreads; t++) {
		join_thread(tids[t]);
		for (int k = 0; k < nbins; k++)
			bins[k] += jobs[t].bins[k];
	}
	free(local);
}
