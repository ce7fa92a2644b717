/* Self-test of perturb.c's spurious wake-ups: a waiter nobody signals returns. */
#include "perturb.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

/* Waits once on a condvar nobody signals; returns the wait's result. */
static int wait_unsignalled(int timed, int *still_held)
{
	pthread_mutexattr_t at;
	pthread_mutex_t m;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec t;
	int rc;

	pthread_mutexattr_init(&at);
	pthread_mutexattr_settype(&at, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&m, &at);
	pthread_mutex_lock(&m);
	if (timed) {
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += 200000000;
		if (t.tv_nsec >= 1000000000) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000;
		}
		rc = pthread_cond_timedwait(&c, &m, &t);
	} else {
		rc = pthread_cond_wait(&c, &m);
	}
	/* An error-checking mutex refuses an unlock by a thread not holding it. */
	*still_held = pthread_mutex_unlock(&m) == 0;
	pthread_mutex_destroy(&m);
	pthread_cond_destroy(&c);
	return rc;
}

int main(void)
{
	int held, rc;

	setvbuf(stdout, NULL, _IONBF, 0);

	perturb_spurious_wakeups(0);
	rc = wait_unsignalled(1, &held);
	check(rc == ETIMEDOUT && held, "off: an unsignalled timed wait times out");

	perturb_spurious_wakeups(1);
	rc = wait_unsignalled(1, &held);
	check(rc == 0 && held, "one in 1: an unsignalled timed wait returns 0, mutex held");
	/* Without the feature this wait would never return: the test would hang. */
	rc = wait_unsignalled(0, &held);
	check(rc == 0 && held, "one in 1: an unsignalled wait returns 0, mutex held");
	check(perturb_lock_errors() == 0, "no misuse counted for a correct wait");

	perturb_spurious_wakeups(0);
	rc = wait_unsignalled(1, &held);
	check(rc == ETIMEDOUT && held, "turned off again: the wait times out");
	return failures != 0;
}
