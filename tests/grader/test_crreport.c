/* Unit tests of reading the runner's test report, on one captured from a real run. */
#include <criterion/criterion.h>
#include <string.h>

#include "crreport.h"

static struct stage_test demo_tests[] = {
	{ "s/pass", 1, 0, false }, { "s/fail", 2, 1, false }, { "s/hang", 1, 0, false },
	{ "s/segv", 1, 0, false }, { "s/exits", 1, 0, false }, { "t/two", 1, 0, false },
	{ "s/two", 1, 0, false }, { "s/quote", 1, 0, false },
};

static struct stage demo = {
	.name = "99-demo",
	.tests = demo_tests,
	.ntests = sizeof(demo_tests) / sizeof(*demo_tests),
};

static struct test_result results[8];

static void read_fixture(const char *report, int want_rc)
{
	struct strbuf err = STRBUF_INIT;

	test_results_init(&demo, results);
	cr_assert_eq(crreport_read(&demo, report, 1, NULL, results, &err), want_rc,
		     "crreport_read: %s", sb_str(&err));
	sb_release(&err);
}

static const struct test_result *result(const char *name)
{
	for (size_t i = 0; i < demo.ntests; i++)
		if (!strcmp(results[i].name, name))
			return &results[i];
	cr_assert_fail("no result for %s", name);
	return NULL;
}

Test(crreport, every_way_a_test_ends)
{
	read_fixture("fixtures/report.json", 0);
	cr_assert_eq(result("s/pass")->status, TEST_PASSED);
	cr_assert_eq(result("s/fail")->status, TEST_FAILED);
	cr_assert(strstr(result("s/fail")->message, "expected 3, got 2"), "%s", result("s/fail")->message);
	cr_assert_eq(result("s/hang")->status, TEST_TIMED_OUT);
	cr_assert(strstr(result("s/hang")->message, "timed out after 1 s"), "%s", result("s/hang")->message);
	cr_assert_eq(result("s/segv")->status, TEST_CRASHED);
	cr_assert_str_eq(result("s/segv")->message, "killed by SIGSEGV");
	cr_assert_eq(result("s/exits")->status, TEST_FAILED);
	cr_assert(strstr(result("s/exits")->message, "exited with status 3"), "%s",
		  result("s/exits")->message);
	/* Messages in the order the assertions ran. */
	cr_assert(strstr(result("t/two")->message, "first") < strstr(result("t/two")->message, "second"),
		  "%s", result("t/two")->message);
	/* Criterion 2.4.1's own --json would have broken on these quotes. */
	cr_assert_str_eq(result("s/quote")->message, "q.c:2: expected \"c\", got \"a\"b\"");
	cr_assert_eq(result("s/fail")->max_score, 2);
	cr_assert_eq(result("s/fail")->hint, 1);
}

Test(crreport, missing_report_passes_nothing)
{
	read_fixture("fixtures/no-such.json", -1);
	for (size_t i = 0; i < demo.ntests; i++)
		cr_assert_eq(results[i].status, TEST_NOT_RUN, "%s", results[i].name);
}

Test(crreport, a_report_with_tests_the_manifest_lacks_is_rejected)
{
	struct stage fewer = demo;
	struct strbuf err = STRBUF_INIT;

	fewer.ntests = 5;	/* without t/two */
	test_results_init(&fewer, results);
	cr_assert_eq(crreport_read(&fewer, "fixtures/report.json", 1, NULL, results, &err), -1);
	cr_assert(strstr(sb_str(&err), "t/two"), "reason: %s", sb_str(&err));
	for (size_t i = 0; i < fewer.ntests; i++)
		cr_assert_eq(results[i].status, TEST_NOT_RUN, "%s counted from a rejected report",
			     results[i].name);
	sb_release(&err);
}

Test(crreport, a_report_that_is_not_criterions_is_rejected)
{
	read_fixture("fixtures/helgrind.xml", -1);
	cr_assert_eq(results[0].status, TEST_NOT_RUN);
	read_fixture("fixtures/unrelated.json", -1);
	cr_assert_eq(results[0].status, TEST_NOT_RUN);
}

/* ---- the handshake: a worker proves its test ended (tests/lib/handshake.h) ---- */

static struct stage_test handshake_tests[] = {
	{ "h/pass", 1, 0, false }, { "h/fail", 1, 0, false }, { "h/exit0", 1, 0, false }, { "h/exit3", 1, 0, false },
	{ "h/exec", 1, 0, false }, { "h/fini_exits", 1, 0, false },
};

static struct stage handshake = {
	.name = "99-handshake",
	.tests = handshake_tests,
	.ntests = sizeof(handshake_tests) / sizeof(*handshake_tests),
};

static void read_handshake(const char *key)
{
	struct strbuf err = STRBUF_INIT;

	test_results_init(&handshake, results);
	cr_assert_eq(crreport_read(&handshake, "fixtures/report-handshake.json", 5, key, results,
				   &err), 0, "crreport_read: %s", sb_str(&err));
	sb_release(&err);
}

static void assert_ended_early(const struct test_result *t, const char *status)
{
	cr_assert_eq(t->status, TEST_FAILED, "%s passed", t->name);
	cr_assert(strstr(t->message, status) && strstr(t->message, "before the test did"),
		  "%s: %s", t->name, t->message);
}

