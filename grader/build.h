/* Building a stage: the student's object, the test binary, the scenarios. */
#ifndef RACECOURSE_BUILD_H
#define RACECOURSE_BUILD_H

#include "options.h"
#include "stage.h"
#include "submission.h"

/* The flags every unit is compiled with, the student's included. */
#define BUILD_CFLAGS "-std=c11", "-Wall", "-Wextra", "-g", "-O1", "-pthread", \
	"-D_POSIX_C_SOURCE=200809L"

/*
 * The test binaries: the stage's tests, in the stage's scratch directory,
 * and its hidden tests when it has some, in a directory beside it (its
 * name and HIDDEN_DIR_SUFFIX), which the visible tests' run cannot read:
 * the sandbox does not show it, and the sandbox's user may not open it
 * until their run has ended.
 */
#define TESTS_BIN "tests.bin"
#define HIDDEN_TESTS_BIN "hidden.bin"
#define HIDDEN_DIR_SUFFIX ".hidden"

/* The scenarios' binaries: for valgrind's tools, and under the sanitizers. */
#define SCENARIOS_BIN "scenarios.bin"
#define SCENARIOS_TSAN_BIN "scenarios.tsan.bin"
#define SCENARIOS_ASAN_BIN "scenarios.asan.bin"

/*
 * Looks for the libraries the test programs link with, in the compiler's
 * search path: once, before any stage is built.  Returns NULL, or what is
 * missing and which package to install, for the user.  Where Criterion's
 * static archives are there too, the test programs link them (build.c).
 */
const char *build_find_libraries(const char *cc);

/*
 * Builds dir/TESTS_BIN, dir/HIDDEN_TESTS_BIN when the stage has hidden
 * tests, and, when the stage has scenarios, SCENARIOS_BIN
 * for valgrind's tools, SCENARIOS_TSAN_BIN for ThreadSanitizer and
 * SCENARIOS_ASAN_BIN for AddressSanitizer (each when o->tools has it).
 * The student's files are compiled alone, with only the stage's public
 * header visible, then linked with the kit's tests.  The student's
 * compiler diagnostics (warnings too) go to *diagnostics.  Returns 0 when
 * all was built, -1 when the student's code did not compile or link (the
 * reason is in *diagnostics), -2 when admission refused it (symcheck.h;
 * the reason, for the student, in *diagnostics).  What admission flags for
 * the instructor goes to *suspicious (NULL when nothing).
 */
int build_stage(const struct grade_options *o, const struct stage *st, const char *dir,
		const struct source *srcs, size_t nsrcs, char **diagnostics, char **suspicious);

#endif
