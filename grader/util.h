/* Small helpers shared by the grader's modules: strings, files, time. */
#ifndef RACECOURSE_UTIL_H
#define RACECOURSE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* A growable NUL-terminated byte buffer; zero-initialise with STRBUF_INIT. */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};
#define STRBUF_INIT { NULL, 0, 0 }

void sb_add(struct strbuf *sb, const char *data, size_t len);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* The contents, never NULL; the buffer keeps ownership. */
const char *sb_str(const struct strbuf *sb);
/* Hands the string to the caller (never NULL) and resets the buffer. */
char *sb_detach(struct strbuf *sb);
void sb_release(struct strbuf *sb);

/* Allocation that never fails: out of memory ends the grader with a message. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* The first n bytes of s (fewer at its end), as a new string. */
char *xstrndup(const char *s, size_t n);
char *xstrfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grows *array to hold at least n elements of size, doubling. */
#define ALLOC_GROW(array, n, alloc) do { \
		if ((n) > (alloc)) { \
			(alloc) = (alloc) ? (alloc) * 2 : 8; \
			if ((alloc) < (n)) \
				(alloc) = (n); \
			(array) = xrealloc((array), (alloc) * sizeof(*(array))); \
		} \
	} while (0)

/* The value of macro x as a string literal: XSTR(SANDBOX_TMPFS_BYTES) */
#define STR(x) #x
#define XSTR(x) STR(x)

/* Prints "racecourse: <message>" to stderr and exits with status 2. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Prints "racecourse: warning: <message>" to stderr. */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads a whole file into sb. Returns 0, or -1 with errno set. */
int read_file(const char *path, struct strbuf *sb);
/*
 * read_file() for a file the student's code could have made: only a regular
 * file (not a FIFO that would block, not a link to /dev/zero), at most about
 * max bytes of it.  Returns 0, or -1 with errno set.
 */
int read_file_untrusted(const char *path, struct strbuf *sb, size_t max);
/*
 * Reads the regular file open at fd from its start, at most about max
 * bytes, into sb, whatever name the file has now.  Returns 0, or -1 with
 * errno set.
 */
int read_fd(int fd, struct strbuf *sb, size_t max);
/* Writes len bytes to path (created or truncated). Returns 0, or -1 with errno. */
int write_file(const char *path, const char *data, size_t len);
/* Copies a regular file. Returns 0, or -1 with errno set. */
int copy_file(const char *from, const char *to);
bool is_dir(const char *path);
bool is_file(const char *path);
/* Creates path and its missing parents. Returns 0, or -1 with errno set. */
int mkdir_p(const char *path);
/* Removes a tree, not following symbolic links. Returns 0, or -1. */
int remove_tree(const char *path);
/* The absolute, resolved form of path (malloc'd), or NULL with errno set. */
char *real_path(const char *path);
/* The part of path after its last '/'. */
const char *base_name(const char *path);

/* Seconds on the monotonic clock. */
double now(void);
/* The processor time (user and system) of the reaped children so far, in seconds. */
double children_cpu(void);
/*
 * The number in s, above 0 and at most max; dies with "OPT takes a number
 * above 0 (at most MAX), not 'S'" for anything else.  `opt` names it.
 */
double parse_positive(const char *opt, const char *s, double max);
/* True when the data looks like source text: no control characters but white space. */
bool is_text(const char *data, size_t len);
/* Searches PATH for an executable; returns a malloc'd path or NULL. */
char *find_in_path(const char *name);

#endif
