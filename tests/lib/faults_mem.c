/* Memory fault injection for stages' tests: live blocks counted, the k-th allocation failed. */
#include "faults_mem.h"

#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t max);

/* Bytes as the allocator has them (malloc_usable_size): never fewer than asked for. */
static atomic_long live_blocks, live_bytes;
static atomic_int calls, fail_at, fail_after;

/* Counts one allocation attempt; true when it is to fail. */
static bool must_fail(void)
{
	int n = atomic_fetch_add(&calls, 1) + 1;
	int k = atomic_load(&fail_at);

	if (k > 0 && (n == k || (n > k && atomic_load(&fail_after)))) {
		errno = ENOMEM;	/* as a real failure sets it */
		return true;
	}
	return false;
}

/* Counts a block handed out (sign 1) or about to be freed (-1). */
static void count(void *p, long sign)
{
	if (!p)
		return;
	atomic_fetch_add(&live_blocks, sign);
	atomic_fetch_add(&live_bytes, sign * (long)malloc_usable_size(p));
}

void *__wrap_malloc(size_t n)
{
	void *p = must_fail() ? NULL : __real_malloc(n);

	count(p, 1);
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p = must_fail() ? NULL : __real_calloc(n, size);

	count(p, 1);
	return p;
}

void *__wrap_realloc(void *p, size_t n)
{
	long old = p ? (long)malloc_usable_size(p) : 0;
	void *q;

	if (n && must_fail())
		return NULL;	/* p stays the caller's, as after a real failure */
	q = __real_realloc(p, n);
	if (p && (q || !n)) {	/* moved, grown or shrunk; or freed (glibc, size 0) */
		atomic_fetch_sub(&live_blocks, 1);
		atomic_fetch_sub(&live_bytes, old);
	}
	count(q, 1);
	return q;
}

void __wrap_free(void *p)
{
	count(p, -1);
	__real_free(p);
}

/* libc's own strdup would allocate where the wrappers above cannot see it. */
char *__wrap_strndup(const char *s, size_t max)
{
	size_t len = strnlen(s, max);
	char *p = __wrap_malloc(len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

char *__wrap_strdup(const char *s)
{
	return __wrap_strndup(s, (size_t)-1);
}

long mem_live_blocks(void)
{
	return atomic_load(&live_blocks);
}

long mem_live_bytes(void)
{
	return atomic_load(&live_bytes);
}

void mem_fail_at(int k, bool and_after)
{
	atomic_store(&fail_at, 0);
	atomic_store(&calls, 0);
	atomic_store(&fail_after, and_after);
	atomic_store(&fail_at, k);
}

int mem_allocations(void)
{
	return atomic_load(&calls);
}
