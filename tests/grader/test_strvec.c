/* Unit tests of strvec.c: a growable NULL-terminated argv. */
#include <criterion/criterion.h>
#include <string.h>

#include "strvec.h"

Test(strvec, starts_empty_and_null_terminated)
{
	struct strvec sv = STRVEC_INIT;

	cr_assert_eq(sv.n, 0);
	cr_assert_not_null(sv.v);
	cr_assert_null(sv.v[0]);
	strvec_clear(&sv);
	cr_assert_null(sv.v[0]);
}

Test(strvec, push_pushf_pushv_copy_in_order)
{
	struct strvec sv;
	char word[] = "--seed";
	const char *more[] = { "--", "stuck", NULL };

	strvec_init(&sv);
	strvec_push(&sv, word);
	word[2] = 'X';		/* a copy was pushed */
	strvec_pushf(&sv, "%d", 42);
	strvec_pushv(&sv, more);
	for (int i = 0; i < 20; i++)	/* past the first allocation */
		strvec_pushf(&sv, "x%d", i);
	cr_assert_eq(sv.n, 24);
	cr_assert_str_eq(sv.v[0], "--seed");
	cr_assert_str_eq(sv.v[1], "42");
	cr_assert_str_eq(sv.v[2], "--");
	cr_assert_str_eq(sv.v[3], "stuck");
	cr_assert_str_eq(sv.v[23], "x19");
	cr_assert_null(sv.v[24], "NULL-terminated, an argv as it is");
	strvec_clear(&sv);
	cr_assert_eq(sv.n, 0);
	cr_assert_null(sv.v[0]);
	strvec_push(&sv, "again");
	cr_assert_str_eq(sv.v[0], "again");
	cr_assert_null(sv.v[1]);
	strvec_clear(&sv);
}
