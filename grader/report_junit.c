/* JUnit XML, as Jenkins, GitLab and the GitHub test reporters read it. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* The characters XML 1.0 allows; the rest cannot appear even as references. */
static bool xml_char(unsigned c)
{
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
	       (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/*
 * Writes text that may come from the student (a source line, compiler
 * output) as XML: markup escaped, and what XML 1.0 cannot hold (control
 * characters, bytes that are not UTF-8) replaced by U+FFFD.  In an attribute
 * value, white space is written as references, or a parser would fold it.
 */
static void xml_put(FILE *out, const char *s, bool attr)
{
	size_t len = strlen(s);

	while (len) {
		unsigned c;
		size_t n = utf8_decode(s, len, &c);

		if (!n || !xml_char(c)) {
			fputs(UTF8_REPLACEMENT, out);
			n = n ? n : 1;
		} else if (c == '&') {
			fputs("&amp;", out);
		} else if (c == '<') {
			fputs("&lt;", out);
		} else if (c == '>') {
			fputs("&gt;", out);
		} else if (c == '"' && attr) {
			fputs("&quot;", out);
		} else if (c == '\r' || (attr && (c == '\n' || c == '\t'))) {
			fprintf(out, "&#%u;", c);
		} else {
			fwrite(s, 1, n, out);
		}
		s += n;
		len -= n;
	}
}

static void xml_attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	xml_put(out, value ? value : "", true);
	fputc('"', out);
}

static bool is_error(enum test_status s)
{
	return s == TEST_TIMED_OUT || s == TEST_CRASHED;
}

/* Adds a stage's failed items to *failures and those that timed out or crashed to *errors. */
static void count(const struct stage_result *res, size_t *failures, size_t *errors)
{
	for (size_t i = 0; i < res->ntests; i++) {
		if (is_error(res->tests[i].status))
			(*errors)++;
		else if (res->tests[i].status != TEST_PASSED)
			(*failures)++;
	}
}

static void add_findings(struct strbuf *sb, const struct stage_result *res)
{
	for (size_t i = 0; i < res->findings.n; i++) {
		const struct finding *f = &res->findings.v[i];
		char *by = finding_tools_text(f->tools);

		sb_addf(sb, "\n%s (found by %s)\n", finding_kind_name(f->kind), by);
		free(by);
		if (f->variable)
			sb_addf(sb, "  on %s\n", f->variable);
		for (size_t k = 0; k < f->nsites; k++) {
			const struct site *s = &f->sites[k];

			if (s->label && *s->label) {
				sb_addf(sb, "  %s", s->label);
				if (s->thread_origin)
					sb_addf(sb, " (created at %s)", s->thread_origin);
				sb_adds(sb, "\n");
			}
			sb_addf(sb, "    at %s:%d", s->file, s->line);
			if (s->function)
				sb_addf(sb, " in %s()", s->function);
			sb_adds(sb, s->student ? "\n" : " (the kit's code, calling yours)\n");
			if (s->text)
				sb_addf(sb, "    > %5d | %s\n", s->line, s->text);
		}
		sb_addf(sb, "  %s\n", finding_kind_advice(f->kind));
	}
	if (res->findings.n && res->detector_note)
		sb_addf(sb, "\n%s\n", res->detector_note);
}

/* Why a graded item failed, in full: the message, the hint, the findings. */
static char *failure_text(const struct stage_result *res, size_t i)
{
	const struct test_result *t = &res->tests[i];
	struct strbuf sb = STRBUF_INIT;

	if (res->problem)
		sb_addf(&sb, "%s\n", res->problem);
	if (t->message)
		sb_addf(&sb, "%s\n", t->message);
	if (t->hint && res->state == STAGE_GRADED)
		sb_addf(&sb, "Stuck? See hint %d in assignments/%s/hints.md\n", t->hint,
			res->stage.name);
	if (i == res->stage.ntests)
		add_findings(&sb, res);
	return sb_detach(&sb);
}

static void write_case(FILE *out, const struct stage_result *res, size_t i)
{
	const struct test_result *t = &res->tests[i];
	/* The race-free item took as long as the slowest detector (they run side by side). */
	double slowest = res->t_helgrind > res->t_drd ? res->t_helgrind : res->t_drd;
	double seconds = i < res->stage.ntests ? t->seconds
		       : res->t_tsan > slowest ? res->t_tsan : slowest;
	const char *elem = is_error(t->status) ? "error" : "failure";
	char *text;

	fputs("    <testcase", out);
	xml_attr(out, "classname", res->stage.name);
	xml_attr(out, "name", t->name);
	fprintf(out, " time=\"%.3f\"", seconds);
	if (t->status == TEST_PASSED) {
		fputs("/>\n", out);
		return;
	}
	fprintf(out, ">\n      <%s", elem);
	xml_attr(out, "message", t->message ? t->message : res->problem ? res->problem
		 : test_status_name(t->status));
	xml_attr(out, "type", test_status_name(t->status));
	fputc('>', out);
	text = failure_text(res, i);
	xml_put(out, text, false);
	free(text);
	fprintf(out, "</%s>\n    </testcase>\n", elem);
}

static void write_property(FILE *out, const char *name, const char *value)
{
	fputs("      <property", out);
	xml_attr(out, "name", name);
	xml_attr(out, "value", value);
	fputs("/>\n", out);
}

static void write_suite(FILE *out, const struct stage_result *res, const struct grade_run *run)
{
	size_t failures = 0, errors = 0;
	char num[32];

	count(res, &failures, &errors);
	fputs("  <testsuite", out);
	xml_attr(out, "name", res->stage.name);
	fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.3f\">\n",
		res->ntests, failures, errors, res->t_total);
	fputs("    <properties>\n", out);
	if (res->stage.title)
		write_property(out, "title", res->stage.title);
	snprintf(num, sizeof(num), "%d", res->score);
	write_property(out, "score", num);
	snprintf(num, sizeof(num), "%d", res->max_score);
	write_property(out, "max_score", num);
	snprintf(num, sizeof(num), "%lu", run->options->seed);
	write_property(out, "seed", num);
	/* for the instructor: what admission flagged, "file:line: why" per line */
	if (res->suspicious)
		write_property(out, "suspicious", res->suspicious);
	fputs("    </properties>\n", out);
	for (size_t i = 0; i < res->ntests; i++)
		write_case(out, res, i);
	if (res->diagnostics) {
		fputs("    <system-out>", out);
		xml_put(out, res->diagnostics, false);
		fputs("</system-out>\n", out);
	}
	fputs("  </testsuite>\n", out);
}

int report_junit(FILE *out, const struct grade_run *run, bool color)
{
	size_t tests = 0, failures = 0, errors = 0;

	(void)color;
	for (size_t i = 0; i < run->nstages; i++) {
		tests += run->stages[i].ntests;
		count(&run->stages[i], &failures, &errors);
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"racecourse\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		"time=\"%.3f\">\n", tests, failures, errors, run->elapsed);
	for (size_t i = 0; i < run->nstages; i++)
		write_suite(out, &run->stages[i], run);
	fputs("</testsuites>\n", out);
	return ferror(out) ? -1 : 0;
}
