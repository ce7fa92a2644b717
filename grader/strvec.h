/* A growable NULL-terminated array of strings, for building a child's argv (as git's strvec). */
#ifndef RACECOURSE_STRVEC_H
#define RACECOURSE_STRVEC_H

#include <stddef.h>

/*
 * v[0..n) are malloc'd copies owned by the strvec, and v[n] is NULL, so
 * that v can be a child's argv as it is.  STRVEC_INIT (or strvec_init())
 * allocates nothing; v is then an empty array, never NULL.
 */
struct strvec {
	const char **v;
	size_t n, alloc;
};
extern const char *strvec_empty[];
#define STRVEC_INIT { strvec_empty, 0, 0 }

void strvec_init(struct strvec *sv);
/* Appends a copy of s; returns the copy. */
const char *strvec_push(struct strvec *sv, const char *s);
/* Appends s itself, which must be malloc'd: the strvec owns it from now on. */
const char *strvec_push_nodup(struct strvec *sv, char *s);
/* Appends a string made as by printf; returns it. */
const char *strvec_pushf(struct strvec *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends a copy of each string of the NULL-terminated array items. */
void strvec_pushv(struct strvec *sv, const char *const *items);
/* Frees every string and the array; the strvec is empty again, ready for reuse. */
void strvec_clear(struct strvec *sv);

#endif
