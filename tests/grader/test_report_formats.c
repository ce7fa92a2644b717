/* Unit tests of the junit, tap and github reports: shape, and escaping of any input. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "utf8.h"

/*
 * What a student's code can put in a message: markup, a control character,
 * an ANSI escape, bytes that are not UTF-8 (stray, overlong, a surrogate),
 * real UTF-8, CDATA's end, a second line and a carriage return.
 */
#define NASTY "got <1> & \"2\"\x01\x1b[31m\xff\xc0\xaf\xed\xa0\x80 caf\xc3\xa9 \xe2\x9c\x93 ]]>\nnext\r"
/* The same, as XML can hold it: what cannot be is U+FFFD, one per bad byte. */
#define R UTF8_REPLACEMENT
#define NASTY_XML "got <1> & \"2\"" R R "[31m" R R R R R R " caf\xc3\xa9 \xe2\x9c\x93 ]]>\nnext\r"

static struct grade_options options = { .sub_display = "demo", .seed = 42 };
static struct site sites[] = {
	{ .label = "read of size 8 by thread #2", .file = "sub/a,b:c<&>.c", .line = 12,
	  .function = "get", .text = "\treturn a->b; /* \x01\xff */", .thread = 2, .student = true },
	{ .label = "a previous write of size 8 by thread #3", .file = "scenarios.c", .line = 40,
	  .function = "do_role", .thread = 3, .student = false },
	/* DRD names a place again and again. */
	{ .label = "read of size 8 by thread #2", .file = "sub/a,b:c<&>.c", .line = 12,
	  .function = "get", .thread = 2, .student = true },
};
static struct finding finding = {
	.kind = FINDING_RACE, .headline = "Possible data race", .variable = "counter",
	.sites = sites, .nsites = 3, .tools = TOOL_HELGRIND, .occurrences = 1,
};
static struct test_result tests[3];
static struct stage_result stage;
static struct grade_run run;

/* A graded stage: one test passed, one failed with NASTY, and the race-free item failed. */
static void setup(void)
{
	tests[0] = (struct test_result){ .name = "suite/pass", .status = TEST_PASSED,
					  .score = 1, .max_score = 1 };
	tests[1] = (struct test_result){ .name = "suite/fails #1 | 100% ok", .status = TEST_FAILED,
					  .message = NASTY, .max_score = 2, .hint = 3 };
	tests[2] = (struct test_result){ .name = RACE_FREE_NAME, .status = TEST_FAILED,
					  .message = "1 finding in your code (below)", .max_score = 5 };
	memset(&stage, 0, sizeof(stage));
	stage.stage.name = "99-demo";
	stage.stage.title = "Demo";
	stage.stage.ntests = 2;
	stage.stage.race_free_points = 5;
	stage.state = STAGE_GRADED;
	stage.tests = tests;
	stage.ntests = 3;
	stage.findings = (struct findings){ .v = &finding, .n = 1, .alloc = 1 };
	stage.score = 1;
	stage.max_score = 8;
	stage.t_helgrind = 1.5;
	run = (struct grade_run){ .options = &options, .stages = &stage, .nstages = 1,
				  .score = 1, .max_score = 8, .elapsed = 2.25 };
}

/* Writes the run in a format; the caller frees the text. */
static char *write_report(int (*write)(FILE *, const struct grade_run *, bool))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(write(f, &run, false), 0, "the report failed");
	cr_assert_eq(fclose(f), 0);
	return buf;
}

/* ---- junit: read back with expat ---- */

struct outcome {
	char testcase[128];
	char element[16];	/* "failure", "error", or "" */
	char message[512];
	char text[4096];
};

struct junit {
	struct outcome cases[8];
	size_t ncases;
	char suite_failures[16], suite_errors[16];
	bool in_outcome;
};

static const char *attr(const char **atts, const char *name)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (!strcmp(atts[i], name))
			return atts[i + 1];
	return "";
}

static void on_start(void *data, const char *el, const char **atts)
{
	struct junit *j = data;
	struct outcome *o = j->ncases ? &j->cases[j->ncases - 1] : NULL;

	if (!strcmp(el, "testsuite")) {
		snprintf(j->suite_failures, sizeof(j->suite_failures), "%s", attr(atts, "failures"));
		snprintf(j->suite_errors, sizeof(j->suite_errors), "%s", attr(atts, "errors"));
	} else if (!strcmp(el, "testcase")) {
		cr_assert_lt(j->ncases, 8);
		o = &j->cases[j->ncases++];
		snprintf(o->testcase, sizeof(o->testcase), "%s", attr(atts, "name"));
	} else if (o && (!strcmp(el, "failure") || !strcmp(el, "error"))) {
		snprintf(o->element, sizeof(o->element), "%s", el);
		snprintf(o->message, sizeof(o->message), "%s", attr(atts, "message"));
		j->in_outcome = true;
	}
}

