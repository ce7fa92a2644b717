/* 02-counter: count and histogram an int array with nthreads threads (your file). */
#include "counter.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_THREADS 64

/*
 * What one thread needs to know, and where it leaves its answer.  Give each
 * thread a pointer to its own one of these (not to a variable that the
 * creating loop keeps changing).  Add what is missing.
 */
struct count_job {
	const int *data;
	size_t begin, end;	/* this thread's slice: data[begin..end) */
	bool (*pred)(int);
	long count;		/* written by the thread, read after pthread_join */
};

/* The function each counting thread runs: count its own slice. */
static void *count_slice(void *arg)
{
	struct count_job *job = arg;

	/* TODO: count the elements of the slice that job->pred accepts. */
	(void)job;
	return NULL;
}

long count_matching(const int *data, size_t len, int nthreads, bool (*pred)(int))
{
	struct count_job jobs[MAX_THREADS];
	pthread_t tids[MAX_THREADS];

	/*
	 * TODO:
	 *  1. for each of the nthreads threads, fill in jobs[t] with its slice
	 *     (the slices must cover all len elements, even when nthreads does
	 *     not divide len) and start it with pthread_create;
	 *  2. join every thread, then add up the counts.
	 */
	(void)data;
	(void)len;
	(void)nthreads;
	(void)pred;
	(void)jobs;
	(void)tids;
	(void)count_slice;
	return 0;
}

void histogram(const int *data, size_t len, int nthreads, long bins[], int nbins,
	       int lo, int hi)
{
	/*
	 * TODO: the same shape as count_matching, but each thread fills a
	 * private array of nbins counters; after the joins, zero bins and add
	 * the private arrays into it.  Read counter.h for which bin a value
	 * goes to, including the values past lo + nbins * w.
	 */
	(void)data;
	(void)len;
	(void)nthreads;
	(void)bins;
	(void)nbins;
	(void)lo;
	(void)hi;
}
