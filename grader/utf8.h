/* Strict UTF-8 decoding, for reports that must be valid text whatever the student wrote. */
#ifndef RACECOURSE_UTF8_H
#define RACECOURSE_UTF8_H

#include <stddef.h>

/* U+FFFD, the replacement character, encoded. */
#define UTF8_REPLACEMENT "\xEF\xBF\xBD"

/*
 * Decodes the character at s[0..len), len > 0: returns its length in bytes
 * (1 to 4) and sets *cp to its code point, or returns 0 when the bytes there
 * are not well-formed UTF-8 (a stray continuation byte, an overlong form, a
 * surrogate, a code point past U+10FFFF, or a character cut short).  The
 * caller then usually replaces one byte and goes on.
 */
size_t utf8_decode(const char *s, size_t len, unsigned *cp);

#endif
