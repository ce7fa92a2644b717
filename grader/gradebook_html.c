/* The class report: one self-contained HTML page of where a class struggles. */
#define _GNU_SOURCE
#include "gradebook_html.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "similar.h"

/* How many of the most frequent tests and findings the page lists. */
#define TOP_N 20

static const char style[] =
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d2330;"
	"max-width:1100px;margin:24px auto;padding:0 20px;background:#fafbfc}\n"
	"h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 10px;"
	"border-bottom:1px solid #d9dee7;padding-bottom:4px}\n"
	".meta{color:#5b6475;margin:0 0 12px}\n"
	"table{border-collapse:collapse;width:100%;background:#fff}\n"
	"th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e6e9ef;vertical-align:top}\n"
	"th{background:#f0f2f6;font-weight:600}td.n,th.n{text-align:right;"
	"font-variant-numeric:tabular-nums}\n"
	"code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f3f4f7;"
	"padding:1px 4px;border-radius:3px;white-space:pre-wrap}\n"
	".grid{display:flex;flex-wrap:wrap;gap:14px}\n"
	".card{background:#fff;border:1px solid #e1e5ec;border-radius:6px;padding:10px 12px}\n"
	".card h3{font-size:15px;margin:0 0 4px}.card p{margin:0;color:#5b6475;font-size:13px}\n"
	".bar{display:inline-block;height:10px;background:#4a78c2;border-radius:2px;"
	"vertical-align:middle;margin-right:6px}\n"
	".flag{display:inline-block;font-size:12px;padding:0 6px;margin:0 3px 2px 0;"
	"border-radius:8px;background:#e8ebf1}\n"
	".flag.race,.flag.deadlock{background:#fbe3d6}.flag.timeout,.flag.error{background:#f7d7dc}\n"
	".flag.compile-error,.flag.missing,.flag.broken-archive{background:#efe4c6}\n"
	".none{color:#5b6475;font-style:italic}.nw{white-space:nowrap}\n"
	"a{color:#2857a4}\n"
	"details.pair{margin:8px 0}.sbs{display:grid;grid-template-columns:1fr 1fr;gap:10px;margin:6px 0}\n"
	".sbs p{margin:0}.sbs pre{margin:0;overflow-x:auto;background:#fff;border:1px solid #e1e5ec;"
	"padding:6px;tab-size:4}\n";

static const char *jstr(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

static json_t *jstages(json_t *results)
{
	return json_object_get(json_object_get(results, "extra_data"), "stages");
}

/* The stage `name` of a student's results, or NULL. */
static json_t *find_stage(json_t *results, const char *name)
{
	json_t *st;
	size_t i;

	json_array_foreach(jstages(results), i, st)
		if (!strcmp(jstr(st, "stage"), name))
			return st;
	return NULL;
}

static bool graded_in(json_t *results, const char *stage)
{
	return !strcmp(jstr(find_stage(results, stage), "state"), "graded");
}

/* ---- counting ---- */

struct tally {
	char *key;
	char *stage, *what, *kind, *function, *text;
	int count, of;
	char *last_id;		/* counts each student once */
};

struct tallies {
	struct tally *v;
	size_t n, alloc;
};

static struct tally *tally_get(struct tallies *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].key, key))
			return &t->v[i];
	ALLOC_GROW(t->v, t->n + 1, t->alloc);
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
	t->v[t->n].key = xstrdup(key);
	return &t->v[t->n++];
}

/* Counts the student once for this tally. */
static void tally_bump(struct tally *t, const char *id)
{
	if (t->last_id && !strcmp(t->last_id, id))
		return;
	free(t->last_id);
	t->last_id = xstrdup(id);
	t->count++;
}

static void tallies_release(struct tallies *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct tally *x = &t->v[i];

		free(x->key);
		free(x->stage);
		free(x->what);
		free(x->kind);
		free(x->function);
		free(x->text);
		free(x->last_id);
	}
	free(t->v);
}

static int cmp_tally(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	if (x->count != y->count)
		return y->count - x->count;
	return strcmp(x->key, y->key);
}

