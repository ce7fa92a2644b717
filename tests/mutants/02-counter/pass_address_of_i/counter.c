/* 02-counter mutant: each thread is handed &i, the creating loop's counter. */
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

/* What every thread needs, set by count_matching before it starts them. */
static const int *count_data;
static size_t count_len;
static int count_nthreads;
static bool (*count_pred)(int);
static long partial[MAX_THREADS];	/* partial[t] written by thread t */

/* One histogram thread: its slice and a private bins array. */
struct histogram_job {
	const int *data;
	size_t begin, end;
	int lo, hi, width, nbins;
	long *bins;
};

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
	int t = *(int *)arg;	/* which thread am I? */
	size_t begin = slice_start(count_len, count_nthreads, t);
	size_t end = slice_start(count_len, count_nthreads, t + 1);
	long count = 0;

	for (size_t i = begin; i < end; i++)
		if (count_pred(count_data[i]))
			count++;
	partial[t] = count;
	return NULL;
}

long count_matching(const int *data, size_t len, int nthreads, bool (*pred)(int))
{
	check_nthreads(nthreads);
	pthread_t tids[MAX_THREADS];
	long total = 0;

	count_data = data;
	count_len = len;
	count_nthreads = nthreads;
	count_pred = pred;
	for (int i = 0; i < nthreads; i++) {
		partial[i] = 0;
		start_thread(&tids[i], count_slice, &i);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(tids[i], NULL);
		total += partial[i];
	}
	return total;
}

/* The bin of v, or -1 when v is outside [lo, hi). */
static int bin_of(int v, int lo, int hi, int width, int nbins)
{
	int k;

	if (v < lo || v >= hi)
		return -1;
	k = (v - lo) / width;
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
