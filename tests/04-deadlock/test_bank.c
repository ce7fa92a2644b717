/* Criterion tests of stage 04-deadlock: transfers that never deadlock, exact totals. */
#define _GNU_SOURCE		/* gettid */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "bank.h"
#include "faults_mem.h"
#include "faults_sync.h"
#include "perturb.h"
#include "task_state.h"
#include <sched.h>
#include <unistd.h>

static bank_t *new_bank(int n, long initial)
{
	bank_t *bank = bank_new(n, initial);

	cr_assert_not_null(bank, "bank_new(%d, %ld): expected a bank, got NULL", n, initial);
	return bank;
}

static void expect_balance(bank_t *bank, int id, long want, const char *when)
{
	long got = bank_balance(bank, id);

	cr_assert_eq(got, want, "balance of account %d %s: expected %ld, got %ld",
		     id, when, want, got);
}

/* Starts n threads running fn(&args[i]), each args[i] being 'size' bytes, and joins them. */
static void run_threads(int n, void *(*fn)(void *), void *args, size_t size)
{
	pthread_t tids[16];

	cr_assert(n <= 16, "run_threads: at most 16 threads");
	for (int i = 0; i < n; i++)
		cr_assert_eq(pthread_create(&tids[i], NULL, fn, (char *)args + i * size), 0,
			     "pthread_create failed");
	for (int i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
}

/* ---- one thread ---- */

Test(basic, transfer_moves_money)
{
	bank_t *bank = new_bank(3, 100);

	cr_assert_eq(bank->n, 3, "bank_new(3, 100)->n: expected 3, got %d", bank->n);
	for (int i = 0; i < 3; i++)
		expect_balance(bank, i, 100, "of a new bank_new(3, 100)");
	cr_assert(bank_transfer(bank, 0, 2, 30), "transfer 0->2 of 30 from 100: expected true, got false");
	expect_balance(bank, 0, 70, "after 0->2 of 30");
	expect_balance(bank, 2, 130, "after 0->2 of 30");
	cr_assert(bank_transfer(bank, 2, 1, 130),
		  "transfer 2->1 of 130, the whole balance: expected true, got false");
	expect_balance(bank, 2, 0, "after 2->1 of its whole 130");
	expect_balance(bank, 1, 230, "after 2->1 of 130");
	cr_assert_eq(bank_total(bank), 300, "bank_total after two transfers: expected 300, got %ld",
		     bank_total(bank));
	bank_free(bank);
}

Test(basic, rejects_bad_arguments)
{
	static const struct { int from, to; long amount; const char *why; } bad[] = {
		{ -1, 0, 10, "'from' is -1" },
		{ 3, 0, 10, "'from' is 3 in a bank of 3" },
		{ 0, -1, 10, "'to' is -1" },
		{ 0, 3, 10, "'to' is 3 in a bank of 3" },
		{ 0, 1, 0, "amount is 0" },
		{ 0, 1, -5, "amount is -5" },
		{ 0, 1, 101, "account 0 holds 100, less than 101" },
	};
	long base = mem_live_blocks(), left;
	int inits = mutex_inits(), destroys = mutex_destroys();
	bank_t *bank;

	cr_assert_null(bank_new(0, 10), "bank_new(0, 10): expected NULL, got a bank");
	cr_assert_null(bank_new(3, -1), "bank_new(3, -1): expected NULL, got a bank");
	left = mem_live_blocks() - base;
	cr_assert_eq(left, 0, "bank_new(0, 10) and bank_new(3, -1) returned NULL but left %ld block(s) "
		     "allocated (check the arguments before allocating)", left);
	cr_assert_eq(mutex_destroys() - destroys, mutex_inits() - inits, "bank_new(0, 10) and "
		     "bank_new(3, -1): %d locks made, %d destroyed", mutex_inits() - inits,
		     mutex_destroys() - destroys);
	/* the edges that are valid: one account, and accounts that start empty */
	bank = bank_new(1, 0);
	cr_assert_not_null(bank, "bank_new(1, 0): one account holding 0 is a bank, got NULL");
	cr_assert_eq(bank_balance(bank, 0), 0, "bank_new(1, 0): account 0 holds %ld, not 0",
		     bank_balance(bank, 0));
	bank_free(bank);
	bank = new_bank(3, 100);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert(!bank_transfer(bank, bad[i].from, bad[i].to, bad[i].amount),
			  "transfer %d->%d of %ld (%s): expected false, got true",
			  bad[i].from, bad[i].to, bad[i].amount, bad[i].why);
		for (int id = 0; id < 3; id++)
			expect_balance(bank, id, 100, "after a rejected transfer");
	}
	cr_assert_eq(bank_balance(bank, 3), -1, "bank_balance(bank, 3) in a bank of 3: expected -1, got %ld",
		     bank_balance(bank, 3));
	cr_assert_eq(bank_balance(bank, -1), -1, "bank_balance(bank, -1): expected -1, got %ld",
		     bank_balance(bank, -1));
	bank_free(bank);
}

