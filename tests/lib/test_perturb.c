/* Self-test of perturb.c: spurious wake-ups, the last mutex taken, awaiting threads asleep in a condition wait. */
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

/* ---- perturb_await_cond_waiters: returns once both sleepers are in their wait ---- */

static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_cond = PTHREAD_COND_INITIALIZER;
static int wake;

static void *sleeper(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&sleep_lock);
	while (!wake)
		pthread_cond_wait(&sleep_cond, &sleep_lock);
	pthread_mutex_unlock(&sleep_lock);
	return NULL;
}

static void check_await(void)
{
	pthread_t t[2];

	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, sleeper, NULL);
	/* Hangs (and the Makefile's timeout fails the run) if a sleeper is not seen. */
	perturb_await_cond_waiters(2);
	pthread_mutex_lock(&sleep_lock);
	check(!wake, "await: two sleepers seen while still asleep");
	wake = 1;
	pthread_cond_broadcast(&sleep_cond);
	pthread_mutex_unlock(&sleep_lock);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
}

/* ---- perturb_wake_spuriously: the sleeper wakes with nothing changed ---- */

static int wakes;

static void *if_sleeper(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&sleep_lock);
	if (!wake)	/* `if`, as the bug: one wake-up and it goes on */
		pthread_cond_wait(&sleep_cond, &sleep_lock);
	wakes++;
	pthread_mutex_unlock(&sleep_lock);
	return NULL;
}

static void check_wake_spuriously(void)
{
	pthread_t t;

	wake = 0;
	pthread_create(&t, NULL, if_sleeper, NULL);
	perturb_await_cond_waiters(1);
	perturb_wake_spuriously();
	/* Hangs (the Makefile's timeout fails the run) if the sleeper was not woken. */
	pthread_join(t, NULL);
	check(wakes == 1 && !wake, "wake spuriously: the sleeper went on, nothing changed");
}

static void check_last_locked(void)
{
	pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;

	perturb_last_locked();
	pthread_mutex_lock(&a);
	pthread_mutex_unlock(&a);
	check(perturb_last_locked() == &a, "last locked: the mutex just locked");
	check(perturb_last_locked() == NULL, "last locked: forgotten once read");
	pthread_mutex_lock(&a);
	pthread_mutex_lock(&b);
	pthread_mutex_unlock(&b);
	pthread_mutex_unlock(&a);
	check(perturb_last_locked() == &b, "last locked: the later of two");
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

	check_last_locked();
	check_await();
	check_wake_spuriously();
	return failures != 0;
}
