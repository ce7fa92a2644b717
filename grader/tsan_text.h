/* ThreadSanitizer's and AddressSanitizer's report text, read into warnings: stacks of frames. */
#ifndef RACECOURSE_TSAN_TEXT_H
#define RACECOURSE_TSAN_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/*
 * TSan has no structured output: its report is text for people, so this
 * reads it line by line and takes only the lines it knows.  A warning is
 *
 *   WARNING: ThreadSanitizer: data race (pid=N)
 *     Write of size 8 at 0x... by thread T2:          a section: a stack
 *       #0 func /abs/path/file.c:LINE:COL (binary+0x...)
 *     Location is global 'counter' of size 8 at ...    a note, no stack
 *     Thread T2 (tid=..., running) created by main thread at:
 *       #0 ...
 *   SUMMARY: ThreadSanitizer: data race /abs/path/file.c:LINE in func
 *
 * Anything else (the program's own output, blank lines) is passed over.
 */

/* Bounds on what one warning may hold, against runaway input. */
#define MAX_FRAMES 128
#define MAX_STACKS 64
#define MAX_NOTES 64

struct tframe {
	char *fn;		/* NULL for "<null>" */
	char *file;		/* as printed: absolute for the program's own files */
	int line;		/* 0 when unknown */
	bool lib;		/* in a shared library (libtsan, libc) */
};

struct tstack {
	char *label;		/* the section's words without the ':', or NULL for the headline's */
	struct tframe *frames;
	size_t n, alloc;
};

struct tblock {
	char *what;		/* "data race", "lock-order-inversion (potential deadlock)" */
	bool asan;		/* an AddressSanitizer error, not a TSan warning */
	struct tstack *stacks;
	size_t n, alloc;
	char **notes;		/* sections without a stack: "Location is global 'x' ..." */
	size_t nnotes, notes_alloc;
};

/*
 * Calls fn(b, arg) for each warning or error in text (TSan's WARNING
 * blocks, ASan's ERROR blocks; tsan.h says what the text may be), then
 * frees the block: fn keeps nothing that points into it.  A warning cut
 * short is passed on with the sections it had.
 */
void tsan_text_read(const char *text, size_t len, void (*fn)(const struct tblock *b, void *arg),
		    void *arg);

/* ---- for the readers of a block ---- */

static inline bool tsan_starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static inline bool tsan_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool tsan_is_space(char c)
{
	return c == ' ' || c == '\t';
}

#endif
