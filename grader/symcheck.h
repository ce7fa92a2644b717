/* Admission: checking the student's object file before it is linked with the kit's tests. */
#ifndef RACECOURSE_SYMCHECK_H
#define RACECOURSE_SYMCHECK_H

#include "options.h"
#include "stage.h"

/*
 * Admits a student's object by allowlists, read from the object itself
 * (elfobj.h), so that no spelling in the source gets past:
 *  - sections: only those a plain C object has (.text*, .data*, .rodata*,
 *    .bss*, debug information, relocations...), by name and by type: no
 *    INIT_ARRAY, FINI_ARRAY or PREINIT_ARRAY typed section under any name,
 *    no .ctors, .tm_clone_table or Criterion's sections, nothing
 *    executable outside .text*;
 *  - defined global symbols: only the manifest's "api", and no IFUNC;
 *  - imported symbols: the C library's ordinary calls and the stage's
 *    "imports" (imports.h);
 *  - code: no system call instruction and no valgrind client request.
 * Returns 0, or -1 with a message for the student in err: what was found,
 * at DISPLAY:LINE where the debug information says, and what to change.
 * Calls that are allowed but that no honest solution of the stage needs
 * (imports.h) are added to `suspicious`, one "DISPLAY:LINE: ..." per line.
 */
int symcheck_object(const struct grade_options *o, const struct stage *st, const char *obj,
		    const char *display, struct strbuf *err, struct strbuf *suspicious);

#endif
