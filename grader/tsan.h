/* Detector findings in the student's code, from ThreadSanitizer's report text. */
#ifndef RACECOURSE_TSAN_H
#define RACECOURSE_TSAN_H

#include <stddef.h>

#include "findings.h"
#include "submission.h"

/*
 * Adds the warnings in ThreadSanitizer's output (what a -fsanitize=thread
 * program wrote to stderr: WARNING blocks between "==================" lines)
 * that have a frame in one of the student's files, in the same form as
 * findings_add_report() gives Helgrind's, with tools TOOL_TSAN.  A warning
 * at the same student lines as a finding already in f (from TSan or from
 * valgrind) is merged into it, by the rules findings_add_report() uses.
 *
 * A frame is the student's when its path is a source's `staged` path, as
 * when the student's file was compiled by that absolute path.  Frames in
 * helper_dir (the kit's tests/lib), when not NULL, are passed over when
 * saying where a thread was created.
 *
 * What becomes what:
 *   data race, data race on vptr        FINDING_RACE
 *   heap-use-after-free                 FINDING_RACE, when the use and the
 *                                       free are in different threads (a
 *                                       use after free in one thread is a
 *                                       plain bug the tests catch)
 *   lock-order-inversion                FINDING_LOCK_ORDER
 *   any warning about a mutex (unlock of an unlocked mutex, destroy of a
 *   locked mutex, double lock, ...)     FINDING_MISUSE
 *   anything else (thread leak, signal handler warnings, ...) is left out:
 *   valgrind's tools do not report those either.
 *
 * The text need not end with a NUL, may be cut short (an unterminated last
 * line is dropped, and a warning cut short keeps the sites it had), and may
 * have the program's own output mixed in: lines that are not TSan's are
 * passed over.  Nothing in f is kept pointing into text.
 */
void tsan_add_report(struct findings *f, const char *text, size_t len, const struct source *srcs,
		     size_t nsrcs, const char *helper_dir);

#endif
