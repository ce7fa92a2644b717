/* Criterion tests for stage 03: one account, or several, used by many threads at once. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "account.h"
#include "perturb.h"

/*
 * The concurrent tests run many short rounds.  In each round the worker
 * threads wait on a barrier, all start together, do a few dozen calls, and
 * wait on a second barrier; meanwhile the test's own thread only waits.
 * Between rounds nobody touches the account but the test, which checks it.
 * With the schedule perturbation linked in (perturb.c), a thread that
 * unlocks sometimes yields the CPU at that very moment, so a check and an
 * act done under two separate locks get another thread in between them
 * within a few rounds.  Only the test's own thread asserts.
 */
#define MAX_WORKERS 8

struct crew;
typedef void (*round_fn)(struct crew *c, int id);

struct crew {
	int nworkers;
	int rounds;
	round_fn work;
	pthread_barrier_t start, done;
	pthread_t tids[MAX_WORKERS];
	account_t *acct;		/* this round's account */
	account_t **accts;		/* or these, for tests with many */
	long got[MAX_WORKERS];		/* what each worker counted this round */
	long low[MAX_WORKERS];		/* the lowest balance a worker saw */
};

struct worker_arg {
	struct crew *crew;
	int id;
};

/*
 * At file scope, not on the test's stack: when an assertion ends the test
 * early the workers are still waiting on the barriers, and the barriers
 * must outlive the test function until the process exits.
 */
static struct crew crew;
static struct worker_arg args[MAX_WORKERS];

static void *worker(void *p)
{
	struct worker_arg *a = p;
	struct crew *c = a->crew;

	for (int r = 0; r < c->rounds; r++) {
		pthread_barrier_wait(&c->start);
		c->work(c, a->id);
		pthread_barrier_wait(&c->done);
	}
	return NULL;
}

static void crew_start(struct crew *c, int nworkers, int rounds, round_fn work)
{
	c->nworkers = nworkers;
	c->rounds = rounds;
	c->work = work;
	/* The workers and the test's own thread meet at both barriers. */
	cr_assert_eq(pthread_barrier_init(&c->start, NULL, nworkers + 1), 0, "cannot make a barrier");
	cr_assert_eq(pthread_barrier_init(&c->done, NULL, nworkers + 1), 0, "cannot make a barrier");
	for (int i = 0; i < nworkers; i++) {
		args[i].crew = c;
		args[i].id = i;
		cr_assert_eq(pthread_create(&c->tids[i], NULL, worker, &args[i]), 0,
			"cannot start worker thread %d", i);
	}
}

/* Lets the workers run one round and waits until all of them are done. */
static void crew_round(struct crew *c)
{
	for (int i = 0; i < c->nworkers; i++) {
		c->got[i] = 0;
		c->low[i] = 0;
	}
	pthread_barrier_wait(&c->start);
	pthread_barrier_wait(&c->done);
}

static void crew_finish(struct crew *c)
{
	for (int i = 0; i < c->nworkers; i++)
		pthread_join(c->tids[i], NULL);
	pthread_barrier_destroy(&c->start);
	pthread_barrier_destroy(&c->done);
}

static account_t *new_account(long initial)
{
	account_t *acct = account_new(initial);

	cr_assert_not_null(acct, "account_new(%ld) returned NULL", initial);
	return acct;
}

/* ---- one thread ---- */

Test(basic, new_balance)
{
	account_t *a = new_account(100);
	account_t *b = new_account(0);
	long got;

	got = account_balance(a);
	cr_assert_eq(got, 100, "account_new(100) then balance: expected 100, got %ld", got);
	got = account_balance(b);
	cr_assert_eq(got, 0, "account_new(0) then balance: expected 0, got %ld", got);
	account_free(a);
	account_free(b);
	account_free(NULL);
}

Test(basic, deposit_withdraw)
{
	account_t *a = new_account(10);
	account_t *b = new_account(500);
	long got;

	account_deposit(a, 5);
	got = account_balance(a);
	cr_assert_eq(got, 15, "10, deposit 5: expected balance 15, got %ld", got);
	cr_assert(account_withdraw(a, 7), "15, withdraw 7: expected true, got false");
	got = account_balance(a);
	cr_assert_eq(got, 8, "15, withdraw 7: expected balance 8, got %ld", got);
	cr_assert(account_withdraw(a, 8), "8, withdraw 8 (all of it): expected true, got false");
	got = account_balance(a);
	cr_assert_eq(got, 0, "8, withdraw 8: expected balance 0, got %ld", got);
	cr_assert(account_withdraw(a, 0), "0, withdraw 0: expected true, got false");

	/* Accounts are separate: b did not move. */
	got = account_balance(b);
	cr_assert_eq(got, 500, "second account, untouched: expected 500, got %ld", got);
	account_free(a);
	account_free(b);
}

