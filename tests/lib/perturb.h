/* Schedule perturbation: widen the windows in which an atomicity bug shows. */
#ifndef RACECOURSE_PERTURB_H
#define RACECOURSE_PERTURB_H

/*
 * Tests linked with perturb.c get their calls to pthread_mutex_lock/unlock,
 * pthread_rwlock_*lock/unlock and pthread_cond_wait wrapped (the grader adds
 * the matching -Wl,--wrap= flags).  After an unlock, and before a lock, the
 * calling thread sometimes yields the CPU, chosen by a per-thread generator
 * seeded from RACECOURSE_SEED.  A check and an act done in two critical
 * sections then get another thread in between them often enough that a
 * short test catches the bug every time.
 *
 * The perturbation never changes what a correct program computes: it only
 * changes which thread runs when.
 */

/* The seed in use (from RACECOURSE_SEED, or 1 when it is unset). */
unsigned long perturb_seed(void);

/*
 * How many wrapped pthread_mutex_lock and pthread_mutex_unlock calls have
 * failed in this process.  A default mutex reports nothing, whatever the
 * misuse; a test that re-initializes the code's mutexes as
 * PTHREAD_MUTEX_ERRORCHECK makes an unlock of a mutex the thread does not
 * hold (EPERM) and a second lock of one it holds (EDEADLK) count here, even
 * when the code ignores what the call returned.
 */
unsigned perturb_lock_errors(void);

#endif
