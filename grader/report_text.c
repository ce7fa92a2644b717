/* The terminal report: what passed, what failed and why, the findings. */
#include "report.h"

#include "hint.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

struct style {
	const char *ok, *bad, *bold, *dim, *off;
};

/*
 * Whether a character would drive the terminal or reorder the line rather
 * than be shown: the C0 and C1 controls (U+009B is CSI, which terminals
 * obey as ESC [ is obeyed), DEL, and the bidirectional marks and overrides.
 */
static bool drives_terminal(unsigned cp)
{
	return (cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	       cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Text from the student's side (a test message quoting their output, a
 * compiler line quoting their code, a file or function name from their
 * object's debug information, which #line and asm labels set) may hold
 * escape sequences that would rewrite the report on the terminal: such
 * characters are shown as '?', bytes that are not UTF-8 as U+FFFD.
 */
static void put_text(FILE *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (!n)
			fputs(UTF8_REPLACEMENT, out);
		else if (drives_terminal(cp))
			fputc('?', out);
		else
			fwrite(s + i, 1, n, out);
		i += n ? n : 1;
	}
}

static void put_str(FILE *out, const char *s)
{
	put_text(out, s, strlen(s));
}

static void print_indented(FILE *out, const char *text, const char *indent)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		fputs(indent, out);
		put_text(out, p, len);
		fputc('\n', out);
		p += len + (nl ? 1 : 0);
	}
}

static void print_site(FILE *out, const struct site *s, const struct stage_result *res,
		       const struct style *st)
{
	fputs("      ", out);
	put_str(out, s->label);
	if (s->thread_origin) {
		fputs(" (created at ", out);
		put_str(out, s->thread_origin);
		fputc(')', out);
	}
	if (s->locks) {
		fputs(", holding ", out);
		put_str(out, strcmp(s->locks, "none") ? s->locks : "no lock");
	}
	fprintf(out, "\n        %s", st->bold);
	put_str(out, s->file);
	fprintf(out, ":%d%s", s->line, st->off);
	if (s->function) {
		fputs(" in ", out);
		put_str(out, s->function);
		fputs("()", out);
	}
	fputc('\n', out);
	if (!s->student) {
		fprintf(out, "        %s(the kit's code, calling yours)%s\n", st->dim, st->off);
		return;
	}
	/* The line before, for context, then the line itself, marked. */
	for (size_t i = 0; i < res->nsrcs; i++) {
		const struct source *src = &res->srcs[i];
		const char *prev, *line;

		if (strcmp(src->display, s->file))
			continue;
		prev = source_line(src, s->line - 1);
		line = source_line(src, s->line);
		if (prev) {
			fprintf(out, "        %s%5d | ", st->dim, s->line - 1);
			put_text(out, prev, strlen(prev));
			fprintf(out, "%s\n", st->off);
		}
		if (line) {
			fprintf(out, "      %s> %5d | ", st->bad, s->line);
			put_text(out, line, strlen(line));
			fprintf(out, "%s\n", st->off);
		}
		break;
	}
}

static void print_finding(FILE *out, const struct finding *f, const struct stage_result *res,
			  const struct style *st)
{
	char *by = finding_tools_text(f->tools);

	fprintf(out, "\n    %s%s%s%s (found by %s)\n", st->bad, st->bold,
		finding_kind_name(f->kind), st->off, by);
	free(by);
	if (f->variable) {
		fputs("      on ", out);
		put_str(out, f->variable);
		fputc('\n', out);
	}
	for (size_t i = 0; i < f->nsites; i++)
		print_site(out, &f->sites[i], res, st);
	fprintf(out, "      %s", st->dim);
	fputs(finding_kind_advice(f->kind), out);
	fprintf(out, "%s\n", st->off);
}

