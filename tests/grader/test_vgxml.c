/* Unit tests of the valgrind XML reader, on reports captured from real runs. */
#include <criterion/criterion.h>
#include <string.h>

#include "vgxml.h"

static int count_kind(const struct vg_report *r, const char *kind)
{
	int n = 0;

	for (size_t i = 0; i < r->nerrors; i++)
		n += r->errors[i].kind && !strcmp(r->errors[i].kind, kind);
	return n;
}

Test(vgxml, helgrind_races_and_lock_order)
{
	struct vg_report r = { 0 };
	struct strbuf err = STRBUF_INIT;
	const struct vg_error *race;

	cr_assert_eq(vgxml_parse_file(&r, "fixtures/helgrind.xml", &err), 0, "%s", sb_str(&err));
	cr_assert_str_eq(r.tool, "helgrind");
	cr_assert_eq(r.nerrors, 5, "expected 5 errors, got %zu", r.nerrors);
	cr_assert_eq(count_kind(&r, "Race"), 4);
	cr_assert_eq(count_kind(&r, "LockOrder"), 1);
	cr_assert_not(r.truncated);

	race = &r.errors[0];
	cr_assert_str_eq(race->kind, "Race");
	cr_assert(strstr(race->what, "Possible data race during"), "headline: %s", race->what);
	cr_assert_gt(race->tid, 0);
	/* The access, the conflicting access, then where the memory came from. */
	cr_assert_geq(race->nstacks, 2);
	cr_assert_str_eq(race->stacks[0].frames[0].file, "account.c");
	cr_assert_str_eq(race->stacks[0].frames[0].dir, "/tmp/rcfix/src");
	cr_assert_str_eq(race->stacks[0].frames[0].fn, "account_deposit");
	cr_assert_eq(race->stacks[0].frames[0].line, 15);
	cr_assert(strstr(race->stacks[1].label, "This conflicts with a previous"),
		  "second stack's label: %s", race->stacks[1].label);
	/* Helgrind announced the threads, with where they were created. */
	cr_assert_geq(r.nthreads, 2);
	cr_assert_not_null(vg_report_thread(&r, race->tid));
	vg_report_release(&r);
	sb_release(&err);
}

Test(vgxml, drd_conflicting_accesses)
{
	struct vg_report r = { 0 };
	struct strbuf err = STRBUF_INIT;

	cr_assert_eq(vgxml_parse_file(&r, "fixtures/drd.xml", &err), 0, "%s", sb_str(&err));
	cr_assert_str_eq(r.tool, "drd");
	cr_assert_eq(r.nerrors, 4);
	cr_assert_eq(count_kind(&r, "ConflictingAccess"), 4);
	cr_assert(strstr(r.errors[0].what, "Conflicting"), "headline: %s", r.errors[0].what);
	/* DRD pins the race on counter to the student's line... */
	cr_assert_str_eq(r.errors[3].stacks[0].frames[0].file, "account.c");
	cr_assert_eq(r.errors[3].stacks[0].frames[0].line, 16);
	/* ...but the one on balance to the caller's: only Helgrind pins that one. */
	cr_assert_str_eq(r.errors[0].stacks[0].frames[0].file, "driver.c");
	/* Where the raced-on memory was allocated. */
	cr_assert_str_eq(r.errors[0].stacks[1].label, "allocated");
	cr_assert_str_eq(r.errors[0].stacks[1].frames[1].fn, "account_new");
	vg_report_release(&r);
	sb_release(&err);
}

Test(vgxml, clean_run_has_no_errors)
{
	struct vg_report r = { 0 };
	struct strbuf err = STRBUF_INIT;

	cr_assert_eq(vgxml_parse_file(&r, "fixtures/clean-helgrind.xml", &err), 0, "%s", sb_str(&err));
	cr_assert_eq(r.nerrors, 0);
	cr_assert_not(r.truncated);
	vg_report_release(&r);
	sb_release(&err);
}

Test(vgxml, truncated_report_keeps_complete_errors)
{
	struct vg_report r = { 0 };
	struct strbuf err = STRBUF_INIT;

	cr_assert_eq(vgxml_parse_file(&r, "fixtures/helgrind-truncated.xml", &err), 0, "%s",
		     sb_str(&err));
	cr_assert(r.truncated);
	cr_assert_eq(r.nerrors, 2, "the two errors before the cut, got %zu", r.nerrors);
	vg_report_release(&r);
	sb_release(&err);
}

Test(vgxml, empty_file_is_a_truncated_report)
{
	struct vg_report r = { 0 };
	struct strbuf err = STRBUF_INIT;

	cr_assert_eq(vgxml_parse(&r, "", 0, &err), 0);
	cr_assert(r.truncated);
	cr_assert_eq(r.nerrors, 0);
	vg_report_release(&r);
}

Test(vgxml, rejects_what_is_not_valgrind_xml)
{
	static const char *const bad[] = {
		"{\"json\": true}",
		"<valgrindoutput><error><kind>Race</kind></error></nope>",
		"<html><body>hello</body></html>",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct vg_report r = { 0 };
		struct strbuf err = STRBUF_INIT;

		cr_assert_eq(vgxml_parse(&r, bad[i], strlen(bad[i]), &err), -1, "accepted: %s", bad[i]);
		cr_assert(strstr(sb_str(&err), "not valgrind XML"), "reason: %s", sb_str(&err));
		vg_report_release(&r);
		sb_release(&err);
	}
}

Test(vgxml, missing_file)
{
	struct vg_report r = { 0 };
	struct strbuf err = STRBUF_INIT;

	cr_assert_eq(vgxml_parse_file(&r, "fixtures/no-such.xml", &err), -1);
	cr_assert(strstr(sb_str(&err), "No such file"), "reason: %s", sb_str(&err));
	sb_release(&err);
}