/* A hang here (the test times out) means the transfer locked the same mutex twice. */
Test(basic, same_account)
{
	bank_t *bank = new_bank(2, 100);

	cr_assert(bank_transfer(bank, 0, 0, 60), "transfer 0->0 of 60 from 100: expected true, got false");
	cr_assert(bank_transfer(bank, 1, 1, 100),
		  "transfer 1->1 of 100, the whole balance: expected true, got false");
	cr_assert(!bank_transfer(bank, 0, 0, 101), "transfer 0->0 of 101 from 100: expected false, got true");
	/* To itself too, the amount and the ids are checked first. */
	cr_assert(!bank_transfer(bank, 0, 0, 0), "transfer 0->0 of 0: expected false (amount <= 0), got true");
	cr_assert(!bank_transfer(bank, 0, 0, -5), "transfer 0->0 of -5: expected false (amount <= 0), got true");
	cr_assert(!bank_transfer(bank, 2, 2, 1), "transfer 2->2 in a bank of 2: expected false, got true");
	cr_assert(!bank_transfer(bank, -1, -1, 1), "transfer -1->-1: expected false, got true");
	expect_balance(bank, 0, 100, "after transfers from 0 to itself");
	expect_balance(bank, 1, 100, "after a transfer from 1 to itself");
	bank_free(bank);
}

/*
 * Balances and totals are longs (bank.h): an int anywhere on the way, for
 * the total of several balances above 2^31, or for an amount, cuts them.
 */
Test(basic, large_balances)
{
	const long big = 3000000000L;	/* more than an int holds */
	bank_t *bank = new_bank(3, big);

	expect_balance(bank, 0, big, "of a new bank_new(3, 3000000000)");
	cr_assert(bank_transfer(bank, 0, 1, big), "transfer 0->1 of 3000000000 from 3000000000: "
		  "expected true, got false");
	expect_balance(bank, 1, 2 * big, "after 0->1 of 3000000000");
	cr_assert(bank_transfer(bank, 1, 1, 2 * big), "transfer 1->1 of 6000000000 from 6000000000: "
		  "expected true, got false");
	cr_assert_eq(bank_total(bank), 3 * big, "bank_total of balances 0, 6000000000 and 3000000000: "
		     "expected %ld, got %ld (summed in an int?)", 3 * big, bank_total(bank));
	bank_free(bank);
}

/* pthread_mutex_init can fail: the bank is then not made, and what was made is undone. */
Test(basic, lock_init_failure)
{
	long base = mem_live_blocks(), left;
	bank_t *bank;

	for (int k = 1; k <= 3; k++) {
		mutex_init_fail_at(k);
		bank = bank_new(3, 10);
		cr_assert_null(bank, "bank_new(3, 10) when the lock of account %d cannot be made "
			       "(pthread_mutex_init fails): expected NULL, got a bank", k - 1);
		cr_assert_eq(mutex_destroys(), mutex_inits(), "bank_new(3, 10) failed at account %d's "
			     "lock: the %d locks made before must be destroyed, %d were", k - 1,
			     mutex_inits(), mutex_destroys());
		left = mem_live_blocks() - base;
		cr_assert_eq(left, 0, "leaked %ld block(s): bank_new(3, 10) returned NULL when account "
			     "%d's lock could not be made, but did not free what it had allocated", left,
			     k - 1);
	}
	/* The 1st or 2nd allocation fails (the bank, its accounts, in either order). */
	mutex_init_fail_at(0);
	for (int k = 1; k <= 2; k++) {
		int tried;

		mem_fail_at(k, false);
		bank = bank_new(3, 10);
		tried = mem_allocations();
		mem_fail_at(0, false);
		/* A bank made of one allocation never tries a 2nd. */
		cr_assert(!bank || tried < k, "bank_new(3, 10) when its allocation number %d fails: "
			  "expected NULL, got a bank", k);
		if (bank)	/* free_null's business */
			bank_free(bank);
	}
	left = mem_live_blocks() - base;
	cr_assert_eq(left, 0, "leaked %ld block(s): bank_new(3, 10) returned NULL when an allocation "
		     "failed, but did not free what it had allocated before", left);
	cr_assert_eq(mutex_destroys(), mutex_inits(), "bank_new(3, 10) when an allocation failed: %d "
		     "locks made, %d destroyed", mutex_inits(), mutex_destroys());
	mutex_init_fail_at(0);
	bank = new_bank(3, 10);
	bank_free(bank);
	cr_assert_eq(mutex_destroys(), mutex_inits(), "bank_free: %d locks made, %d destroyed",
		     mutex_inits(), mutex_destroys());
	left = mem_live_blocks() - base;
	cr_assert_eq(left, 0, "leaked %ld block(s): bank_new(3, 10) then bank_free (does bank_free "
		     "free the accounts and the bank?)", left);
}