Test(basic, overdraft_refused)
{
	account_t *a = new_account(30);
	long got;

	cr_assert_not(account_withdraw(a, 31),
		"30, withdraw 31: expected false (not enough money), got true");
	got = account_balance(a);
	cr_assert_eq(got, 30, "30, refused withdraw of 31: expected the balance unchanged at 30, got %ld",
		got);
	/* A refusal must leave the account usable. */
	cr_assert(account_withdraw(a, 30), "30, withdraw 30 after a refusal: expected true, got false");
	cr_assert_not(account_withdraw(a, 1), "0, withdraw 1: expected false, got true");
	account_deposit(a, 4);
	got = account_balance(a);
	cr_assert_eq(got, 4, "0, refused withdraw, deposit 4: expected 4, got %ld", got);
	account_free(a);
}

/* Balances and amounts are longs (account.h): an int on the way cuts anything past 2^31. */
Test(basic, large_amounts)
{
	account_t *a = new_account(3000000000L);
	long got;

	got = account_balance(a);
	cr_assert_eq(got, 3000000000L, "account_new(3000000000) then balance: expected 3000000000, got %ld",
		     got);
	account_deposit(a, 4000000000L);
	got = account_balance(a);
	cr_assert_eq(got, 7000000000L, "3000000000, deposit 4000000000: expected 7000000000, got %ld", got);
	cr_assert(account_withdraw(a, 6500000000L),
		  "7000000000, withdraw 6500000000: expected true, got false");
	cr_assert_not(account_withdraw(a, 5000000000L),
		      "500000000, withdraw 5000000000: expected false (not enough money), got true");
	got = account_balance(a);
	cr_assert_eq(got, 500000000L, "7000000000, withdraw 6500000000, refused 5000000000: expected "
		     "500000000, got %ld", got);
	account_free(a);
}

/* ---- many threads, one account ---- */

#define DEP_WORKERS 4
#define DEP_ROUNDS 200
#define DEP_PER_ROUND 50

static void deposit_ones(struct crew *c, int id)
{
	(void)id;
	for (int i = 0; i < DEP_PER_ROUND; i++)
		account_deposit(c->acct, 1);
}

Test(deposit, exact_total)
{
	struct crew *c = &crew;

	c->acct = new_account(0);
	crew_start(c, DEP_WORKERS, DEP_ROUNDS, deposit_ones);
	for (int r = 1; r <= DEP_ROUNDS; r++) {
		long want = (long)r * DEP_WORKERS * DEP_PER_ROUND;
		long got;

		crew_round(c);
		got = account_balance(c->acct);
		cr_assert_eq(got, want,
			"round %d: %d threads x %d deposits of 1 so far: expected balance %ld, got %ld"
			" (a deposit was lost)", r, DEP_WORKERS, r * DEP_PER_ROUND, want, got);
	}
	crew_finish(c);
	account_free(c->acct);
}

/*
 * Two depositors and two withdrawers.  The balance at the start of a round
 * covers every withdrawal of the round, so each one must succeed whatever
 * the order, and the balance afterwards is known exactly.
 */
#define MIX_ROUNDS 200
#define MIX_PER_ROUND 40
#define MIX_IN 3
#define MIX_OUT 2
#define MIX_START (2L * MIX_PER_ROUND * MIX_OUT)

static void deposit_or_withdraw(struct crew *c, int id)
{
	for (int i = 0; i < MIX_PER_ROUND; i++) {
		if (id < 2)
			account_deposit(c->acct, MIX_IN);
		else if (account_withdraw(c->acct, MIX_OUT))
			c->got[id]++;
	}
}

Test(mixed, exact_balance)
{
	struct crew *c = &crew;

	c->acct = new_account(MIX_START);
	crew_start(c, 4, MIX_ROUNDS, deposit_or_withdraw);
	for (int r = 1; r <= MIX_ROUNDS; r++) {
		long want = MIX_START + (long)r * 2 * MIX_PER_ROUND * (MIX_IN - MIX_OUT);
		long ok, got;

		crew_round(c);
		ok = c->got[2] + c->got[3];
		cr_assert_eq(ok, 2 * MIX_PER_ROUND,
			"round %d: the balance covered all %d withdrawals of %d, expected all %d to succeed,"
			" %ld did", r, 2 * MIX_PER_ROUND, MIX_OUT, 2 * MIX_PER_ROUND, ok);
		got = account_balance(c->acct);
		cr_assert_eq(got, want,
			"round %d: 2 threads depositing %d and 2 withdrawing %d, %d times each per round:"
			" expected balance %ld, got %ld", r, MIX_IN, MIX_OUT, MIX_PER_ROUND, want, got);
	}
	crew_finish(c);
	account_free(c->acct);
}

/*
 * Four threads each try to withdraw 1 several times from a fresh account
 * holding less than they ask for in all, while a fifth thread watches the
 * balance.  Exactly as many withdrawals as the balance held must succeed,
 * the account must end at zero, and the watcher must never see it below.
 */
#define CON_WITHDRAWERS 4
#define CON_ROUNDS 300
#define CON_TRIES 4
#define CON_START 6