/* Every graded test that failed, per test, among the students graded in its stage. */
static void count_tests(const struct gradebook *gb, struct tallies *t)
{
	for (size_t r = 0; r < gb->nrows; r++) {
		const struct gradebook_row *row = &gb->rows[r];
		json_t *test;
		size_t i;

		json_array_foreach(json_object_get(row->results, "tests"), i, test) {
			const char *stage = json_string_value(json_array_get(json_object_get(test, "tags"), 0));
			const char *name = jstr(test, "name");
			size_t len = stage ? strlen(stage) : 0;
			struct tally *x;

			if (!stage || !graded_in(row->results, stage) ||
			    !strcmp(jstr(test, "status"), "passed"))
				continue;
			x = tally_get(t, name);
			if (!x->stage) {
				x->stage = xstrdup(stage);
				x->what = xstrdup(!strncmp(name, stage, len) && !strncmp(name + len, ": ", 2)
						  ? name + len + 2 : name);
			}
			tally_bump(x, row->id);
		}
	}
}

/* Every site of a finding in the student's code, by stage, file name, line and kind. */
static void count_findings(const struct gradebook *gb, struct tallies *t)
{
	for (size_t r = 0; r < gb->nrows; r++) {
		const struct gradebook_row *row = &gb->rows[r];
		json_t *stage, *f, *s;
		size_t i, k, m;

		json_array_foreach(jstages(row->results), i, stage) {
			json_array_foreach(json_object_get(stage, "findings"), k, f) {
				json_array_foreach(json_object_get(f, "sites"), m, s) {
					const char *file = base_name(jstr(s, "file"));
					int line = (int)json_integer_value(json_object_get(s, "line"));
					char *key;
					struct tally *x;

					if (!json_is_true(json_object_get(s, "student")) || !*file)
						continue;
					key = xstrfmt("%s\n%s\n%09d\n%s", jstr(stage, "stage"), file, line,
						      jstr(f, "kind"));
					x = tally_get(t, key);
					if (!x->stage) {
						x->stage = xstrdup(jstr(stage, "stage"));
						x->what = xstrfmt("%s:%d", file, line);
						x->kind = xstrdup(*jstr(f, "title") ? jstr(f, "title")
										  : jstr(f, "kind"));
						x->function = xstrdup(jstr(s, "function"));
						x->text = xstrdup(jstr(s, "text") +
								  strspn(jstr(s, "text"), " \t"));
					}
					tally_bump(x, row->id);
					free(key);
				}
			}
		}
	}
}

/* How many students were graded in each stage of the tallies: the share's denominator. */
static void set_of(const struct gradebook *gb, struct tallies *t)
{
	for (size_t i = 0; i < t->n; i++)
		for (size_t r = 0; r < gb->nrows; r++)
			t->v[i].of += graded_in(gb->rows[r].results, t->v[i].stage);
}

/* ---- drawing ---- */

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * A histogram of scores from 0 to max as inline SVG: a bar per score when
 * there are few, else ten bins.
 */