static void on_end(void *data, const char *el)
{
	struct junit *j = data;

	if (!strcmp(el, "failure") || !strcmp(el, "error"))
		j->in_outcome = false;
}

static void on_text(void *data, const char *s, int len)
{
	struct junit *j = data;
	struct outcome *o = &j->cases[j->ncases - 1];
	size_t have = strlen(o->text);

	if (!j->in_outcome)
		return;
	cr_assert_lt(have + (size_t)len, sizeof(o->text), "failure text too long");
	memcpy(o->text + have, s, (size_t)len);
	o->text[have + (size_t)len] = '\0';
}

static void parse_junit(const char *xml, struct junit *j)
{
	XML_Parser p = XML_ParserCreate(NULL);

	memset(j, 0, sizeof(*j));
	XML_SetUserData(p, j);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	cr_assert_eq(XML_Parse(p, xml, (int)strlen(xml), 1), XML_STATUS_OK,
		     "not well-formed XML: %s at line %lu\n%s",
		     XML_ErrorString(XML_GetErrorCode(p)),
		     (unsigned long)XML_GetCurrentLineNumber(p), xml);
	XML_ParserFree(p);
}

Test(report_junit, well_formed_whatever_the_message, .init = setup)
{
	char *xml = write_report(report_junit);
	struct junit j;

	parse_junit(xml, &j);
	cr_assert_eq(j.ncases, 3);
	cr_assert_str_eq(j.suite_failures, "2");
	cr_assert_str_eq(j.suite_errors, "0");
	cr_assert_str_eq(j.cases[0].element, "", "a passed test has no outcome");
	cr_assert_str_eq(j.cases[1].testcase, "suite/fails #1 | 100% ok");
	cr_assert_str_eq(j.cases[1].element, "failure");
	/* The attribute keeps its line breaks: they were written as references. */
	cr_assert_str_eq(j.cases[1].message, NASTY_XML);
	cr_assert(strstr(j.cases[1].text, NASTY_XML), "failure text: %s", j.cases[1].text);
	cr_assert(strstr(j.cases[1].text, "hint 3 in assignments/99-demo/hints.md"));
	free(xml);
}

Test(report_junit, findings_in_the_race_free_item, .init = setup)
{
	char *xml = write_report(report_junit);
	const struct outcome *o;
	struct junit j;

	parse_junit(xml, &j);
	o = &j.cases[2];
	cr_assert_str_eq(o->testcase, RACE_FREE_NAME);
	cr_assert_str_eq(o->message, "1 finding in your code (below)");
	cr_assert(strstr(o->text, "data race (found by Helgrind)\n  on counter\n"), "%s", o->text);
	cr_assert(strstr(o->text, "read of size 8 by thread #2\n    at sub/a,b:c<&>.c:12 in get()\n"),
		  "%s", o->text);
	cr_assert(strstr(o->text, "return a->b; /* " R R " */"), "%s", o->text);
	cr_assert(strstr(o->text, "scenarios.c:40 in do_role() (the kit's code, calling yours)"),
		  "%s", o->text);
	free(xml);
}

Test(report_junit, timeouts_and_crashes_are_errors, .init = setup)
{
	struct junit j;
	char *xml;

	tests[1].status = TEST_TIMED_OUT;
	tests[2].status = TEST_CRASHED;
	xml = write_report(report_junit);
	parse_junit(xml, &j);
	cr_assert_str_eq(j.cases[1].element, "error");
	cr_assert_str_eq(j.cases[2].element, "error");
	cr_assert_str_eq(j.suite_failures, "0");
	cr_assert_str_eq(j.suite_errors, "2");
	free(xml);
}

Test(report_junit, a_stage_not_built_says_why_in_each_item, .init = setup)
{
	struct junit j;
	char *xml;

	stage.state = STAGE_BUILD_FAILED;
	stage.problem = "demo/account.c did not compile or link: 0 points for this stage";
	stage.diagnostics = "account.c:1: error: \x0b<here>";
	for (size_t i = 0; i < 3; i++) {
		tests[i].status = TEST_NOT_RUN;
		tests[i].message = "not run: the code did not build";
	}
	stage.findings.n = 0;
	xml = write_report(report_junit);
	parse_junit(xml, &j);
	for (size_t i = 0; i < 3; i++) {
		cr_assert_str_eq(j.cases[i].element, "failure");
		cr_assert(strstr(j.cases[i].text, stage.problem), "%s", j.cases[i].text);
		cr_assert_null(strstr(j.cases[i].text, "Stuck?"), "no hint when nothing ran");
	}
	cr_assert(strstr(xml, "<system-out>account.c:1: error: " R "&lt;here&gt;</system-out>"),
		  "%s", xml);
	free(xml);
}

