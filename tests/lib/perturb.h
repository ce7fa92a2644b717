/* Schedule perturbation: widen the windows in which an atomicity bug shows. */
#ifndef RACECOURSE_PERTURB_H
#define RACECOURSE_PERTURB_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Tests linked with perturb.c get their calls to pthread_mutex_lock/unlock,
 * pthread_mutex_trylock, pthread_rwlock_*lock/unlock, pthread_cond_wait and
 * pthread_cond_timedwait wrapped (the grader adds
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
 * How many misuses of a mutex the wrappers have seen in this process,
 * whatever the calls returned: an unlock, or a condition wait, by a thread
 * that does not hold the mutex (the wrappers keep who holds each one), and
 * a lock or unlock call that failed (an error-checking mutex's EDEADLK or
 * EPERM).  A default mutex reports none of these itself.  The wrappers of
 * pthread_mutex_trylock also yield, before and now and then after taking
 * the lock, so that other threads find it busy: code that ignores EBUSY
 * then unlocks a mutex another thread holds, and is counted here.
 */
unsigned perturb_lock_errors(void);

/*
 * From now on, in this process: about one call in one_in of
 * pthread_cond_wait and pthread_cond_timedwait returns 0 early, without a
 * signal, the mutex let go and held again, as POSIX allows ("spurious
 * wake-ups"); 0 turns it off.  Code that waits with `if` instead of
 * `while` around its condition then goes on while the condition is false.
 */
void perturb_spurious_wakeups(unsigned one_in);

/*
 * Blocks the calling thread until at least n threads are inside a wrapped
 * pthread_cond_wait or pthread_cond_timedwait at once (the caller is not
 * counted).  It never returns while threads wait some other way, polling a
 * flag with sched_yield or nanosleep: a test that must see waiters asleep
 * on a condition variable then fails by its time limit.
 */
void perturb_await_cond_waiters(unsigned n);

/*
 * A spurious wake-up, as POSIX allows one, of the thread whose wrapped
 * condition wait began last: once it sleeps (its mutex taken, which it
 * holds until then), its condition variable is broadcast with nothing
 * changed, and the call returns once the waiter has left its wait (so
 * holds its mutex again: the test's next use of that mutex comes after
 * what the waiter does next).  A waiter that re-checks its condition in a
 * while loop sleeps again; one that uses `if` goes on as if it had been
 * signalled.  Call it after perturb_await_cond_waiters(1), with that one
 * waiter in the test.
 */
void perturb_wake_spuriously(void);

/*
 * The mutex the calling thread last took through the wrappers (lock,
 * trylock, or the return from a condition wait) since its last call of
 * this function, or NULL; and forgets it.  A test that calls the code on
 * two objects in turn sees whether each has a lock of its own.
 */
const void *perturb_last_locked(void);

/*
 * For the stacks of a stuck test (runner.c, from a signal handler): the
 * mutex the calling thread is blocked on in pthread_mutex_lock, or NULL;
 * and the mutexes held now, each with its holder's thread id and the
 * return address of the call that took it.
 */
struct perturb_holder {
	const void *mutex;
	pid_t tid;
	void *where;
};

const void *perturb_waiting_for(void);
size_t perturb_holders(struct perturb_holder *out, size_t max);

#endif