/* The header: "Frees the bank (NULL is fine)". */
Test(basic, free_null)
{
	bank_free(NULL);
}

/* ---- every lock taken is released once, by the thread that took it ---- */

/* The bank's mutexes again, as error-checking ones: misuse then shows in perturb_lock_errors(). */
static void error_checking_locks(bank_t *bank)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	for (int i = 0; i < bank->n; i++) {
		pthread_mutex_destroy(&bank->accounts[i].lock);
		pthread_mutex_init(&bank->accounts[i].lock, &attr);
	}
	pthread_mutexattr_destroy(&attr);
}

/* Every path of every call, to itself, up and down, refused and not. */
Test(locking, unlocks_what_it_locked)
{
	static const struct { int from, to; long amount; } calls[] = {
		{ 0, 0, 10 }, { 0, 0, 1000 }, { 0, 0, -1 }, { 0, 1, 10 }, { 1, 0, 10 }, { 2, 0, 1000 },
		{ 0, 2, 1000 }, { 1, 2, 0 }, { 2, 1, -3 }, { 3, 3, 1 }, { 1, 1, 110 },
	};
	bank_t *bank = new_bank(3, 100);
	unsigned before;

	error_checking_locks(bank);
	before = perturb_lock_errors();
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		bank_transfer(bank, calls[i].from, calls[i].to, calls[i].amount);
		cr_assert_eq(perturb_lock_errors(), before,
			     "transfer %d->%d of %ld: a mutex was unlocked that this thread did not hold "
			     "(unlocked twice?), or locked twice", calls[i].from, calls[i].to,
			     calls[i].amount);
		for (int id = 0; id < 3; id++) {
			int rc = pthread_mutex_trylock(&bank->accounts[id].lock);

			cr_assert_eq(rc, 0, "after transfer %d->%d of %ld, account %d's lock is still held",
				     calls[i].from, calls[i].to, calls[i].amount, id);
			pthread_mutex_unlock(&bank->accounts[id].lock);
		}
	}
	bank_total(bank);
	bank_balance(bank, 1);
	cr_assert_eq(perturb_lock_errors(), before, "bank_total or bank_balance unlocked a mutex this "
		     "thread did not hold, or locked one twice");
	bank_free(bank);
}

#define OWN_THREADS 4
#define OWN_ROUNDS 300

struct own {
	bank_t *bank;
	pthread_barrier_t *go;
	int role;
};

/* To itself, up, down and a read, all on accounts 0 and 1, so that every lock is contended. */
static void *own_work(void *arg)
{
	struct own *o = arg;

	pthread_barrier_wait(o->go);
	for (int i = 0; i < OWN_ROUNDS; i++) {
		switch ((o->role + i) % 4) {
		case 0: bank_transfer(o->bank, 0, 0, 1); break;
		case 1: bank_transfer(o->bank, 0, 1, 1); break;
		case 2: bank_transfer(o->bank, 1, 0, 1); break;
		default: bank_balance(o->bank, o->role % 2); break;
		}
	}
	return NULL;
}

/*
 * The same as unlocks_what_it_locked, with four threads at once, so that a
 * lock is often busy when another thread wants it: a pthread_mutex_trylock
 * whose EBUSY is ignored goes on without the lock and then unlocks the
 * mutex another thread holds, which an error-checking mutex refuses.
 */