static void withdraw_or_watch(struct crew *c, int id)
{
	if (id == CON_WITHDRAWERS) {
		long low = CON_START;

		for (int i = 0; i < CON_TRIES * 2; i++) {
			long b = account_balance(c->acct);

			if (b < low)
				low = b;
		}
		c->low[id] = low;
		return;
	}
	for (int i = 0; i < CON_TRIES; i++)
		if (account_withdraw(c->acct, 1))
			c->got[id]++;
}

Test(withdraw, exact_under_contention)
{
	struct crew *c = &crew;

	crew_start(c, CON_WITHDRAWERS + 1, CON_ROUNDS, withdraw_or_watch);
	for (int r = 1; r <= CON_ROUNDS; r++) {
		long ok = 0, got;

		/* The workers are waiting at the start barrier: safe to swap. */
		c->acct = new_account(CON_START);
		crew_round(c);
		for (int i = 0; i < CON_WITHDRAWERS; i++)
			ok += c->got[i];
		got = account_balance(c->acct);
		cr_assert_geq(c->low[CON_WITHDRAWERS], 0,
			"round %d: a thread watching the balance saw %ld, expected it never below 0",
			r, c->low[CON_WITHDRAWERS]);
		cr_assert_eq(ok, CON_START,
			"round %d: %d threads x %d withdrawals of 1 from a balance of %d: expected exactly"
			" %d to succeed, %ld did (final balance %ld)",
			r, CON_WITHDRAWERS, CON_TRIES, CON_START, CON_START, ok, got);
		cr_assert_eq(got, 0,
			"round %d: every unit was withdrawn: expected balance 0, got %ld", r, got);
		account_free(c->acct);
	}
	crew_finish(c);
}

/* ---- many threads, many accounts ---- */

/*
 * Each thread walks round the accounts, depositing 2 into one and
 * withdrawing 1 from another, so that every account is used by several
 * threads at once and every thread meets every account.
 */
#define MANY_ACCTS 6
#define MANY_WORKERS 4
#define MANY_ROUNDS 150
#define MANY_LAPS 5
#define MANY_START 1000L

static void walk_accounts(struct crew *c, int id)
{
	for (int i = 0; i < MANY_LAPS * MANY_ACCTS; i++) {
		account_deposit(c->accts[(id + i) % MANY_ACCTS], 2);
		if (account_withdraw(c->accts[(2 * id + i + 1) % MANY_ACCTS], 1))
			c->got[id]++;
	}
}

Test(accounts, many_at_once)
{
	static const char *const op_names[3] = { "account_deposit", "account_withdraw", "account_balance" };
	static account_t *accts[MANY_ACCTS];
	const void *locks[MANY_ACCTS][3];
	struct crew *c = &crew;

	for (int k = 0; k < MANY_ACCTS; k++)
		accts[k] = new_account(MANY_START);
	c->accts = accts;
	crew_start(c, MANY_WORKERS, MANY_ROUNDS, walk_accounts);
	for (int r = 1; r <= MANY_ROUNDS; r++) {
		/* Per round each account gets MANY_LAPS deposits of 2 and withdrawals of 1 per thread. */
		long want = MANY_START + (long)r * MANY_WORKERS * MANY_LAPS;

		crew_round(c);
		for (int i = 0; i < MANY_WORKERS; i++)
			cr_assert_eq(c->got[i], MANY_LAPS * MANY_ACCTS,
				"round %d: thread %d withdrew 1 from accounts holding plenty %d times:"
				" expected all to succeed, %ld did", r, i, MANY_LAPS * MANY_ACCTS, c->got[i]);
		for (int k = 0; k < MANY_ACCTS; k++) {
			long got = account_balance(accts[k]);

			cr_assert_eq(got, want,
				"round %d: account %d of %d, each used by %d threads at once:"
				" expected balance %ld, got %ld", r, k, MANY_ACCTS, MANY_WORKERS, want, got);
		}
	}
	crew_finish(c);
	/* Rule 6: one mutex per account, so that calls on different accounts never wait for each other. */
	for (int k = 0; k < MANY_ACCTS; k++) {
		const void *took[3];

		perturb_last_locked();
		account_deposit(accts[k], 1);
		took[0] = perturb_last_locked();
		account_withdraw(accts[k], 1);
		took[1] = perturb_last_locked();
		account_balance(accts[k]);
		took[2] = perturb_last_locked();
		for (int j = 0; j < k; j++)
			for (int op = 0; op < 3; op++)
				cr_assert(!took[op] || took[op] != locks[j][op],
					"%s on account %d and on account %d locked the same mutex: one mutex "
					"for all accounts makes threads on different accounts wait for each "
					"other (rule 6: one mutex per account, kept in the account)",
					op_names[op], j, k);
		memcpy(locks[k], took, sizeof(took));
	}
	for (int k = 0; k < MANY_ACCTS; k++)
		account_free(accts[k]);
}
