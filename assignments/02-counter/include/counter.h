/* 02-counter: count and histogram an int array, split across threads. */
#ifndef COUNTER_H
#define COUNTER_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Both functions split data[0..len) into nthreads contiguous slices, one per
 * thread, and follow the same rules:
 *
 *  - exactly nthreads threads are created with pthread_create, 1 <= nthreads
 *    <= 64, even when some slices are empty (len < nthreads, or len == 0);
 *  - the slices together cover every element exactly once, whether or not
 *    len is a multiple of nthreads;
 *  - each thread works into its own private result, and the results are
 *    combined by the calling thread only after every thread has been joined
 *    with pthread_join; no thread is left running when the function returns;
 *  - the functions keep no state between calls, so several threads may call
 *    them at the same time (on the same or on different data);
 *  - data is only read, never written or kept; it may be NULL when len is 0.
 *
 * If nthreads is outside 1..64, or a thread cannot be created or joined,
 * the program prints a message and aborts:
 * these functions have no way to report a partial result.
 */

/*
 * Returns how many elements of data[0..len) pred returns true for, counted
 * by nthreads threads.  pred is called exactly once for each element, from
 * any of the threads and possibly at the same time from several of them, so
 * it must be safe to call concurrently.
 */
long count_matching(const int *data, size_t len, int nthreads, bool (*pred)(int));

/*
 * Fills bins[0..nbins) with a histogram of data[0..len), built by nthreads
 * threads.  Requires nbins >= 1, lo < hi, hi - lo >= nbins, and hi - lo
 * representable as an int.
 *
 * With the bin width w = (hi - lo) / nbins (integer division), bin k counts
 * the values v with lo + k*w <= v < lo + (k+1)*w, except that the LAST bin,
 * k = nbins - 1, counts every value from lo + (nbins-1)*w up to hi - 1.
 * So when (hi - lo) is not a multiple of nbins the last bin is wider by the
 * remainder (hi - lo) % nbins, and every value in [lo, hi) is counted in
 * exactly one bin.  Example: lo 0, hi 10, nbins 3 gives w 3 and the bins
 * [0,3) [3,6) [6,10).
 *
 * Values below lo or at or above hi are ignored.  The previous contents of
 * bins are overwritten: the caller need not zero it.  bins belongs to the
 * caller; the function writes it only from the calling thread, after the
 * join.
 */
void histogram(const int *data, size_t len, int nthreads, long bins[], int nbins,
	       int lo, int hi);

#endif
