/* Runs a stage's detector scenarios, all of them or those named. */
#include "scenario.h"
#include "handshake.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scenario_threads(int nthreads, void *(*fn)(void *), void *args, size_t argsize)
{
	pthread_t tids[64];

	if (nthreads < 1 || nthreads > 64)
		abort();
	for (int i = 0; i < nthreads; i++) {
		void *arg = args ? (char *)args + (size_t)i * argsize : NULL;

		if (pthread_create(&tids[i], NULL, fn, arg))
			abort();
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);
}

static const struct scenario *find(const char *name)
{
	for (size_t i = 0; i < nscenarios; i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	return NULL;
}

/*
 * Exits with the handshake's code once every scenario asked for has run
 * (see handshake.h): the grader trusts the detectors' silence only then.
 * The key is read from its descriptor, which is closed, and wiped, before
 * any of the student's code runs: only the code to exit with stays.
 */
int main(int argc, char **argv)
{
	char key[HANDSHAKE_KEY_MAX + 1];
	int code = handshake_read_key(key) ? handshake_code(key, "scenarios", NULL) : 0;

	explicit_bzero(key, sizeof(key));
	if (argc == 1) {
		for (size_t i = 0; i < nscenarios; i++)
			scenarios[i].run();
	}
	for (int i = 1; i < argc; i++) {
		const struct scenario *s = find(argv[i]);

		if (!s) {
			fprintf(stderr, "scenarios: unknown scenario '%s'\n", argv[i]);
			return 2;
		}
		s->run();
	}
	return code;
}
