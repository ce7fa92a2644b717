/* What the code under test allocates and frees, counted through --wrap: the tests' check that nothing leaks. */
#ifndef RACECOURSE_ALLOCS_H
#define RACECOURSE_ALLOCS_H

/*
 * The manifest links the tests with -Wl,--wrap= for malloc, calloc,
 * realloc and free: every call from the objects linked in (the code under
 * test, the tests) is counted, the C library's own calls (strdup's) are
 * not.  A test resets the count, calls the code, and checks that what it
 * allocated since has been freed.
 */

/* Start counting from zero. */
void allocs_reset(void);

/*
 * Blocks allocated since the reset, less the blocks freed since.  Above 0:
 * something allocated meanwhile is still held.  It may go below 0 (a block
 * from before the reset, or from the C library, freed since), so check
 * `allocs_live() <= 0`.
 */
long allocs_live(void);

#endif
