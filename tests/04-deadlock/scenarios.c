/* Detector scenarios of stage 04-deadlock: lock order, and totals taken during transfers. */
#include <stddef.h>

#include "bank.h"
#include "scenario.h"

struct job {
	bank_t *bank;
	int from, to;	/* a transfer job; from -1 makes the thread an auditor, -2 a reader */
	int count;
	long amount;	/* of each transfer; 0 means 1 */
};

static void *work(void *arg)
{
	struct job *j = arg;

	for (int i = 0; i < j->count; i++) {
		if (j->from >= 0) {
			bank_transfer(j->bank, j->from, j->to, j->amount ? j->amount : 1);
		} else if (j->from == -2) {
			/* balances alone: no total's locks to order them after the writes */
			bank_balance(j->bank, i % j->bank->n);
		} else {
			bank_total(j->bank);
			bank_balance(j->bank, i % j->bank->n);
		}
	}
	return NULL;
}

/*
 * 0->1 in one thread, then, once it has finished, 1->0 in another: no
 * deadlock can happen, yet locking 'from' then 'to' took the two locks in
 * both orders, which Helgrind reports.  Then a total next to a transfer
 * 3->0, for a total that takes the locks in another order than transfers.
 */
static void transfer_both_ways(void)
{
	bank_t *bank = bank_new(4, 100);
	struct job there = { bank, 0, 1, 20 }, back = { bank, 1, 0, 20 };
	struct job audit = { bank, -1, -1, 4 }, wrap = { bank, 3, 0, 20 };

	scenario_threads(1, work, &there, sizeof(there));
	scenario_threads(1, work, &back, sizeof(back));
	scenario_threads(1, work, &audit, sizeof(audit));
	scenario_threads(1, work, &wrap, sizeof(wrap));
	bank_free(bank);
}

/*
 * Two threads draw from account 0 at once while an auditor takes totals
 * and a reader reads balances.
 * Money only moves to higher-numbered accounts, so that no lock-order bug
 * can deadlock here: this one is about reads and writes without the lock.
 */
static void transfers_while_auditing(void)
{
	bank_t *bank = bank_new(4, 1000);
	struct job jobs[] = {
		{ bank, 0, 1, 50 },
		{ bank, 0, 2, 50 },
		{ bank, 1, 3, 50 },
		{ bank, -1, -1, 25 },
		{ bank, -2, -1, 100 },
	};

	scenario_threads(5, work, jobs, sizeof(jobs[0]));
	bank_free(bank);
}

/*
 * Money goes down (2->0: the lower-numbered lock is the receiver's) while
 * other threads draw from account 2 and send to it, and while account 1
 * pays itself.  The transfers 2->0 ask for more than account 2 holds: a
 * refusal that reads the sender's balance without the sender's lock then
 * never takes that lock at all, and nothing orders its reads after the
 * other threads' writes.
 */
static void transfers_down_and_to_self(void)
{
	bank_t *bank = bank_new(4, 1000);
	struct job jobs[] = {
		{ bank, 2, 0, 40, 1000000 },
		{ bank, 2, 3, 40, 1 },
		{ bank, 1, 2, 40, 1 },
		{ bank, 1, 1, 40, 1 },
	};

	scenario_threads(4, work, jobs, sizeof(jobs[0]));
	bank_free(bank);
}

const struct scenario scenarios[] = {
	{ "transfer_both_ways", "transfers 0->1 then 1->0, one after the other", transfer_both_ways },
	{ "transfers_while_auditing", "transfers from one account while another thread takes totals",
	  transfers_while_auditing },
	{ "transfers_down_and_to_self", "transfers 2->0, 2->3, 1->2 and 1->1 at once",
	  transfers_down_and_to_self },
};
const size_t nscenarios = sizeof(scenarios) / sizeof(scenarios[0]);
