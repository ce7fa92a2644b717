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

/*
 * A tool that fails writes its last words into the XML: in the middle of
 * the document (Helgrind's, in a run seen here) or after its end (DRD's
 * assertion in handle_free).  The errors complete
 * before them still count.
 */
static const char last_words[] =
	"\nHelgrind: hg_main.c:5379 (hg_handle_client_request): Assertion 'n < max' failed.\n"
	"host stacktrace:\n==4242==    at 0x5802666A: ??? (in /usr/libexec/valgrind/helgrind)\n";

static void assert_kept_after(const char *cut_at, size_t nerrors)
{
	struct strbuf xml = STRBUF_INIT, err = STRBUF_INIT;
	struct vg_report r = { 0 };
	char *at;

	cr_assert_eq(read_file("fixtures/helgrind.xml", &xml), 0);
	at = strstr(xml.buf, cut_at);
	cr_assert_not_null(at);
	if (!strcmp(cut_at, "</valgrindoutput>"))
		at += strlen(cut_at);
	xml.len = (size_t)(at - xml.buf);
	sb_adds(&xml, last_words);
	cr_assert_eq(vgxml_parse(&r, xml.buf, xml.len, &err), 0, "%s", sb_str(&err));
	cr_assert(r.truncated);
	cr_assert_str_eq(r.tool, "helgrind");
	cr_assert_eq(r.nerrors, nerrors, "got %zu errors", r.nerrors);
	vg_report_release(&r);
	sb_release(&xml);
	sb_release(&err);
}

Test(vgxml, a_tool_that_failed_mid_report_keeps_complete_errors)
{
	assert_kept_after("<errorcounts>", 5);
}

Test(vgxml, a_tool_that_failed_after_its_report_keeps_every_error)
{
	assert_kept_after("</valgrindoutput>", 5);
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
