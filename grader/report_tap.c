/* TAP version 13: a line per graded item, and YAML diagnostics for the failed ones. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* Control characters: C0, DEL and C1. */
static bool is_control(unsigned c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

/*
 * A test line's description, or a comment: one line, with '#' and '\'
 * escaped as TAP asks (an unescaped '#' would start a directive).
 */
static void tap_put(FILE *out, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		unsigned c;
		size_t n = utf8_decode(s, len, &c);

		if (!n) {
			fputs(UTF8_REPLACEMENT, out);
			n = 1;
		} else if (is_control(c)) {
			fputc(' ', out);
		} else {
			if (c == '#' || c == '\\')
				fputc('\\', out);
			fwrite(s, 1, n, out);
		}
		s += n;
		len -= n;
	}
}

/* A YAML double-quoted scalar: valid for any input, on one line. */
static void yaml_put(FILE *out, const char *s)
{
	size_t len = strlen(s);

	fputc('"', out);
	while (len) {
		unsigned c;
		size_t n = utf8_decode(s, len, &c);

		if (!n) {
			fputs(UTF8_REPLACEMENT, out);
			n = 1;
		} else if (c == '"' || c == '\\') {
			fprintf(out, "\\%c", (char)c);
		} else if (c == '\n') {
			fputs("\\n", out);
		} else if (c == '\t') {
			fputs("\\t", out);
		} else if (is_control(c) || c == 0xFFFE || c == 0xFFFF) {
			fprintf(out, "\\u%04X", c);
		} else {
			fwrite(s, 1, n, out);
		}
		s += n;
		len -= n;
	}
	fputc('"', out);
}

static void yaml_field(FILE *out, const char *indent, const char *key, const char *value)
{
	fprintf(out, "%s%s: ", indent, key);
	yaml_put(out, value);
	fputc('\n', out);
}

static void write_findings(FILE *out, const struct stage_result *res)
{
	fputs("  findings:\n", out);
	for (size_t i = 0; i < res->findings.n; i++) {
		const struct finding *f = &res->findings.v[i];

		fputs("    - kind: ", out);
		yaml_put(out, finding_kind_name(f->kind));
		fputc('\n', out);
		if (f->variable)
			yaml_field(out, "      ", "variable", f->variable);
		fputs("      sites:\n", out);
		for (size_t k = 0; k < f->nsites; k++) {
			const struct site *s = &f->sites[k];
			char *at = xstrfmt("%s:%d", s->file, s->line);

			fputs("        - at: ", out);
			yaml_put(out, at);
			fputc('\n', out);
			if (s->label && *s->label)
				yaml_field(out, "          ", "what", s->label);
			if (s->function)
				yaml_field(out, "          ", "function", s->function);
			if (s->text)
				yaml_field(out, "          ", "line", s->text);
			free(at);
		}
	}
}

/* The YAML block under a failed item: why, its points, where to look next. */
static void write_diagnostic(FILE *out, const struct stage_result *res, size_t i)
{
	const struct test_result *t = &res->tests[i];
	struct strbuf msg = STRBUF_INIT;

	if (res->problem)
		sb_adds(&msg, res->problem);
	if (t->message)
		sb_addf(&msg, "%s%s", msg.len ? "\n" : "", t->message);
	fputs("  ---\n", out);
	yaml_field(out, "  ", "message", msg.len ? sb_str(&msg) : test_status_name(t->status));
	fputs("  severity: fail\n", out);
	yaml_field(out, "  ", "status", test_status_name(t->status));
	fprintf(out, "  points: %d\n  max_points: %d\n", t->score, t->max_score);
	if (t->hint && res->state == STAGE_GRADED) {
		char *hint = xstrfmt("hint %d in assignments/%s/hints.md", t->hint, res->stage.name);

		yaml_field(out, "  ", "hint", hint);
		free(hint);
	}
	if (i == res->stage.ntests && res->findings.n)
		write_findings(out, res);
	fputs("  ...\n", out);
	sb_release(&msg);
}

int report_tap(FILE *out, const struct grade_run *run, bool color)
{
	size_t total = 0, number = 0;

	(void)color;
	for (size_t i = 0; i < run->nstages; i++)
		total += run->stages[i].ntests;
	fprintf(out, "TAP version 13\n1..%zu\n", total);
	for (size_t i = 0; i < run->nstages; i++) {
		const struct stage_result *res = &run->stages[i];

		fputs("# ", out);
		tap_put(out, res->stage.name);
		if (res->stage.title) {
			fputs(": ", out);
			tap_put(out, res->stage.title);
		}
		fputc('\n', out);
		/* for the instructor: what admission flagged, a comment line each */
		for (const char *l = res->suspicious; l && *l;) {
			size_t n = strcspn(l, "\n");
			char *line = xstrndup(l, n);

			fputs("# suspicious: ", out);
			tap_put(out, line);
			fputc('\n', out);
			free(line);
			l += n + (l[n] == '\n');
		}
		for (size_t k = 0; k < res->ntests; k++) {
			const struct test_result *t = &res->tests[k];
			char *name = report_test_name(res, t);

			fprintf(out, "%s %zu - ", t->status == TEST_PASSED ? "ok" : "not ok", ++number);
			tap_put(out, name);
			fputc('\n', out);
			if (t->status != TEST_PASSED)
				write_diagnostic(out, res, k);
			free(name);
		}
		fprintf(out, "# Score: %d/%d  ", res->score, res->max_score);
		tap_put(out, res->stage.name);
		fputc('\n', out);
	}
	if (run->nstages > 1)
		fprintf(out, "# Score: %d/%d  total\n", run->score, run->max_score);
	return ferror(out) ? -1 : 0;
}
