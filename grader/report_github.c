/* GitHub Actions: annotations at the student's lines, the text report, a job summary. */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/*
 * Workflow command text: '%', CR and LF encoded as GitHub asks, and in a
 * property ':' and ',' too, which would end it.  Other control characters
 * and bytes that are not UTF-8 become U+FFFD.
 */
static void gh_put(FILE *out, const char *s, bool property)
{
	size_t len = strlen(s);

	while (len) {
		unsigned c;
		size_t n = utf8_decode(s, len, &c);

		if (!n) {
			fputs(UTF8_REPLACEMENT, out);
			n = 1;
		} else if (c == '%' || c == '\r' || c == '\n' || (property && (c == ':' || c == ','))) {
			fprintf(out, "%%%02X", c);
		} else if ((c < 0x20 && c != '\t') || c == 0x7F) {
			fputs(UTF8_REPLACEMENT, out);
		} else {
			fwrite(s, 1, n, out);
		}
		s += n;
		len -= n;
	}
}

/* One annotation of a level ("error", "warning"): file may be NULL for none. */
static void annotate_as(FILE *out, const char *level, const char *file, int line,
			const char *title, const char *message)
{
	fprintf(out, "::%s ", level);
	if (file) {
		fputs("file=", out);
		gh_put(out, file, true);
		fprintf(out, ",line=%d,", line);
	}
	fputs("title=", out);
	gh_put(out, title, true);
	fputs("::", out);
	gh_put(out, message, false);
	fputc('\n', out);
}

static void annotate(FILE *out, const char *file, int line, const char *title, const char *message)
{
	annotate_as(out, "error", file, line, title, message);
}

/* The findings at one line of the student's file, for one annotation. */
struct spot {
	const struct site *site;
	const struct finding *first;
	struct strbuf msg;	/* a line per site there */
};

struct spots {
	struct spot *v;
	size_t n, alloc;
};

/* Does text, lines each ended by '\n', hold this line? */
static bool has_line(const char *text, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = text; *p; p = strchr(p, '\n') + 1)
		if (!strncmp(p, line, len))
			return true;
	return false;
}

static void spots_add(struct spots *spots, const struct finding *f, const struct site *s)
{
	struct spot *sp = NULL;
	struct strbuf line = STRBUF_INIT;

	for (size_t i = 0; i < spots->n && !sp; i++)
		if (spots->v[i].site->line == s->line && !strcmp(spots->v[i].site->file, s->file))
			sp = &spots->v[i];
	if (!sp) {
		ALLOC_GROW(spots->v, spots->n + 1, spots->alloc);
		sp = &spots->v[spots->n++];
		*sp = (struct spot){ .site = s, .first = f, .msg = STRBUF_INIT };
	}
	sb_adds(&line, finding_kind_name(f->kind));
	if (f->variable)
		sb_addf(&line, " on %s", f->variable);
	if (s->label && *s->label)
		sb_addf(&line, ": %s", s->label);
	if (s->thread_origin)
		sb_addf(&line, " (created at %s)", s->thread_origin);
	if (s->function)
		sb_addf(&line, " in %s()", s->function);
	sb_adds(&line, "\n");
	/* DRD can name the same place many times over: say it once. */
	if (!has_line(sb_str(&sp->msg), sb_str(&line)))
		sb_adds(&sp->msg, sb_str(&line));
	sb_release(&line);
}

static void annotate_findings(FILE *out, const struct stage_result *res)
{
	struct spots spots = { 0 };

	for (size_t i = 0; i < res->findings.n; i++) {
		const struct finding *f = &res->findings.v[i];

		for (size_t k = 0; k < f->nsites; k++)
			if (f->sites[k].student)
				spots_add(&spots, f, &f->sites[k]);
	}
	for (size_t i = 0; i < spots.n; i++) {
		struct spot *sp = &spots.v[i];
		char *title = xstrfmt("%s: %s", res->stage.name, finding_kind_name(sp->first->kind));

		sb_adds(&sp->msg, finding_kind_advice(sp->first->kind));
		annotate(out, sp->site->file, sp->site->line, title, sb_str(&sp->msg));
		sb_release(&sp->msg);
		free(title);
	}
	free(spots.v);
}

