/* The exit status by which the kit's processes prove they ran to their end. */
#ifndef RACECOURSE_HANDSHAKE_H
#define RACECOURSE_HANDSHAKE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * A test worker or a scenario program that the code under test ends early,
 * with exit(0), _exit(0), exec("/bin/true") or pthread_exit() in the main
 * thread, must not look like one that finished: Criterion counts a worker
 * that exits with status 0 as a passed test, and the detectors vouch for
 * scenarios that ended before any race.  So the grader hands each run a
 * random key in RACECOURSE_RUN_KEY, the kit's code takes it out of the
 * environment before any student code runs, and exits with
 * handshake_code(key, ...) only once the test or the scenarios are over.
 * The grader accepts no other status.
 *
 * The code is in 3..125 and never 66 (ThreadSanitizer's own status), so
 * that it cannot be mistaken for a shell's 126/127, 128 + a signal, or the
 * 0, 1 and 2 that programs commonly exit with.  Guessing it is a 1-in-122
 * chance per test; a program that reads the key from its own memory can
 * still forge it, which docs/security.md says.
 */
#define HANDSHAKE_ENV "RACECOURSE_RUN_KEY"	/* the runner's, for its own workers */
#define HANDSHAKE_FD_ENV "RACECOURSE_KEY_FD"	/* the descriptor the grader gives the key on */
#define HANDSHAKE_KEY_MAX 64	/* the longest key, in characters */

static inline int handshake_code(const char *key, const char *what, const char *name)
{
	const char *parts[3] = { key, what, name };
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	int code;

	for (int i = 0; i < 3; i++) {
		for (const char *p = parts[i]; p && *p; p++)
			h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
		h = (h ^ 0xff) * 0x100000001b3ULL;	/* a separator no name contains */
	}
	code = 3 + (int)(h % 122);
	return code == 66 ? 125 : code;
}

/*
 * Reads the key from the descriptor named in HANDSHAKE_FD_ENV, closes it
 * and unsets the variable.  Returns whether key (HANDSHAKE_KEY_MAX + 1
 * bytes) now holds one.
 */
static inline bool handshake_read_key(char *key)
{
	const char *env = getenv(HANDSHAKE_FD_ENV);
	ssize_t n = 0, r;
	int fd;

	key[0] = '\0';
	if (!env || !*env)
		return false;
	fd = atoi(env);
	unsetenv(HANDSHAKE_FD_ENV);
	while (n < HANDSHAKE_KEY_MAX && (r = read(fd, key + n, (size_t)(HANDSHAKE_KEY_MAX - n))) != 0) {
		if (r < 0 && errno != EINTR)
			break;
		n += r > 0 ? r : 0;
	}
	close(fd);
	key[n > 0 ? n : 0] = '\0';
	return n > 0;
}

#endif