static void histogram(struct strbuf *sb, const int *scores, size_t n, int max)
{
	enum { W = 340, H = 170, LEFT = 30, BOTTOM = 22, TOP = 14 };
	int nbins, width, *bins, top = 0;
	double bw;

	if (max < 0)
		max = 0;
	/* A bar per score up to 25 points; past that, about ten bins of whole points. */
	width = max + 1 <= 26 ? 1 : (max + 10) / 10;
	nbins = (max + width) / width;
	bins = xcalloc((size_t)nbins, sizeof(*bins));
	for (size_t i = 0; i < n; i++) {
		int s = scores[i] < 0 ? 0 : scores[i] > max ? max : scores[i];

		bins[s / width]++;
	}
	for (int i = 0; i < nbins; i++)
		top = bins[i] > top ? bins[i] : top;
	bw = (double)(W - LEFT - 4) / nbins;
	sb_addf(sb, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" role=\"img\" font-family=\"system-ui,sans-serif\" "
		"font-size=\"11\">\n", W, H, W, H);
	sb_addf(sb, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#8a93a5\"/>\n",
		LEFT, H - BOTTOM, W - 4, H - BOTTOM);
	sb_addf(sb, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#5b6475\">%d</text>\n",
		LEFT - 4, TOP + 4, top);
	sb_addf(sb, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#5b6475\">0</text>\n",
		LEFT - 4, H - BOTTOM);
	for (int i = 0; i < nbins; i++) {
		int lo = i * width, hi = lo + width - 1 > max ? max : lo + width - 1;
		double h = top ? (double)bins[i] / top * (H - BOTTOM - TOP) : 0;
		double x = LEFT + i * bw + 1;
		bool full = hi == max;

		sb_addf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
			x, H - BOTTOM - h, bw - 2 > 1 ? bw - 2 : 1, h, full ? "#3f9a63" : "#4a78c2");
		if (lo == hi)
			sb_addf(sb, "<title>%d points: %d student%s</title></rect>\n", lo, bins[i],
				bins[i] == 1 ? "" : "s");
		else
			sb_addf(sb, "<title>%d to %d points: %d student%s</title></rect>\n", lo, hi,
				bins[i], bins[i] == 1 ? "" : "s");
		if (bins[i])
			sb_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
				"fill=\"#1d2330\">%d</text>\n", x + (bw - 2) / 2, H - BOTTOM - h - 3,
				bins[i]);
		/* Label the first and last bins, and a few between. */
		if (i == 0 || i == nbins - 1 || (nbins > 6 && i % ((nbins + 4) / 5) == 0))
			sb_addf(sb, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
				"fill=\"#5b6475\">%d%s</text>\n", x + (bw - 2) / 2, H - BOTTOM + 14, lo,
				lo == hi ? "" : "+");
	}
	sb_adds(sb, "</svg>\n");
	free(bins);
}

/* A share as a bar and a percentage. */
static void share(struct strbuf *sb, int count, int of)
{
	double p = of ? 100.0 * count / of : 0;

	sb_addf(sb, "<td class=\"n nw\">%d of %d</td><td class=\"nw\"><span class=\"bar\" "
		"style=\"width:%dpx\"></span>%.0f%%</td>", count, of, (int)(p * 1.5 + 0.5), p);
}

static void stats_row(struct strbuf *sb, const char *name, int *scores, size_t n, int max)
{
	double mean = 0, median = 0;
	int full = 0, zero = 0;

	for (size_t i = 0; i < n; i++) {
		mean += scores[i];
		full += scores[i] == max;
		zero += scores[i] == 0;
	}
	if (n) {
		mean /= (double)n;
		qsort(scores, n, sizeof(*scores), cmp_int);
		median = n % 2 ? scores[n / 2] : (scores[n / 2 - 1] + scores[n / 2]) / 2.0;
	}
	sb_adds(sb, "<tr><td>");
	html_escape(sb, name);
	sb_addf(sb, "</td><td class=\"n\">%d</td><td class=\"n\">%.1f</td><td class=\"n\">%.1f</td>"
		"<td class=\"n\">%d</td><td class=\"n\">%d</td></tr>\n", max, mean, median, full, zero);
}

static void flags_cell(struct strbuf *sb, unsigned flags)
{
	for (int i = 0; i < GB_NFLAGS; i++)
		if (flags & (1u << i))
			sb_addf(sb, "<span class=\"flag %s\">%s</span>", gradebook_flag_names[i],
				gradebook_flag_names[i]);
}

/* ---- the page ---- */

static void section_scores(struct strbuf *sb, const struct gradebook *gb)
{
	int *scores = xcalloc(gb->nrows ? gb->nrows : 1, sizeof(*scores));
	struct strbuf table = STRBUF_INIT;
	int total_max = 0;

	sb_adds(sb, "<h2 id=\"scores\">Scores</h2>\n<div class=\"grid\">\n");
	sb_adds(&table, "<table><tr><th>stage</th><th class=\"n\">points</th><th class=\"n\">mean</th>"
		"<th class=\"n\">median</th><th class=\"n\">full marks</th><th class=\"n\">zero</th></tr>\n");
	for (size_t k = 0; k <= gb->nstages; k++) {
		bool total = k == gb->nstages;
		int max = total ? total_max : gb->stage_max[k] > 0 ? gb->stage_max[k] : 0;

		for (size_t r = 0; r < gb->nrows; r++) {
			scores[r] = total ? gb->rows[r].total : gb->rows[r].scores[k];
			if (!total && scores[r] > max)
				max = scores[r];
		}
		if (!total)
			total_max += max;
		sb_adds(sb, "<div class=\"card\"><h3>");
		html_escape(sb, total ? "Total" : gb->stages[k]);
		sb_addf(sb, "</h3><p>out of %d points</p>\n", max);
		histogram(sb, scores, gb->nrows, max);
		sb_adds(sb, "</div>\n");
		stats_row(&table, total ? "total" : gb->stages[k], scores, gb->nrows, max);
	}
	sb_adds(sb, "</div>\n<p></p>\n");
	sb_add(sb, table.buf, table.len);
	sb_adds(sb, "</table>\n");
	sb_release(&table);
	free(scores);
}