/* ---- tap ---- */

Test(report_tap, plan_lines_and_yaml, .init = setup)
{
	char *tap = write_report(report_tap);

	cr_assert(!strncmp(tap, "TAP version 13\n1..3\n", strlen("TAP version 13\n1..3\n")), "%s", tap);
	cr_assert(strstr(tap, "\nok 1 - 99-demo: suite/pass\n"), "%s", tap);
	/* '#' would start a directive: escaped. */
	cr_assert(strstr(tap, "\nnot ok 2 - 99-demo: suite/fails \\#1 | 100% ok\n  ---\n"), "%s", tap);
	cr_assert(strstr(tap, "\n  message: \"got <1> & \\\"2\\\"\\u0001\\u001B[31m" R R R R R R
			 " caf\xc3\xa9 \xe2\x9c\x93 ]]>\\nnext\\u000D\"\n"), "%s", tap);
	cr_assert(strstr(tap, "\n  points: 0\n  max_points: 2\n"), "%s", tap);
	cr_assert(strstr(tap, "\nnot ok 3 - 99-demo: " RACE_FREE_NAME "\n"), "%s", tap);
	cr_assert(strstr(tap, "        - at: \"sub/a,b:c<&>.c:12\"\n"), "%s", tap);
	cr_assert(strstr(tap, "          line: \"\\treturn a->b; /* \\u0001" R " */\"\n"), "%s", tap);
	cr_assert(strstr(tap, "  ...\n# Score: 1/8  99-demo\n"), "%s", tap);
	free(tap);
}

/* ---- github ---- */

static char *summary_path(void)
{
	char *path = strdup("/tmp/racecourse-summary.XXXXXX");
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "earlier step\n", 13), 13);
	close(fd);
	return path;
}

Test(report_github, annotations_escaped, .init = setup)
{
	const char *first = "::error file=sub/a%2Cb%3Ac<&>.c,line=12,title=99-demo%3A data race::"
			    "data race on counter: read of size 8 by thread #2 in get()%0A";
	const char *advice = finding_kind_advice(FINDING_RACE);
	char *out;

	unsetenv("GITHUB_STEP_SUMMARY");
	out = write_report(report_github);
	/* In properties ',' and ':' end the property: encoded, as '%' is everywhere. */
	cr_assert(!strncmp(out, first, strlen(first)), "%s", out);
	cr_assert_null(strstr(out, "line=40"), "the kit's file is not the student's: %s", out);
	cr_assert_null(strstr(strstr(out, "::error file=") + 1, "::error file="),
		       "one annotation for one line: %s", out);
	cr_assert(!strncmp(out + strlen(first), advice, strlen(advice)), "said once: %s", out);
	cr_assert(strstr(out, "\n::error title=99-demo%3A suite/fails #1 | 100%25 ok::got <1> & \"2\""
			 R R "[31m" R R R R R R " caf\xc3\xa9 \xe2\x9c\x93 ]]>%0Anext%0D%0A"
			 "Stuck? See hint 3 in assignments/99-demo/hints.md\n"), "%s", out);
	cr_assert(strstr(out, "\n::error title=99-demo%3A no data races%2C no lock-order violations::"),
		  "%s", out);
	/* Then the text report, without its colours (the student's own escape is in NASTY). */
	cr_assert(strstr(out, "\nRacecourse: grading demo"), "%s", out);
	cr_assert_null(strstr(out, "\033[1m"), "colour in the log: %s", out);
	free(out);
}

Test(report_github, summary_appended, .init = setup)
{
	const char *start = "earlier step\n## Racecourse: 1/8\n";
	char *path = summary_path(), *out;
	struct strbuf sb = STRBUF_INIT;

	setenv("GITHUB_STEP_SUMMARY", path, 1);
	out = write_report(report_github);
	cr_assert_eq(read_file(path, &sb), 0);
	cr_assert(!strncmp(sb_str(&sb), start, strlen(start)), "%s", sb_str(&sb));
	cr_assert(strstr(sb_str(&sb), "| test | result | points |\n| --- | --- | --- |\n"
			 "| suite/pass | ✅ passed | 1/1 |\n"
			 "| suite/fails \\#1 \\| 100% ok | ❌ failed | 0/2 |\n"), "%s", sb_str(&sb));
	cr_assert(strstr(sb_str(&sb), "  - read of size 8 by thread \\#2: sub/a,b:c\\<\\&\\>.c:12 in get()\n"),
		  "%s", sb_str(&sb));
	cr_assert(strstr(sb_str(&sb), "\n**Total: 1/8**\n"), "%s", sb_str(&sb));
	unlink(path);
	sb_release(&sb);
	free(path);
	free(out);
}

