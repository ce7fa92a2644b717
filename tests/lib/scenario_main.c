/* Runs a stage's detector scenarios, all of them or those named. */
#include "scenario.h"

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

int main(int argc, char **argv)
{
	if (argc == 1) {
		for (size_t i = 0; i < nscenarios; i++)
			scenarios[i].run();
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		const struct scenario *s = find(argv[i]);

		if (!s) {
			fprintf(stderr, "scenarios: unknown scenario '%s'\n", argv[i]);
			return 2;
		}
		s->run();
	}
	return 0;
}
