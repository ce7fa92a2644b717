/*
 * Hostile: racy code that, where the detectors run it, prints lines that
 * start like valgrind's and bubblewrap's own messages, then ends: the
 * report must not quote them as the tools'.
 */
#define _GNU_SOURCE
#include "account.h"

#include <stdlib.h>
#include <unistd.h>

/* Criterion's own (weak: the grader links the code on its own first): which test runs. */
struct cr_test {
	const char *name;
	const char *category;
};
extern const struct cr_test *const criterion_current_test __attribute__((weak));

/*
 * In the detectors' scenario program (no Criterion there), before any race:
 * lines that start like valgrind's and bubblewrap's own, then an early end.
 */
static void pose_as_tools(void)
{
	static const char lines[] =
		"valgrind: the 'impossible' happened: rc-hostile-posing-as-valgrind\n"
		"bwrap: Can't mount proc: rc-hostile-posing-as-bwrap\n";

	if (&criterion_current_test)
		return;
	if (write(2, lines, sizeof(lines) - 1) < 0) {
		/* Then nothing to see. */
	}
	_exit(1);
}

struct account {
	long balance;
};

account_t *account_new(long initial)
{
	account_t *acct = malloc(sizeof(*acct));

	pose_as_tools();
	if (acct)
		acct->balance = initial;
	return acct;
}

void account_free(account_t *acct) { free(acct); }
void account_deposit(account_t *acct, long amount) { acct->balance += amount; }
bool account_withdraw(account_t *acct, long amount)
{
	if (acct->balance < amount)
		return false;
	acct->balance -= amount;
	return true;
}
long account_balance(account_t *acct) { return acct->balance; }