Test(locking, unlocks_only_its_own)
{
	bank_t *bank = new_bank(2, 1000000);
	struct own crew[OWN_THREADS];
	pthread_barrier_t go;
	unsigned before;

	error_checking_locks(bank);
	pthread_barrier_init(&go, NULL, OWN_THREADS);
	before = perturb_lock_errors();
	for (int t = 0; t < OWN_THREADS; t++)
		crew[t] = (struct own){ bank, &go, t };
	run_threads(OWN_THREADS, own_work, crew, sizeof(crew[0]));
	cr_assert_eq(perturb_lock_errors(), before, "%u time(s) a thread unlocked an account's mutex it "
		     "did not hold (another thread did): is a pthread_mutex_trylock's EBUSY ignored, or a "
		     "lock unlocked twice?", perturb_lock_errors() - before);
	cr_assert_eq(bank_total(bank), 2000000, "bank_total after transfers between accounts 0 and 1: "
		     "expected 2000000, got %ld", bank_total(bank));
	pthread_barrier_destroy(&go);
	bank_free(bank);
}

/* ---- per-account locking ---- */

#define HOLD_ROUNDS 50

struct payer {
	bank_t *bank;
	pthread_barrier_t *go;
	bool ok;
	atomic_bool done;
};

static void *pay_into_zero(void *arg)
{
	struct payer *p = arg;

	pthread_barrier_wait(p->go);
	p->ok = bank_transfer(p->bank, 1, 0, 10);
	atomic_store(&p->done, true);
	return NULL;
}

/*
 * The test holds account 0's lock, as another transfer would.  A transfer
 * between accounts 2 and 3 must not care; one paying into account 0 must
 * wait for it.  While it holds the lock the test also deposits into account
 * 0, which is fine since it holds the lock: a transfer that did not wait
 * would have its 10 overwritten.
 */
Test(locking, per_account)
{
	for (int round = 0; round < HOLD_ROUNDS; round++) {
		bank_t *bank = new_bank(4, 100);
		struct bank_account *zero = &bank->accounts[0];
		pthread_barrier_t go;
		struct payer p = { .bank = bank, .go = &go };
		pthread_t tid;

		pthread_barrier_init(&go, NULL, 2);
		pthread_mutex_lock(&zero->lock);
		cr_assert_eq(pthread_create(&tid, NULL, pay_into_zero, &p), 0, "pthread_create failed");
		pthread_barrier_wait(&go);

		/* A hang here (the test times out) means one lock for the whole bank. */
		cr_assert(bank_transfer(bank, 2, 3, 10),
			  "transfer 2->3 of 10 while account 0 is locked: expected true, got false");
		expect_balance(bank, 2, 90, "after 2->3 of 10, while account 0 is locked");
		expect_balance(bank, 3, 110, "after 2->3 of 10, while account 0 is locked");
		cr_assert(!atomic_load(&p.done),
			  "round %d: transfer 1->0 returned while the test held account 0's lock: "
			  "expected it to wait for the lock", round);
		zero->balance = 1000;
		pthread_mutex_unlock(&zero->lock);

		pthread_join(tid, NULL);
		cr_assert(p.ok, "round %d: transfer 1->0 of 10 from 100: expected true, got false", round);
		cr_assert_eq(bank_balance(bank, 0), 1010,
			     "round %d: account 0 after the test set it to 1000 under its lock, then 1->0 of 10: "
			     "expected 1010, got %ld (did the transfer wait for account 0's lock?)",
			     round, bank_balance(bank, 0));
		expect_balance(bank, 1, 90, "after 1->0 of 10");
		pthread_barrier_destroy(&go);
		bank_free(bank);
	}
}

/* ---- reads wait for the lock too ---- */

struct reader {
	bank_t *bank;
	pthread_barrier_t *go;
	int id;			/* bank_balance(id), or bank_total when -1 */
	atomic_int tid;
	long got;
};

static void *read_bank(void *arg)
{
	struct reader *r = arg;

	atomic_store(&r->tid, (int)gettid());
	pthread_barrier_wait(r->go);
	r->got = r->id < 0 ? bank_total(r->bank) : bank_balance(r->bank, r->id);
	return NULL;
}

/*
 * Rule 5: a balance is only read with its account's lock held.  The test
 * holds account k's lock: bank_total, and bank_balance(k), must wait for
 * it (asleep in a futex) rather than end, and then see what the test wrote
 * under it.  A total that leaves one account's lock out is no data race the
 * detectors can see (every transfer into that account holds another lock
 * the total holds), and still reads a balance without its lock.
 */
