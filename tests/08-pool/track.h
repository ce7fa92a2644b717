/* What the tests of 08-pool see of the pool's threads and condition variables, through --wrap. */
#ifndef RACECOURSE_POOL_TRACK_H
#define RACECOURSE_POOL_TRACK_H

#include <pthread.h>
#include <stdbool.h>

/*
 * The manifest links the tests with -Wl,--wrap= for pthread_create,
 * pthread_join, pthread_cond_init and pthread_cond_destroy: the calls of
 * the code under test land in track.c, which counts them and can make one
 * fail.  The tests' own threads are started with test_spawn() and
 * test_join(), which call the real functions and are never counted.
 */

/* Forget every count and armed failure (a test starts with none). */
void track_reset(void);

/* Threads the code created, and of those, the ones it joined (once each). */
int track_creates(void);
int track_joins(void);
/* Whether the calling thread is one the code created. */
bool track_is_created(void);
/* The i-th thread the code created (i < track_creates(), at most 64 kept). */
pthread_t track_created(int i);

/*
 * Returns once every thread the code created (the first 64) is asleep in
 * the kernel, in a futex, or has ended: an idle worker waiting on its
 * condition variable.  One that never sleeps (it spins) keeps the test
 * here until its time limit.
 */
void track_await_asleep(void);

/* The k-th pthread_create from now on fails with err, EAGAIN or EPERM (k >= 1; 0: none). */
void track_create_fail_at(int k, int err);
/* The k-th pthread_cond_init from now on fails with ENOMEM (k >= 1; 0: none). */
void track_cond_init_fail_at(int k);
/* Condition variables made (the failed one not counted) and destroyed. */
int track_cond_inits(void);
int track_cond_destroys(void);
/* pthread_cond_destroy calls on a condition variable not made (its init failed, or never called) or already destroyed. */
int track_cond_unmade_destroys(void);

/* The test's own threads: real pthread_create and pthread_join, not counted; abort the test on failure. */
void test_spawn(pthread_t *tid, void *(*fn)(void *), void *arg);
void test_join(pthread_t tid);

#endif
