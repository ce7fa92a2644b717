/* Counting the blocks that malloc, calloc and realloc give and free takes back, for the tests' leak checks. */
#include "allocs.h"

#include <stdatomic.h>
#include <stddef.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *old, size_t size);
void __real_free(void *p);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *old, size_t size);
void __wrap_free(void *p);

static atomic_long live;

void *__wrap_malloc(size_t size)
{
	void *p = __real_malloc(size);

	if (p)
		atomic_fetch_add(&live, 1);
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p = __real_calloc(n, size);

	if (p)
		atomic_fetch_add(&live, 1);
	return p;
}

/* A new block when old is NULL; realloc(old, 0) may free old (glibc does, returning NULL). */
void *__wrap_realloc(void *old, size_t size)
{
	void *p = __real_realloc(old, size);

	if (!old && p)
		atomic_fetch_add(&live, 1);
	else if (old && !p && size == 0)
		atomic_fetch_sub(&live, 1);
	return p;
}

void __wrap_free(void *p)
{
	if (p)
		atomic_fetch_sub(&live, 1);
	__real_free(p);
}

void allocs_reset(void)
{
	atomic_store(&live, 0);
}

long allocs_live(void)
{
	return atomic_load(&live);
}