static void annotate_stage(FILE *out, const struct stage_result *res)
{
	if (res->state != STAGE_GRADED) {
		/* Nothing ran: one annotation says why, not one per test. */
		annotate(out, NULL, 0, res->stage.name, res->problem ? res->problem : "not graded");
		return;
	}
	annotate_findings(out, res);
	/* for the instructor: what admission flagged, a warning, not an error of the student's */
	if (res->suspicious) {
		char *title = xstrfmt("%s: suspicious, for the instructor to read", res->stage.name);

		annotate_as(out, "warning", NULL, 0, title, res->suspicious);
		free(title);
	}
	for (size_t i = 0; i < res->ntests; i++) {
		const struct test_result *t = &res->tests[i];
		char *title, *msg;

		if (t->status == TEST_PASSED)
			continue;
		title = report_test_name(res, t);
		msg = t->hint ? xstrfmt("%s\nStuck? See hint %d in assignments/%s/hints.md",
					t->message ? t->message : test_status_name(t->status),
					t->hint, res->stage.name)
			      : xstrdup(t->message ? t->message : test_status_name(t->status));
		annotate(out, NULL, 0, title, msg);
		free(title);
		free(msg);
	}
}

/* Markdown text on one line: punctuation that could be markup escaped. */
static void md_put(FILE *out, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		unsigned c;
		size_t n = utf8_decode(s, len, &c);

		if (!n) {
			fputs(UTF8_REPLACEMENT, out);
			n = 1;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			fputc(' ', out);
		} else if (c < 0x20 || c == 0x7F) {
			fputs(UTF8_REPLACEMENT, out);
		} else {
			if (c < 0x80 && strchr("\\`*_[]<>#|~&", (int)c))
				fputc('\\', out);
			fwrite(s, 1, n, out);
		}
		s += n;
		len -= n;
	}
}

static void summarize_stage(FILE *out, const struct stage_result *res)
{
	fputs("### ", out);
	md_put(out, res->stage.name);
	if (res->stage.title) {
		fputs(": ", out);
		md_put(out, res->stage.title);
	}
	fprintf(out, " (%d/%d)\n\n", res->score, res->max_score);
	if (res->problem) {
		md_put(out, res->problem);
		fputs("\n\n", out);
	}
	fputs("| test | result | points |\n| --- | --- | --- |\n", out);
	for (size_t i = 0; i < res->ntests; i++) {
		const struct test_result *t = &res->tests[i];

		fputs("| ", out);
		md_put(out, t->name);
		fprintf(out, " | %s %s | %d/%d |\n", t->status == TEST_PASSED ? "✅" : "❌",
			test_status_name(t->status), t->score, t->max_score);
	}
	if (res->findings.n)
		fputs("\n**Findings**\n\n", out);
	for (size_t i = 0; i < res->findings.n; i++) {
		const struct finding *f = &res->findings.v[i];

		fprintf(out, "- **%s**", finding_kind_name(f->kind));
		if (f->variable) {
			fputs(" on ", out);
			md_put(out, f->variable);
		}
		fputc('\n', out);
		for (size_t k = 0; k < f->nsites; k++) {
			const struct site *s = &f->sites[k];
			char *at = xstrfmt("%s:%d", s->file, s->line);

			fputs("  - ", out);
			if (s->label && *s->label) {
				md_put(out, s->label);
				fputs(": ", out);
			}
			md_put(out, at);
			if (s->function) {
				fputs(" in ", out);
				md_put(out, s->function);
				fputs("()", out);
			}
			fputc('\n', out);
			free(at);
		}
	}
	fputc('\n', out);
}

/* Appends the run's Markdown summary to the file GitHub shows on the run's page. */
static void write_summary(const char *path, const struct grade_run *run)
{
	FILE *f = fopen(path, "ae");
	bool failed;

	if (!f) {
		warn("cannot write the job summary %s: %s", path, strerror(errno));
		return;
	}
	fprintf(f, "## Racecourse: %d/%d\n\n", run->score, run->max_score);
	for (size_t i = 0; i < run->nstages; i++)
		summarize_stage(f, &run->stages[i]);
	fprintf(f, "**Total: %d/%d**\n", run->score, run->max_score);
	failed = ferror(f);
	if (fclose(f) || failed)
		warn("cannot write the job summary %s: %s", path, strerror(errno));
}

int report_github(FILE *out, const struct grade_run *run, bool color)
{
	const char *summary = getenv("GITHUB_STEP_SUMMARY");

	(void)color;
	for (size_t i = 0; i < run->nstages; i++)
		annotate_stage(out, &run->stages[i]);
	if (report_text(out, run, false))
		return -1;
	if (summary && *summary)
		write_summary(summary, run);
	return ferror(out) ? -1 : 0;
}
