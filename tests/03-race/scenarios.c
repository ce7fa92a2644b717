/* Detector scenarios for stage 03: accounts used by several threads at once, under Helgrind and DRD. */
#include <pthread.h>
#include <stdlib.h>

#include "account.h"
#include "scenario.h"

/*
 * The detectors need to see each shared access once, unordered with
 * another thread's access to the same account: a few hundred calls are
 * plenty.  No withdrawal here is refused except in "refusal", where a
 * refusal is the last thing done to that account: a withdraw that keeps
 * its lock on a refusal then shows as a misuse instead of hanging the
 * run.
 */
#define OPS 150

struct job {
	account_t **accts;
	int naccts;
	int id;
	int role;
};

enum { DEPOSIT, WITHDRAW, READ };

static account_t *must_new(long initial)
{
	account_t *acct = account_new(initial);

	if (!acct)
		abort();
	return acct;
}

static void *do_role(void *p)
{
	struct job *j = p;
	account_t *a = j->accts[0];

	for (int i = 0; i < OPS; i++) {
		switch (j->role) {
		case DEPOSIT:
			account_deposit(a, 2);
			break;
		case WITHDRAW:
			/* The starting balance covers every withdrawal. */
			(void)account_withdraw(a, 1);
			break;
		case READ:
			(void)account_balance(a);
			break;
		}
	}
	return NULL;
}

/* Two depositors, two withdrawers and a reader on one account. */
static void shared_account(void)
{
	account_t *a = must_new(2 * OPS);
	struct job jobs[5];
	const int roles[5] = { DEPOSIT, WITHDRAW, READ, DEPOSIT, WITHDRAW };

	for (int i = 0; i < 5; i++)
		jobs[i] = (struct job){ &a, 1, i, roles[i] };
	scenario_threads(5, do_role, jobs, sizeof(jobs[0]));
	account_free(a);
}

/* The smallest pair: one writer, one reader that reads while it writes. */
static void reader_and_writer(void)
{
	account_t *a = must_new(0);
	struct job jobs[2] = {
		{ &a, 1, 0, DEPOSIT },
		{ &a, 1, 1, READ },
	};

	scenario_threads(2, do_role, jobs, sizeof(jobs[0]));
	account_free(a);
}

/* Three threads walking round three accounts, each in its own order. */
static void *walk(void *p)
{
	struct job *j = p;

	for (int i = 0; i < OPS / 3; i++) {
		account_t *a = j->accts[(j->id + i) % j->naccts];
		account_t *b = j->accts[(j->id + 2 * i + 1) % j->naccts];

		account_deposit(a, 2);
		(void)account_withdraw(b, 1);	/* never refused: each starts with OPS */
		(void)account_balance(a);
	}
	return NULL;
}

static void many_accounts(void)
{
	account_t *accts[3];
	struct job jobs[3];

	for (int k = 0; k < 3; k++)
		accts[k] = must_new(OPS);
	for (int i = 0; i < 3; i++)
		jobs[i] = (struct job){ accts, 3, i, 0 };
	scenario_threads(3, walk, jobs, sizeof(jobs[0]));
	for (int k = 0; k < 3; k++)
		account_free(accts[k]);
}

/*
 * Each thread empties an account of its own and is refused once at the
 * end, alongside the others: the refusal path runs in every thread, and
 * nothing touches an account after its refusal.
 */
static void *empty_then_refused(void *p)
{
	struct job *j = p;
	account_t *a = j->accts[j->id];

	for (int i = 0; i < 10; i++)
		(void)account_withdraw(a, 1);
	(void)account_withdraw(a, 1);	/* refused: the account is empty */
	return NULL;
}

static void refusal(void)
{
	account_t *accts[2];
	struct job jobs[2];

	for (int k = 0; k < 2; k++)
		accts[k] = must_new(10);
	for (int i = 0; i < 2; i++)
		jobs[i] = (struct job){ accts, 2, i, 0 };
	scenario_threads(2, empty_then_refused, jobs, sizeof(jobs[0]));
	for (int k = 0; k < 2; k++)
		account_free(accts[k]);
}

const struct scenario scenarios[] = {
	{ "shared_account", "two depositors, two withdrawers and a reader on one account", shared_account },
	{ "reader_and_writer", "account_balance while another thread deposits", reader_and_writer },
	{ "many_accounts", "three threads using three accounts at once", many_accounts },
	{ "refusal", "withdrawals refused for lack of money, in two threads", refusal },
};
const size_t nscenarios = sizeof(scenarios) / sizeof(scenarios[0]);
