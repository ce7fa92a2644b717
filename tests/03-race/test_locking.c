/* Criterion tests of stage 03-race: the mutex's life (made, checked, destroyed) and who unlocks it. */
#include <criterion/criterion.h>
#include <pthread.h>

#include "account.h"
#include "faults_mem.h"
#include "faults_sync.h"
#include "perturb.h"

Test(locking, init_checked_and_destroyed)
{
	long base = mem_live_blocks(), left;
	account_t *acct;

	/* pthread_mutex_init can fail (EAGAIN, ENOMEM): no account then, and nothing left allocated. */
	mutex_init_fail_at(1);
	acct = account_new(10);
	cr_assert_null(acct, "account_new when pthread_mutex_init fails: expected NULL, got an account "
		       "whose lock was never made");
	left = mem_live_blocks() - base;
	cr_assert_eq(left, 0, "leaked %ld block(s): account_new returned NULL when pthread_mutex_init "
		     "failed, but did not free what it had allocated", left);
	/* So can malloc: then NULL, and no mutex made. */
	mutex_init_fail_at(0);
	mem_fail_at(1, true);
	acct = account_new(10);
	mem_fail_at(0, false);
	cr_assert_null(acct, "account_new when malloc fails: expected NULL, got an account");
	cr_assert_eq(mutex_inits(), 0, "account_new when malloc fails: expected NULL and no mutex made, "
		     "got %d pthread_mutex_init", mutex_inits());
	acct = account_new(10);
	cr_assert_not_null(acct, "account_new(10) returned NULL");
	cr_assert_eq(mutex_inits(), 1, "account_new: expected one pthread_mutex_init, got %d", mutex_inits());
	account_free(acct);
	cr_assert_eq(mutex_destroys(), 1, "account_free must pthread_mutex_destroy the account's lock: "
		     "%d made, %d destroyed", mutex_inits(), mutex_destroys());
	left = mem_live_blocks() - base;
	cr_assert_eq(left, 0, "leaked %ld block(s): account_new then account_free, and what account_new "
		     "allocated is still not freed (account_free must free the account)", left);
	account_free(NULL);
}

#define THREADS 4
#define ROUNDS 3000

static pthread_barrier_t go;

static void *busy(void *arg)
{
	account_t *acct = arg;

	pthread_barrier_wait(&go);
	for (int i = 0; i < ROUNDS; i++) {
		account_deposit(acct, 2);
		account_withdraw(acct, 1);
		account_withdraw(acct, 1000000000);	/* refused */
		account_balance(acct);
	}
	return NULL;
}

/*
 * Four threads at once on one account, withdrawals that succeed and ones
 * refused.  Every unlock must be of the lock
 * the same thread took: code that ignores what pthread_mutex_trylock
 * returned (EBUSY) goes on without the lock, then unlocks it while another
 * thread holds it.  The test's wrappers keep who holds the mutex.
 */
Test(locking, unlocks_only_its_own_lock)
{
	account_t *acct = account_new(0);
	pthread_t tids[THREADS];
	unsigned before;

	cr_assert_not_null(acct, "account_new(0) returned NULL");
	pthread_barrier_init(&go, NULL, THREADS);
	before = perturb_lock_errors();
	for (int i = 0; i < THREADS; i++)
		cr_assert_eq(pthread_create(&tids[i], NULL, busy, acct), 0, "pthread_create failed");
	for (int i = 0; i < THREADS; i++)
		pthread_join(tids[i], NULL);
	cr_assert_eq(perturb_lock_errors(), before, "%u time(s) a thread unlocked the account's mutex "
		     "while it did not hold it (another thread did): is a pthread_mutex_trylock's EBUSY "
		     "ignored, or a lock unlocked twice?", perturb_lock_errors() - before);
	cr_assert_eq(account_balance(acct), (long)THREADS * ROUNDS, "balance after %d threads each "
		     "deposited 2 and withdrew 1, %d times: expected %ld, got %ld", THREADS, ROUNDS,
		     (long)THREADS * ROUNDS, account_balance(acct));
	pthread_barrier_destroy(&go);
	account_free(acct);
}