static void print_stage(FILE *out, const struct stage_result *res, const struct grade_run *run,
			const struct style *st)
{
	bool failed = false;

	fprintf(out, "\n%s%s  %s%s", st->bold, res->stage.name, res->stage.title ? res->stage.title : "",
		st->off);
	fprintf(out, "  %s%d/%d%s\n", res->score == res->max_score ? st->ok : st->bad,
		res->score, res->max_score, st->off);
	if (res->problem) {
		fprintf(out, "  %s", st->bad);
		put_text(out, res->problem, strlen(res->problem));
		fprintf(out, "%s\n", st->off);
	}
	if (res->diagnostics) {
		fprintf(out, "  %s:\n", res->refused ? "why it was refused"
			: res->state == STAGE_BUILD_FAILED ? "the compiler said"
			: "compiler warnings (they cost nothing, but read them)");
		print_indented(out, res->diagnostics, "    ");
	}
	if (res->suspicious) {
		fprintf(out, "  suspicious, for the instructor to read (no honest solution of this "
			"stage needs it):\n");
		print_indented(out, res->suspicious, "    ");
	}
	if (res->state == STAGE_KIT_ERROR || res->state == STAGE_MISSING)
		return;
	for (size_t i = 0; i < res->ntests; i++) {
		const struct test_result *t = &res->tests[i];
		bool ok = t->status == TEST_PASSED;

		fprintf(out, "  %s%s%s %-52s %d/%d\n", ok ? st->ok : st->bad, ok ? "✓" : "✗",
			st->off, t->name, t->score, t->max_score);
		if (ok || res->state != STAGE_GRADED)
			continue;
		failed = true;
		if (t->message)
			print_indented(out, t->message, "      ");
		if (t->hint)
			fprintf(out, "      %s(stuck? make hint A=%s N=%d)%s\n", st->dim,
				res->stage.name, t->hint, st->off);
	}
	for (size_t i = 0; i < res->findings.n; i++)
		print_finding(out, &res->findings.v[i], res, st);
	if (res->detector_note && res->findings.n) {
		fputs("\n    ", out);
		put_str(out, res->detector_note);
		fputc('\n', out);
	}
	if (res->score < res->max_score) {
		int count = hints_count(run->options->kit, res->stage.name);

		if (count > 0)
			fprintf(out, "\n  %shints: %d of %d seen (make hint A=%s)%s\n", st->dim,
				hints_seen(run->options->kit, res->stage.name), count,
				res->stage.name, st->off);
	}
	if (failed && res->stage.perturb)
		fprintf(out, "\n  %sthe tests ran with seed %lu: replay this run with "
			"make grade A=%s SEED=%lu%s\n", st->dim, run->options->seed,
			res->stage.name, run->options->seed, st->off);
}

int report_text(FILE *out, const struct grade_run *run, bool color)
{
	static const struct style plain = { "", "", "", "", "" };
	static const struct style ansi = { "\033[32m", "\033[31m", "\033[1m", "\033[2m", "\033[0m" };
	const struct style *st = color ? &ansi : &plain;

	fprintf(out, "%sRacecourse%s: grading ", st->bold, st->off);
	put_str(out, run->options->sub_display);
	fprintf(out, " %s(sandbox: %s%s%s)%s\n", st->dim, run->sandbox ? run->sandbox : "none",
		run->cap ? ", " : "", run->cap ? run->cap : "", st->off);
	if (run->options->fast)
		fprintf(out, "%sfast mode: ThreadSanitizer instead of Helgrind and DRD. Quicker, but "
			"not the score of record: make grade without FAST=1 gives that.%s\n",
			st->bold, st->off);
	for (size_t i = 0; i < run->nstages; i++)
		print_stage(out, &run->stages[i], run, st);
	fputc('\n', out);
	for (size_t i = 0; i < run->nstages; i++) {
		const struct stage_result *res = &run->stages[i];

		fprintf(out, "Score: %d/%d  %s%s\n", res->score, res->max_score, res->stage.name,
			res->score == res->max_score ? "  ✓" : "");
	}
	if (run->nstages > 1)
		fprintf(out, "%sScore: %d/%d  total%s\n", st->bold, run->score, run->max_score, st->off);
	return ferror(out) ? -1 : 0;
}
