/* Memory fault injection for stages' tests: a count of the blocks allocated and not yet freed, and allocations that fail. */
#ifndef RACECOURSE_FAULTS_MEM_H
#define RACECOURSE_FAULTS_MEM_H

#include <stdbool.h>

/*
 * A stage lists "faults_mem.c" in its manifest's "lib_sources" and
 * "-Wl,--wrap=malloc", "-Wl,--wrap=calloc", "-Wl,--wrap=realloc",
 * "-Wl,--wrap=free", "-Wl,--wrap=strdup", "-Wl,--wrap=strndup" in its
 * "ldflags".  The wrappers see the calls made by the objects of the test
 * program (the student's code, the tests, tests/lib), not those made inside
 * shared libraries (Criterion, libc itself): a strdup is wrapped too, so
 * that its block is seen.  They pass every call through, counting, until a
 * test arms a failure.
 */

/*
 * The blocks handed out by the wrapped calls, by every thread, and not yet
 * freed.  Only the difference between two readings means anything: take
 * one before the code under test makes something and one after it freed
 * it, with no other thread of the test allocating in between.
 */
long mem_live_blocks(void);

/*
 * The bytes of those blocks, as the allocator sizes them (at least what
 * was asked for): for memory that grows inside blocks, a table doubled
 * again and again.  Read it as mem_live_blocks().
 */
long mem_live_bytes(void);

/*
 * Make the k-th allocation (malloc, calloc, realloc to a non-zero size,
 * strdup, strndup) from now on, by any thread, return NULL as when memory
 * runs out (k >= 1; 0: none), and with `and_after` every allocation after
 * it too.  A failed call is not counted as a live block.
 */
void mem_fail_at(int k, bool and_after);

/* The allocations attempted since the last mem_fail_at() (or the start), failed ones included. */
int mem_allocations(void);

#endif