Test(locking, reads_wait_for_the_lock)
{
	const int n = 4;

	for (int k = 0; k < n; k++) {
		for (int total = 0; total <= 1; total++) {
			bank_t *bank = new_bank(n, 100);
			pthread_barrier_t go;
			struct reader r = { .bank = bank, .go = &go, .id = total ? -1 : k };
			const char *what = total ? "bank_total" : "bank_balance";
			enum task_state st;
			pthread_t thread;

			pthread_barrier_init(&go, NULL, 2);
			pthread_mutex_lock(&bank->accounts[k].lock);
			cr_assert_eq(pthread_create(&thread, NULL, read_bank, &r), 0, "pthread_create failed");
			pthread_barrier_wait(&go);
			/* A hang here (the test times out) means the reader spins. */
			while ((st = task_state(atomic_load(&r.tid))) != TASK_IN_FUTEX && st != TASK_GONE)
				sched_yield();
			cr_assert_eq(st, TASK_IN_FUTEX, "%s(%s%d) returned while the test held account %d's "
				     "lock: expected it to wait for that lock", what, total ? "" : "bank, ",
				     total ? -1 : k, k);
			bank->accounts[k].balance = 1100;
			pthread_mutex_unlock(&bank->accounts[k].lock);
			pthread_join(thread, NULL);
			cr_assert_eq(r.got, total ? 100L * n + 1000 : 1100L, "%s after the test set account %d "
				     "to 1100 under its lock: expected %ld, got %ld", what, k,
				     total ? 100L * n + 1000 : 1100L, r.got);
			pthread_barrier_destroy(&go);
			bank_free(bank);
		}
	}
}

/* ---- many threads ---- */

#define OPPOSITE_ROUNDS 100
#define OPPOSITE_THREADS 4
#define OPPOSITE_TRANSFERS 25

struct mover {
	bank_t *bank;
	pthread_barrier_t *go;
	int from, to;
	int failed;	/* transfers that returned false */
};

static void *move_back_and_forth(void *arg)
{
	struct mover *m = arg;

	pthread_barrier_wait(m->go);
	for (int i = 0; i < OPPOSITE_TRANSFERS; i++)
		if (!bank_transfer(m->bank, m->from, m->to, 1))
			m->failed++;
	return NULL;
}

/*
 * Half the threads move money 0->1, half 1->0, all at once.  Locking 'from'
 * then 'to' deadlocks here: the test then hangs until its time limit.
 */
Test(concurrent, opposite_transfers)
{
	struct mover movers[OPPOSITE_THREADS];
	pthread_barrier_t go;

	pthread_barrier_init(&go, NULL, OPPOSITE_THREADS);
	for (int round = 0; round < OPPOSITE_ROUNDS; round++) {
		bank_t *bank = new_bank(2, 1000);
		int failed = 0;

		for (int t = 0; t < OPPOSITE_THREADS; t++)
			movers[t] = (struct mover){ bank, &go, t % 2, 1 - t % 2, 0 };
		run_threads(OPPOSITE_THREADS, move_back_and_forth, movers, sizeof(movers[0]));
		for (int t = 0; t < OPPOSITE_THREADS; t++)
			failed += movers[t].failed;
		/* Neither account can drop below 1000 - 2 * 25: every transfer has the funds. */
		cr_assert_eq(failed, 0, "round %d: transfers of 1 between accounts holding 1000: "
			     "expected none to fail, %d failed", round, failed);
		expect_balance(bank, 0, 1000, "after as many 0->1 as 1->0 transfers");
		expect_balance(bank, 1, 1000, "after as many 0->1 as 1->0 transfers");
		bank_free(bank);
	}
	pthread_barrier_destroy(&go);
}

#define OVERDRAFT_ROUNDS 100
#define OVERDRAFT_THREADS 4
#define OVERDRAFT_TRIES 5
#define OVERDRAFT_FUNDS 10

static void *drain_zero(void *arg)
{
	struct mover *m = arg;

	pthread_barrier_wait(m->go);
	for (int i = 0; i < OVERDRAFT_TRIES; i++)
		if (!bank_transfer(m->bank, 0, m->to, 1))
			m->failed++;
	return NULL;
}

/*
 * Four threads try 20 transfers of 1 out of an account holding 10: exactly
 * 10 may succeed.  Checking the funds before taking the locks lets two
 * threads both spend the last unit.
 */
