/* Detector scenarios for 02-counter: the student's threads over shared input. */
#include "counter.h"
#include "scenario.h"

#include <stdbool.h>

#define LEN 240

/* Written before any thread starts, then only read: never a race by itself. */
static int input[LEN];

static void fill_input(void)
{
	for (int i = 0; i < LEN; i++)
		input[i] = i % 60;
}

static bool is_odd(int v)
{
	return v % 2 != 0;
}

/*
 * Four threads count at once: a shared counter bumped without a lock, a
 * thread handed &i, or a result read before its thread was joined all show
 * as conflicting accesses in the student's file.
 */
static void count_four_threads(void)
{
	fill_input();
	(void)count_matching(input, LEN, 4, is_odd);
}

/*
 * Four threads histogram at once: a shared bins array without a lock shows.
 * bins is static because DRD does not watch stack variables by default.
 */
static void histogram_four_threads(void)
{
	static long bins[6];

	fill_input();
	histogram(input, LEN, 4, bins, 6, 0, 60);
}

/*
 * No scenario calls the functions from two threads at once (the tests do):
 * when two threads create threads at the same time, glibc hands a cached
 * thread stack from one to the other under a lock Helgrind cannot see, and
 * Helgrind reports a race in pthread_create called from the student's file
 * even for a correct solution.
 */
const struct scenario scenarios[] = {
	{ "count_four_threads", "count_matching with 4 threads", count_four_threads },
	{ "histogram_four_threads", "histogram with 4 threads", histogram_four_threads },
};
const size_t nscenarios = sizeof(scenarios) / sizeof(scenarios[0]);