Test(report_github, summary_that_cannot_be_written_is_a_warning, .init = setup)
{
	char *out;

	cr_redirect_stderr();
	setenv("GITHUB_STEP_SUMMARY", "/nonexistent/dir/summary.md", 1);
	out = write_report(report_github);
	cr_assert(strstr(out, "Score: 1/8"), "%s", out);
	fflush(stderr);
	cr_assert_stderr_eq_str("racecourse: warning: cannot write the job summary "
				"/nonexistent/dir/summary.md: No such file or directory\n");
	free(out);
}

/* ---- utf8 ---- */

Test(utf8, strict)
{
	unsigned cp;

	cr_assert_eq(utf8_decode("\xc3\xa9", 2, &cp), 2);
	cr_assert_eq(cp, 0xE9);
	cr_assert_eq(utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	cr_assert_eq(cp, 0x1F600);
	cr_assert_eq(utf8_decode("\xc0\xaf", 2, &cp), 0, "overlong");
	cr_assert_eq(utf8_decode("\xe0\x80\xaf", 3, &cp), 0, "overlong");
	cr_assert_eq(utf8_decode("\xed\xa0\x80", 3, &cp), 0, "surrogate");
	cr_assert_eq(utf8_decode("\xf4\x90\x80\x80", 4, &cp), 0, "past U+10FFFF");
	cr_assert_eq(utf8_decode("\xe2\x9c", 2, &cp), 0, "cut short");
	cr_assert_eq(utf8_decode("\x80", 1, &cp), 0, "stray continuation");
}

/* What admission flagged reaches the instructor in every format. */
Test(report_formats, suspicious_lines_in_every_format, .init = setup)
{
	char *out;

	stage.suspicious = "sub/a.c:7: calls exit() <&>\nsub/a.c:9: calls kill()";
	out = write_report(report_junit);
	cr_assert(strstr(out, "<property name=\"suspicious\" value=\"sub/a.c:7: calls exit() "
			 "&lt;&amp;&gt;&#10;sub/a.c:9: calls kill()\"/>"), "%s", out);
	free(out);
	out = write_report(report_tap);
	cr_assert(strstr(out, "\n# suspicious: sub/a.c:7: calls exit() <&>\n"
			 "# suspicious: sub/a.c:9: calls kill()\n"), "%s", out);
	free(out);
	unsetenv("GITHUB_STEP_SUMMARY");
	out = write_report(report_github);
	cr_assert(strstr(out, "\n::warning title=99-demo%3A suspicious%2C for the instructor to "
			 "read::sub/a.c:7: calls exit() <&>%0Asub/a.c:9: calls kill()\n"), "%s", out);
	free(out);
	stage.suspicious = NULL;
	out = write_report(report_tap);
	cr_assert_null(strstr(out, "suspicious"), "%s", out);
	free(out);
}

/*
 * The text report quotes names from the student's object (a file set by
 * #line, a function's asm label, a variable) and notes: none of what they
 * hold may drive the terminal (ESC, CSI as U+009B, BEL) or reorder the line
 * (a bidirectional override), which could rewrite the report on screen.
 */
Test(report_text, nothing_the_student_named_drives_the_terminal, .init = setup)
{
	static struct site evil = {
		.label = "read of size 8 by thread #2", .file = "a\033[1A\xc2\x9b" "2K.c", .line = 3,
		.function = "f\xe2\x80\xae" "5/0", .thread_origin = "x.c:1 (\033[2J)",
		.locks = "the lock first used at \xc2\x9b" "1A.c:1", .thread = 2, .student = false,
	};
	struct finding keep = finding;
	char *out;

	finding.sites = &evil;
	finding.nsites = 1;
	finding.variable = "v\033]0;title\007";
	stage.detector_note = "note \033[2K";
	out = write_report(report_text);
	finding = keep;
	stage.detector_note = NULL;
	cr_assert_null(strchr(out, '\033'), "an escape reached the terminal: %s", out);
	cr_assert_null(strchr(out, '\007'), "a bell reached the terminal: %s", out);
	cr_assert_null(strstr(out, "\xc2\x9b"), "a CSI reached the terminal: %s", out);
	cr_assert_null(strstr(out, "\xe2\x80\xae"), "an override reached the terminal: %s", out);
	cr_assert(strstr(out, "a?[1A?2K.c:3 in f?5/0()"), "%s", out);
	cr_assert(strstr(out, "(created at x.c:1 (?[2J)), holding the lock first used at ?1A.c:1"),
		  "%s", out);
	cr_assert(strstr(out, "on v?]0;title?"), "%s", out);
	/* Real UTF-8 stays as it is. */
	cr_assert(strstr(out, "caf\xc3\xa9 \xe2\x9c\x93"), "%s", out);
	free(out);
}