Test(crreport, a_process_that_ends_before_its_test_fails_it)
{
	read_handshake("fixture-key");
	cr_assert_eq(results[0].status, TEST_PASSED, "%s", results[0].message);
	cr_assert_eq(results[1].status, TEST_FAILED);
	cr_assert(strstr(results[1].message, "expected 3, got 2"), "%s", results[1].message);
	assert_ended_early(&results[2], "(status 0)");
	assert_ended_early(&results[3], "(status 3)");
	assert_ended_early(&results[4], "(status 0)");
	/* Code under test that a test's .fini calls is held to it too. */
	assert_ended_early(&results[5], "(status 0)");
}

Test(crreport, another_runs_key_proves_nothing)
{
	read_handshake("another-key");
	for (size_t i = 0; i < handshake.ntests; i++)
		cr_assert_neq(results[i].status, TEST_PASSED, "%s passed", results[i].name);
}

/* Without a key, Criterion's word stands: why the grader always gives one. */
Test(crreport, without_a_key_criterion_counts_exit_0_as_a_pass)
{
	read_handshake(NULL);
	cr_assert_eq(results[2].status, TEST_PASSED);
	cr_assert_eq(results[4].status, TEST_PASSED);
}

Test(crreport, each_test_keeps_its_time)
{
	read_handshake("fixture-key");
	cr_assert_gt(results[0].seconds, 0);
}

/* A stage with hidden tests, whose two binaries report separately. */
static struct stage_test split_tests[] = {
	{ "basic/one", 1, 0, false }, { "basic/two", 1, 0, false }, { "hidden/three", 1, 0, true },
};

static struct stage split = {
	.name = "98-split",
	.tests = split_tests,
	.ntests = sizeof(split_tests) / sizeof(*split_tests),
	.nhidden_sources = 1,
};

static int parse_run(const char *text, enum crreport_tests which, struct test_result *res)
{
	struct strbuf err = STRBUF_INIT;
	int rc = crreport_parse(&split, text, strlen(text), 1, NULL, which, res, &err);

	sb_release(&err);
	return rc;
}

#define REPORT(tests) "{\"test_suites\": [" tests "]}"

Test(crreport, hidden_run_fills_its_tests_and_keeps_the_others)
{
	struct test_result res[3];

	test_results_init(&split, res);
	cr_assert_eq(parse_run(REPORT("{\"name\": \"basic\", \"tests\": ["
				      "{\"name\": \"one\", \"status\": \"PASSED\"},"
				      "{\"name\": \"two\", \"status\": \"FAILED\", \"messages\": [\"no\"]}]}"),
			       CRREPORT_VISIBLE, res), 0);
	/* The hidden binary lists the visible tests its filter left out as skipped. */
	cr_assert_eq(parse_run(REPORT("{\"name\": \"basic\", \"tests\": ["
				      "{\"name\": \"one\", \"status\": \"SKIPPED\"},"
				      "{\"name\": \"two\", \"status\": \"SKIPPED\"}]},"
				      "{\"name\": \"hidden\", \"tests\": ["
				      "{\"name\": \"three\", \"status\": \"PASSED\"}]}"),
			       CRREPORT_HIDDEN, res), 0);
	cr_assert_eq(res[0].status, TEST_PASSED);
	cr_assert_eq(res[1].status, TEST_FAILED);
	cr_assert_eq(res[2].status, TEST_PASSED);
	test_result_release(&res[0]);
	test_result_release(&res[1]);
	test_result_release(&res[2]);
}

Test(crreport, a_run_that_reports_the_other_runs_tests_is_refused_alone)
{
	struct test_result res[3];

	test_results_init(&split, res);
	cr_assert_eq(parse_run(REPORT("{\"name\": \"basic\", \"tests\": ["
				      "{\"name\": \"one\", \"status\": \"PASSED\"}]}"),
			       CRREPORT_VISIBLE, res), 0);
	/* The hidden run claims a visible test passed, and its own: nothing of it counts. */
	cr_assert_eq(parse_run(REPORT("{\"name\": \"hidden\", \"tests\": ["
				      "{\"name\": \"three\", \"status\": \"PASSED\"}]},"
				      "{\"name\": \"basic\", \"tests\": ["
				      "{\"name\": \"two\", \"status\": \"PASSED\"}]}"),
			       CRREPORT_HIDDEN, res), -1);
	cr_assert_eq(res[0].status, TEST_PASSED, "the visible run's result was lost");
	cr_assert_eq(res[1].status, TEST_NOT_RUN);
	cr_assert_eq(res[2].status, TEST_NOT_RUN);
	/* Nor may a visible run report a hidden test. */
	cr_assert_eq(parse_run(REPORT("{\"name\": \"hidden\", \"tests\": ["
				      "{\"name\": \"three\", \"status\": \"PASSED\"}]}"),
			       CRREPORT_VISIBLE, res), -1);
	cr_assert_eq(res[2].status, TEST_NOT_RUN);
	for (size_t i = 0; i < 3; i++)
		test_result_release(&res[i]);
}
