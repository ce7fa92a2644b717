/* Checking the student's object file before it is linked with the kit's tests. */
#ifndef RACECOURSE_SYMCHECK_H
#define RACECOURSE_SYMCHECK_H

#include "grade.h"

/*
 * A student's object may define only the stage's API functions (the
 * manifest's "api"), static helpers and data of its own.  It is refused when
 * it has constructors or destructors (code that would run before main or
 * after exit: .init_array, .fini_array, .ctors, .dtors, or an IFUNC, whose
 * resolver runs at load time), defines main, a
 * global function outside the API, or any symbol that the C library, the
 * thread library, Criterion or jansson define (write, exit, criterion_*...),
 * since each of those could forge a result.  Returns 0, or -1 with a
 * one-line reason naming the symbol in err.
 */
int symcheck_object(const struct grade_options *o, const struct stage *st, const char *obj,
		    const char *display, struct strbuf *err);

#endif