static void section_flags(struct strbuf *sb, const struct gradebook *gb)
{
	static const char *const about[GB_NFLAGS] = {
		"a data race found by Helgrind or DRD",
		"a lock-order violation, or a test that timed out",
		"the grading of the submission reached its time limit",
		"a stage did not compile or link",
		"a stage's files are not in the submission",
		"the archive could not be read, or was unsafe",
		"the grader could not grade it (see the student's report.txt)",
	};

	sb_adds(sb, "<h2 id=\"flags\">Flags</h2>\n<table><tr><th>flag</th><th>means</th>"
		"<th class=\"n\">students</th><th>share</th></tr>\n");
	for (int i = 0; i < GB_NFLAGS; i++) {
		int count = 0;

		for (size_t r = 0; r < gb->nrows; r++)
			count += !!(gb->rows[r].flags & (1u << i));
		sb_adds(sb, "<tr><td>");
		flags_cell(sb, 1u << i);
		sb_addf(sb, "</td><td>%s</td>", about[i]);
		share(sb, count, (int)gb->nrows);
		sb_adds(sb, "</tr>\n");
	}
	sb_adds(sb, "</table>\n");
}

static void section_tests(struct strbuf *sb, const struct gradebook *gb)
{
	struct tallies t = { 0 };

	count_tests(gb, &t);
	set_of(gb, &t);
	qsort(t.v, t.n, sizeof(*t.v), cmp_tally);
	sb_adds(sb, "<h2 id=\"tests\">Tests failed most often</h2>\n");
	if (!t.n) {
		sb_adds(sb, "<p class=\"none\">No graded test failed.</p>\n");
		tallies_release(&t);
		return;
	}
	sb_adds(sb, "<p class=\"meta\">Among the students whose stage compiled and was graded.</p>\n"
		"<table><tr><th>stage</th><th>test</th><th class=\"n\">failed by</th><th>share</th></tr>\n");
	for (size_t i = 0; i < t.n && i < TOP_N; i++) {
		sb_adds(sb, "<tr><td class=\"nw\">");
		html_escape(sb, t.v[i].stage);
		sb_adds(sb, "</td><td><code>");
		html_escape(sb, t.v[i].what);
		sb_adds(sb, "</code></td>");
		share(sb, t.v[i].count, t.v[i].of);
		sb_adds(sb, "</tr>\n");
	}
	sb_adds(sb, "</table>\n");
	tallies_release(&t);
}

static void section_findings(struct strbuf *sb, const struct gradebook *gb)
{
	struct tallies t = { 0 };

	count_findings(gb, &t);
	set_of(gb, &t);
	qsort(t.v, t.n, sizeof(*t.v), cmp_tally);
	sb_adds(sb, "<h2 id=\"findings\">Detector findings most often seen</h2>\n");
	if (!t.n) {
		sb_adds(sb, "<p class=\"none\">Helgrind and DRD found nothing in the class's code.</p>\n");
		tallies_release(&t);
		return;
	}
	sb_adds(sb, "<p class=\"meta\">Each place in the students' files (lines as in their "
		"copies of the starter code) that a finding of Helgrind or DRD points at.</p>\n"
		"<table><tr><th>stage</th><th>where</th><th>finding</th><th>a student's line</th>"
		"<th class=\"n\">students</th><th>share</th></tr>\n");
	for (size_t i = 0; i < t.n && i < TOP_N; i++) {
		struct tally *x = &t.v[i];

		sb_adds(sb, "<tr><td class=\"nw\">");
		html_escape(sb, x->stage);
		sb_adds(sb, "</td><td><code>");
		html_escape(sb, x->what);
		sb_adds(sb, "</code>");
		if (*x->function) {
			sb_adds(sb, " in <code>");
			html_escape(sb, x->function);
			sb_adds(sb, "()</code>");
		}
		sb_adds(sb, "</td><td>");
		html_escape(sb, x->kind);
		sb_adds(sb, "</td><td>");
		if (*x->text) {
			sb_adds(sb, "<code>");
			html_escape(sb, x->text);
			sb_adds(sb, "</code>");
		}
		sb_adds(sb, "</td>");
		share(sb, x->count, x->of);
		sb_adds(sb, "</tr>\n");
	}
	sb_adds(sb, "</table>\n");
	tallies_release(&t);
}