Test(concurrent, no_overdraft)
{
	struct mover movers[OVERDRAFT_THREADS];
	pthread_barrier_t go;

	pthread_barrier_init(&go, NULL, OVERDRAFT_THREADS);
	for (int round = 0; round < OVERDRAFT_ROUNDS; round++) {
		bank_t *bank = new_bank(OVERDRAFT_THREADS + 1, OVERDRAFT_FUNDS);
		int moved = 0;

		for (int t = 0; t < OVERDRAFT_THREADS; t++)
			movers[t] = (struct mover){ bank, &go, 0, t + 1, 0 };
		run_threads(OVERDRAFT_THREADS, drain_zero, movers, sizeof(movers[0]));
		for (int t = 0; t < OVERDRAFT_THREADS; t++)
			moved += OVERDRAFT_TRIES - movers[t].failed;
		cr_assert_eq(moved, OVERDRAFT_FUNDS,
			     "round %d: %d transfers of 1 out of an account holding %d: "
			     "expected %d to succeed, got %d",
			     round, OVERDRAFT_THREADS * OVERDRAFT_TRIES, OVERDRAFT_FUNDS,
			     OVERDRAFT_FUNDS, moved);
		expect_balance(bank, 0, 0, "after it was drained by transfers of 1");
		bank_free(bank);
	}
	pthread_barrier_destroy(&go);
}

#define TOTAL_ROUNDS 50
#define TOTAL_ACCOUNTS 8
#define TOTAL_INITIAL 100
#define TOTAL_MOVERS 3
#define TOTAL_TRANSFERS 30
#define TOTAL_SNAPSHOTS 30

struct auditor {
	bank_t *bank;
	pthread_barrier_t *go;
	int role;		/* < TOTAL_MOVERS: a mover; otherwise the auditor */
	int wrong;		/* totals that were not the bank's total */
	long first_wrong;
};

static void *move_or_audit(void *arg)
{
	struct auditor *a = arg;
	const long want = (long)TOTAL_ACCOUNTS * TOTAL_INITIAL;

	pthread_barrier_wait(a->go);
	if (a->role == TOTAL_MOVERS) {
		for (int i = 0; i < TOTAL_SNAPSHOTS; i++) {
			long got = bank_total(a->bank);

			if (got != want && !a->wrong++)
				a->first_wrong = got;
		}
		return NULL;
	}
	/*
	 * Money only moves to a higher-numbered account, so that locking
	 * 'from' then 'to' cannot deadlock here: this test is about totals.
	 */
	for (int i = 0; i < TOTAL_TRANSFERS; i++) {
		int from = (3 * i + a->role) % TOTAL_ACCOUNTS;
		int to = (5 * i + a->role + 1) % TOTAL_ACCOUNTS;

		if (from == to)
			continue;
		if (from > to) {
			int t = from;

			from = to;
			to = t;
		}
		bank_transfer(a->bank, from, to, 1 + i % 5);
	}
	return NULL;
}

/* An auditor takes totals while three threads move money: each must be exact. */
Test(concurrent, exact_totals)
{
	struct auditor crew[TOTAL_MOVERS + 1];
	const long want = (long)TOTAL_ACCOUNTS * TOTAL_INITIAL;
	pthread_barrier_t go;

	pthread_barrier_init(&go, NULL, TOTAL_MOVERS + 1);
	for (int round = 0; round < TOTAL_ROUNDS; round++) {
		bank_t *bank = new_bank(TOTAL_ACCOUNTS, TOTAL_INITIAL);
		struct auditor *auditor = &crew[TOTAL_MOVERS];
		long sum = 0;

		for (int t = 0; t <= TOTAL_MOVERS; t++)
			crew[t] = (struct auditor){ .bank = bank, .go = &go, .role = t };
		run_threads(TOTAL_MOVERS + 1, move_or_audit, crew, sizeof(crew[0]));
		cr_assert_eq(auditor->wrong, 0,
			     "round %d: bank_total while transfers ran: expected %ld every time, "
			     "got %ld (%d of %d totals wrong)",
			     round, want, auditor->first_wrong, auditor->wrong, TOTAL_SNAPSHOTS);
		for (int i = 0; i < TOTAL_ACCOUNTS; i++)
			sum += bank_balance(bank, i);
		cr_assert_eq(sum, want, "round %d: sum of balances after the transfers: expected %ld, got %ld",
			     round, want, sum);
		bank_free(bank);
	}
	pthread_barrier_destroy(&go);
}
