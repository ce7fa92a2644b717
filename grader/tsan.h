/* Detector findings in the student's code, from the sanitizers' report text. */
#ifndef RACECOURSE_TSAN_H
#define RACECOURSE_TSAN_H

#include <stddef.h>

#include "findings.h"
#include "submission.h"

/*
 * Adds the warnings in ThreadSanitizer's output and the errors in
 * AddressSanitizer's (what a -fsanitize=thread or -fsanitize=address
 * program wrote to its log: TSan's WARNING blocks between "=================="
 * lines, ASan's "==PID==ERROR: AddressSanitizer:" blocks up to their
 * SUMMARY line) that have a frame in one of the student's files, in the same
 * form as findings_add_report() gives Helgrind's, with tools TOOL_TSAN or
 * TOOL_ASAN.  A warning at the same student lines as a finding already in f
 * (from a sanitizer or from valgrind) is merged into it, by the rules
 * findings_add_report() uses.
 *
 * A frame is the student's when its path is a source's `staged` path, as
 * when the student's file was compiled by that absolute path.  Frames in
 * helper_dir (the kit's tests/lib), when not NULL, are passed over when
 * saying where a thread was created.
 *
 * What becomes what:
 *   data race, data race on vptr        FINDING_RACE
 *   TSan's heap-use-after-free          FINDING_MEMORY, when the use and the
 *                                       free are in different threads
 *   lock-order-inversion                FINDING_LOCK_ORDER
 *   any TSan warning about a mutex (unlock of an unlocked mutex, destroy
 *   of a locked mutex, double lock, ...) FINDING_MISUSE
 *   any ASan error (use after free, overflow of a heap block, a local or a
 *   global array, double free, bad free, a crash on a bad pointer)
 *                                       FINDING_MEMORY, its sites the access,
 *                                       where the block was freed and where
 *                                       it was allocated
 *   anything else (thread leak, signal handler warnings, ...) is left out:
 *   valgrind's tools do not report those either.
 *
 * The text need not end with a NUL, may be cut short (an unterminated last
 * line is dropped, and a warning cut short keeps the sites it had), and may
 * have the program's own output mixed in: lines that are not the
 * sanitizers' are passed over.  Nothing in f is kept pointing into text.
 */
void tsan_add_report(struct findings *f, const char *text, size_t len, const struct source *srcs,
		     size_t nsrcs, const char *helper_dir);

#endif
