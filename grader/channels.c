/* What passes between the grader and a sandboxed run: the run's key, and the report files. */
#define _GNU_SOURCE
#include "channels.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "util.h"

/* A fresh key for one run's handshake: HANDSHAKE_ENV=<32 hex digits>. */
char *handshake_env(void)
{
	unsigned char bytes[16];
	char hex[2 * sizeof(bytes) + 1];

	/* A guessable key would be no key: without the kernel's randomness, stop. */
	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
		die("cannot get random bytes for the run's key: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
	return xstrfmt("%s=%s", HANDSHAKE_ENV, hex);
}

/* The key of an env entry that handshake_env() made. */
const char *handshake_key(const char *env)
{
	return env + strlen(HANDSHAKE_ENV) + 1;
}

/*
 * The key on a descriptor, never in an environment, where it would stay in
 * /proc/PID/environ and on the initial stack whatever the program then
 * unset: a pipe that holds it, for the child as its fd HANDSHAKE_FD (with
 * HANDSHAKE_FD_ENV), which the kit's code reads and closes before any
 * student code runs.  Returns the read end, close-on-exec, or -1.
 */
int handshake_fd(const char *key_env)
{
	const char *key = handshake_key(key_env);
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -1;
	if (write(p[1], key, strlen(key)) != (ssize_t)strlen(key)) {
		close(p[0]);
		p[0] = -1;
	}
	close(p[1]);
	return p[0];
}

/*
 * A file for a report, beside the stage's scratch directory rather than in
 * it: student code cannot reach it by path (the sandbox does not show it,
 * and the fallback's user may not open it), and gets only the descriptor
 * that the writer was handed, which valgrind and the kit's runner keep from
 * the code they run.  Returns the descriptor, or -1 with errno set.
 */

int open_report(const char *path)
{
	return open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}
