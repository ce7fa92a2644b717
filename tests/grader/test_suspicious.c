/* Unit tests of the suspicious flag: from a stage's report to the gradebook's flags column. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "gradebook.h"

Test(suspicious, a_stage_with_suspicious_lines_flags_the_row)
{
	json_t *j = json_loads("{\"extra_data\": {\"stages\": ["
			       "{\"stage\": \"03-race\", \"state\": \"graded\", \"tests\": [],"
			       " \"suspicious\": \"account.c:9: calls exit, which ends the process\"}]}}",
			       0, NULL);
	char *names;

	cr_assert_eq(gradebook_flags_of(j), GB_SUSPICIOUS);
	names = gradebook_flags_str(GB_SUSPICIOUS | GB_RACE);
	cr_assert_str_eq(names, "race suspicious");
	cr_assert_eq(gradebook_flag_find("suspicious"), GB_SUSPICIOUS);
	free(names);
	json_decref(j);
}

Test(suspicious, a_stage_without_them_does_not)
{
	json_t *j = json_loads("{\"extra_data\": {\"stages\": ["
			       "{\"stage\": \"03-race\", \"state\": \"graded\", \"tests\": []}]}}", 0, NULL);

	cr_assert_eq(gradebook_flags_of(j), 0);
	json_decref(j);
}
