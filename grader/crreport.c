/* Reading the test report that the kit's Criterion runner writes. */
#define _GNU_SOURCE
#include "crreport.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/lib/handshake.h"

const char *test_status_name(enum test_status s)
{
	switch (s) {
	case TEST_PASSED: return "passed";
	case TEST_FAILED: return "failed";
	case TEST_TIMED_OUT: return "timed out";
	case TEST_CRASHED: return "crashed";
	default: return "not run";
	}
}

void test_results_init(const struct stage *st, struct test_result *results)
{
	for (size_t i = 0; i < st->ntests; i++) {
		memset(&results[i], 0, sizeof(results[i]));
		results[i].name = xstrdup(st->tests[i].name);
		results[i].status = TEST_NOT_RUN;
		results[i].max_score = st->tests[i].points;
		results[i].hint = st->tests[i].hint;
		results[i].hidden = st->tests[i].hidden;
	}
}

void test_result_release(struct test_result *t)
{
	free(t->name);
	free(t->message);
	memset(t, 0, sizeof(*t));
}

static char *join_messages(json_t *messages)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = json_array_size(messages);

	for (size_t i = 0; i < n; i++) {
		const char *m = json_string_value(json_array_get(messages, i));

		if (!m || !*m)
			continue;
		if (sb.len)
			sb_adds(&sb, "\n");
		sb_adds(&sb, m);
	}
	return sb.len ? sb_detach(&sb) : NULL;
}

/*
 * `want_code` is the exit status by which the test's worker proves that the
 * test ran to its end (see tests/lib/handshake.h), or -1 when the run had no
 * key and the worker's status is Criterion's to judge.
 */
static void judge(struct test_result *t, const char *status, json_t *test, double timeout,
		  int want_code)
{
	int sig = (int)json_integer_value(json_object_get(test, "signal"));
	int code = (int)json_integer_value(json_object_get(test, "exit_code"));
	bool timed_out = json_is_true(json_object_get(test, "timed_out"));
	bool crashed = json_is_true(json_object_get(test, "crashed"));
	char *messages = join_messages(json_object_get(test, "messages"));

	t->seconds = json_real_value(json_object_get(test, "elapsed"));
	/* The runner's watchdog kills a test that outlived Criterion's own timer (runner.c). */
	if (timed_out || sig == SIGKILL) {
		t->status = TEST_TIMED_OUT;
		t->message = xstrfmt("timed out after %.*f s (a deadlock, or a wait that never ends?)",
				     timeout == (int)timeout ? 0 : 1, timeout);
	} else if (sig || crashed) {
		const char *name = sig ? sigabbrev_np(sig) : NULL;

		t->status = TEST_CRASHED;
		t->message = name ? xstrfmt("killed by SIG%s", name)
				  : xstrdup("crashed (killed by a signal)");
	} else if (want_code >= 0 && code != want_code && strcmp(status, "SKIPPED")) {
		t->status = TEST_FAILED;
		t->message = xstrfmt("the test's process ended (status %d) before the test did: code "
				     "run by a test must not call exit(), _exit() or exec*(), nor "
				     "pthread_exit() from the test's own thread%s%s", code,
				     messages ? "\n" : "", messages ? messages : "");
	} else if (!strcmp(status, "PASSED")) {
		t->status = TEST_PASSED;
	} else if (!strcmp(status, "FAILED") && !messages && code) {
		t->status = TEST_FAILED;
		t->message = xstrfmt("the test process exited with status %d before the test "
				     "ended (did code in the child or the library call exit()?)", code);
	} else {
		t->status = TEST_FAILED;
		t->message = messages ? messages : xstrfmt("%s without a message",
							   !strcmp(status, "SKIPPED") ? "skipped" : "failed");
		messages = NULL;
	}
	free(messages);
}

int crreport_read(const struct stage *st, const char *report_path, double timeout,
		  const char *key, struct test_result *results, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	int rc;

	if (read_file(report_path, &text)) {
		sb_addf(err, "the test report is missing or unreadable (%s: %s)", report_path,
			strerror(errno));
		return -1;
	}
	rc = crreport_parse(st, text.buf, text.len, timeout, key, CRREPORT_ALL, results, err);
	sb_release(&text);
	return rc;
}

int crreport_parse(const struct stage *st, const char *text, size_t len, double timeout,
		   const char *key, enum crreport_tests which, struct test_result *results,
		   struct strbuf *err)
{
	json_error_t jerr;
	json_t *report, *suites, *suite;
	bool *judged;
	size_t i;
	int rc = -1;

	report = json_loadb(text, len, 0, &jerr);
	if (!report) {
		sb_addf(err, "the test report is missing or unreadable (%s)", jerr.text);
		return -1;
	}
	judged = xcalloc(st->ntests ? st->ntests : 1, sizeof(*judged));
	suites = json_object_get(report, "test_suites");
	if (!json_is_array(suites)) {
		sb_adds(err, "the test report has no \"test_suites\": it is not Criterion's");
		goto out;
	}
	json_array_foreach(suites, i, suite) {
		const char *sname = json_string_value(json_object_get(suite, "name"));
		json_t *tests = json_object_get(suite, "tests"), *test;
		size_t j;

		if (!sname || !json_is_array(tests)) {
			sb_adds(err, "the test report has a suite without a name or tests");
			goto out;
		}
		json_array_foreach(tests, j, test) {
			const char *tname = json_string_value(json_object_get(test, "name"));
			const char *status = json_string_value(json_object_get(test, "status"));
			char *full;
			size_t k;

			if (!tname || !status) {
				sb_addf(err, "the test report has a test of suite %s without a name or status",
					sname);
				goto out;
			}
			full = xstrfmt("%s/%s", sname, tname);
			for (k = 0; k < st->ntests; k++)
				if (!strcmp(st->tests[k].name, full))
					break;
			if (k == st->ntests) {
				sb_addf(err, "the test report names test %s, which the manifest of %s "
					"does not list", full, st->name);
				free(full);
				goto out;
			}
			free(full);
			if (which != CRREPORT_ALL && st->tests[k].hidden != (which == CRREPORT_HIDDEN)) {
				/* Criterion lists the tests its --filter left out as skipped. */
				if (!strcmp(status, "SKIPPED"))
					continue;
				sb_addf(err, "the test report names test %s/%s, which this run does not "
					"hold", sname, tname);
				goto out;
			}
			if (results[k].status != TEST_NOT_RUN) {
				sb_addf(err, "the test report names test %s/%s twice", sname, tname);
				goto out;
			}
			judge(&results[k], status, test, timeout,
			      key ? handshake_code(key, sname, tname) : -1);
			judged[k] = true;
		}
	}
	rc = 0;
out:
	if (rc) {
		/* Nothing from a rejected report counts; another run's results stay. */
		for (size_t k = 0; k < st->ntests; k++) {
			if (!judged[k])
				continue;
			results[k].status = TEST_NOT_RUN;
			free(results[k].message);
			results[k].message = NULL;
		}
	}
	free(judged);
	json_decref(report);
	return rc;
}
