/* Which library calls a student's object may make: the allowlist of admission. */
#ifndef RACECOURSE_IMPORTS_H
#define RACECOURSE_IMPORTS_H

#include "stage.h"

enum import_verdict {
	IMPORT_ALLOWED,
	IMPORT_SUSPICIOUS,	/* allowed, but no honest solution of the stage needs it: flagged */
	IMPORT_REFUSED,
};

/*
 * Judges one symbol a student's object uses but does not define: allowed
 * when it is among the C library's and pthreads' ordinary calls (a list in
 * imports.c) or the stage's own "imports" (the manifest); suspicious when
 * it ends a process or a thread and the stage does not list it; refused
 * otherwise.  *why is set to a phrase that explains a refusal or a flag
 * ("looks up code at run time"), static.
 */
enum import_verdict imports_judge(const struct stage *st, const char *name, const char **why);

#endif
