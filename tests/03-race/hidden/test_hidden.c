/* Instructor-only tests of 03-race: edges of withdraw that the handout states but does not drill. */
#include <criterion/criterion.h>

#include "account.h"

Test(hidden, withdraw_everything)
{
	account_t *acct = account_new(50);

	cr_assert_not_null(acct, "account_new(50) returned NULL");
	cr_assert(account_withdraw(acct, 50), "withdrawing the whole balance of 50 was refused");
	cr_assert_eq(account_balance(acct), 0, "balance after withdrawing all 50: expected 0, got %ld",
		     account_balance(acct));
	cr_assert_not(account_withdraw(acct, 1), "withdrawing 1 from an empty account succeeded");
	cr_assert_eq(account_balance(acct), 0, "a refused withdrawal changed the balance to %ld",
		     account_balance(acct));
	account_free(acct);
}

Test(hidden, zero_amounts)
{
	account_t *acct = account_new(7);

	cr_assert_not_null(acct, "account_new(7) returned NULL");
	account_deposit(acct, 0);
	cr_assert_eq(account_balance(acct), 7, "a deposit of 0 changed the balance from 7 to %ld",
		     account_balance(acct));
	cr_assert(account_withdraw(acct, 0), "a withdrawal of 0 from a balance of 7 was refused");
	cr_assert_eq(account_balance(acct), 7, "a withdrawal of 0 changed the balance from 7 to %ld",
		     account_balance(acct));
	account_free(acct);
}
