/* Hostile: finds the test runner's own functions at run time and calls the one that ends a test as passed. */
#define _GNU_SOURCE
#include "account.h"

#include <dlfcn.h>
#include <stddef.h>

/* Ends the current test the way the harness would, if any of these is found. */
static void finish_as_passed(void)
{
	static const char *const names[] = {
		"test_finished", "criterion_test_die", "cr_skip", "criterion_send_assert",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		void (*fn)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, names[i]);

		if (fn)
			fn();
	}
}

account_t *account_new(long initial) { (void)initial; finish_as_passed(); return NULL; }
void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; finish_as_passed(); }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; finish_as_passed(); return 0; }
