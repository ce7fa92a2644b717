/* report.html's similarity section: the most alike pairs of each stage and their matching parts side by side. */
#include "similar.h"

#include <jansson.h>
#include <stdlib.h>

#include "html.h"

static const char *jstr(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* One side of a matching part: whose file, which lines, the lines themselves. */
static void side(struct strbuf *sb, const char *id, const char *file, json_t *part)
{
	sb_adds(sb, "<div><p class=\"meta\"><b>");
	html_escape(sb, id);
	sb_adds(sb, "</b> ");
	html_escape(sb, file);
	sb_addf(sb, " lines %lld&ndash;%lld</p><pre><code>",
		(long long)json_integer_value(json_object_get(part, "first")),
		(long long)json_integer_value(json_object_get(part, "last")));
	html_escape(sb, jstr(part, "text"));
	if (json_is_true(json_object_get(part, "cut")))
		sb_adds(sb, "\n&hellip;");
	sb_adds(sb, "</code></pre></div>");
}

/* The matching parts of one pair, folded (a <details> needs no script). */
static void pair_parts(struct strbuf *sb, json_t *pair)
{
	json_t *frags = json_object_get(pair, "fragments"), *f;
	size_t i;

	if (!json_array_size(frags))
		return;
	sb_adds(sb, "<details class=\"pair\"><summary>");
	html_escape(sb, jstr(pair, "a"));
	sb_adds(sb, " and ");
	html_escape(sb, jstr(pair, "b"));
	sb_addf(sb, ": %.1f%%, %zu matching part%s</summary>\n",
		json_number_value(json_object_get(pair, "percent")), json_array_size(frags),
		json_array_size(frags) == 1 ? "" : "s");
	json_array_foreach(frags, i, f) {
		sb_adds(sb, "<div class=\"sbs\">");
		side(sb, jstr(pair, "a"), jstr(f, "file"), json_object_get(f, "a"));
		side(sb, jstr(pair, "b"), jstr(f, "file"), json_object_get(f, "b"));
		sb_adds(sb, "</div>\n");
	}
	sb_adds(sb, "</details>\n");
}

static void stage_section(struct strbuf *sb, json_t *st)
{
	json_t *pairs = json_object_get(st, "pairs"), *p;
	size_t i, shown = 0;

	sb_adds(sb, "<h3>");
	html_escape(sb, jstr(st, "stage"));
	sb_adds(sb, "</h3>\n");
	if (json_object_get(st, "note")) {
		sb_adds(sb, "<p class=\"none\">");
		html_escape(sb, jstr(st, "note"));
		sb_adds(sb, "</p>\n");
		return;
	}
	sb_addf(sb, "<table><tr><th>student</th><th>student</th><th class=\"n\">alike</th>"
		"<th class=\"n\">Dolos similarity</th><th class=\"n\">longest match</th></tr>\n");
	json_array_foreach(pairs, i, p) {
		double percent = json_number_value(json_object_get(p, "percent"));

		if (shown == SIMILAR_TOP)
			break;
		shown++;
		sb_adds(sb, "<tr><td>");
		html_escape(sb, jstr(p, "a"));
		sb_adds(sb, "</td><td>");
		html_escape(sb, jstr(p, "b"));
		sb_addf(sb, "</td><td class=\"n nw\"><span class=\"bar\" style=\"width:%dpx\"></span>"
			"%.1f%%</td><td class=\"n\">%.1f%%</td><td class=\"n\">%lld</td></tr>\n",
			(int)(percent * 0.8), percent, json_number_value(json_object_get(p, "dolos")),
			(long long)json_integer_value(json_object_get(p, "longest")));
	}
	sb_addf(sb, "</table>\n<p class=\"meta\">%zu of %zu pairs; all of them in "
		"<a href=\"similarity.csv\">similarity.csv</a>.</p>\n", shown, json_array_size(pairs));
	json_array_foreach(pairs, i, p) {
		if (i == SIMILAR_TOP)
			break;
		pair_parts(sb, p);
	}
}

void similar_html_section(struct strbuf *sb, const char *out)
{
	char *path = xstrfmt("%s/similarity.json", out);
	json_t *result = json_load_file(path, 0, NULL), *st;
	size_t i;

	free(path);
	if (!json_is_object(result)) {
		json_decref(result);
		return;
	}
	sb_adds(sb, "<h2 id=\"similarity\">Similarity</h2>\n<p class=\"meta\">Every pair of students' "
		"files of each stage, compared by ");
	html_escape(sb, jstr(result, "tool"));
	sb_adds(sb, " on ");
	html_escape(sb, jstr(result, "written"));
	sb_adds(sb, " (winnowing over the C tokens: names, layout and comments do not hide a copy). "
		"What the starter code has never counts. <i>alike</i> is the share of the two files' "
		"own fingerprints that the other has too; a high one is a pair to read, not a "
		"verdict.</p>\n");
	json_array_foreach(json_object_get(result, "stages"), i, st)
		stage_section(sb, st);
	json_decref(result);
}
