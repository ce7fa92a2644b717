/* Runs a stage's detector scenarios, all of them or those named. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "scenario.h"
#include "handshake.h"
#include "late_start.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct timespec deadline;

int __real_pthread_create(pthread_t *tid, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *tid, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg);

static atomic_uint create_fails_at, create_calls;

void scenario_fail_create_at(unsigned k)
{
	atomic_store(&create_calls, 0);
	atomic_store(&create_fails_at, k);
}

int __wrap_pthread_create(pthread_t *tid, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg)
{
	unsigned k = atomic_load(&create_fails_at);

	if (k && atomic_fetch_add(&create_calls, 1) + 1 == k)
		return EAGAIN;
	/* AddressSanitizer's build starts each thread late (late_start.h) */
	if (late_start_create)
		return late_start_create(tid, attr, fn, arg);
	return __real_pthread_create(tid, attr, fn, arg);
}

static void set_deadline(void)
{
	const char *env = getenv(SCENARIO_SECONDS_ENV);
	double seconds = env ? strtod(env, NULL) : 0;

	if (seconds <= 0)
		seconds = 30;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += (time_t)seconds;
	deadline.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
}

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

/*
 * Ends the program, as stuck, at the deadline: wherever the scenarios
 * wait, in a join of theirs or in the student's code (a pool's shutdown
 * joining a worker that never wakes).  All signals blocked: it is the
 * kit's thread, not the code's.
 */
static void *watchdog(void *unused)
{
	(void)unused;
	while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &deadline, NULL) == EINTR)
		;
	fputs("scenarios: still running at the deadline\n", stderr);
	_exit(SCENARIO_STUCK_STATUS);
}

static void start_watchdog(void)
{
	sigset_t all, old;
	pthread_t t;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (!pthread_create(&t, NULL, watchdog, NULL))
		pthread_detach(t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
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
	set_deadline();
	start_watchdog();
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