static void section_students(struct strbuf *sb, const struct gradebook *gb)
{
	bool dated = gradebook_dated(gb);

	sb_adds(sb, "<h2 id=\"students\">Students</h2>\n<table><tr><th>student</th>");
	for (size_t k = 0; k < gb->nstages; k++) {
		sb_adds(sb, "<th class=\"n\">");
		html_escape(sb, gb->stages[k]);
		sb_adds(sb, "</th>");
	}
	sb_adds(sb, "<th class=\"n\">total</th>");
	if (dated)
		sb_adds(sb, "<th class=\"n\">late days</th><th class=\"n\">penalty</th>"
			"<th class=\"n\">final</th>");
	sb_adds(sb, "<th>flags</th></tr>\n");
	for (size_t r = 0; r < gb->nrows; r++) {
		const struct gradebook_row *row = &gb->rows[r];

		sb_adds(sb, "<tr><td><a href=\"students/");
		url_escape(sb, row->id);
		sb_adds(sb, "/report.txt\">");
		html_escape(sb, row->id);
		sb_adds(sb, "</a></td>");
		for (size_t k = 0; k < gb->nstages; k++)
			sb_addf(sb, "<td class=\"n\">%d</td>", row->scores[k]);
		sb_addf(sb, "<td class=\"n\">%d/%d</td>", row->total, row->max);
		if (dated && row->dated)
			sb_addf(sb, "<td class=\"n\">%d</td><td class=\"n\">%g%%</td>"
				"<td class=\"n\">%g</td>", row->late_days, row->penalty,
				gradebook_final(row));
		else if (dated)
			sb_addf(sb, "<td></td><td></td><td class=\"n\">%d</td>", row->total);
		sb_adds(sb, "<td>");
		flags_cell(sb, row->flags);
		sb_adds(sb, "</td></tr>\n");
	}
	sb_adds(sb, "</table>\n");
}

int gradebook_write_html(const struct gradebook *gb, const char *title, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char when[64] = "";
	time_t t = time(NULL);
	struct tm tm;
	char *tmp = xstrfmt("%s.tmp", path);
	int rc;

	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	sb_adds(&sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	html_escape(&sb, title);
	sb_addf(&sb, " - Racecourse class report</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
	sb_adds(&sb, "<h1>Class report: ");
	html_escape(&sb, title);
	sb_addf(&sb, "</h1>\n<p class=\"meta\">%zu student%s; stages ", gb->nrows,
		gb->nrows == 1 ? "" : "s");
	for (size_t k = 0; k < gb->nstages; k++) {
		sb_adds(&sb, k ? ", " : "");
		html_escape(&sb, gb->stages[k]);
	}
	sb_addf(&sb, "; written %s by racecourse batch.</p>\n", when);
	section_scores(&sb, gb);
	section_flags(&sb, gb);
	section_tests(&sb, gb);
	section_findings(&sb, gb);
	section_students(&sb, gb);
	{
		/* The similarity check's result, when `make similar` wrote one beside the page. */
		char *dir = xstrdup(path), *slash = strrchr(dir, '/');

		if (slash)
			*slash = '\0';
		similar_html_section(&sb, slash ? dir : ".");
		free(dir);
	}
	sb_adds(&sb, "</body>\n</html>\n");

	rc = write_file(tmp, sb_str(&sb), sb.len);
	if (!rc)
		rc = rename(tmp, path);
	sb_release(&sb);
	free(tmp);
	return rc;
}
