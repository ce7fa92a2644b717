/* Gradescope's results.json, with the findings and timings for tools. */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/*
 * A JSON string from text that may come from the student (a source line,
 * compiler output) and so may not be UTF-8: bytes that are not become '?'.
 */
json_t *json_text(const char *s)
{
	json_t *j = json_string(s ? s : "");
	char *copy;

	if (j)
		return j;
	copy = xstrdup(s);
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

char *report_test_name(const struct stage_result *res, const struct test_result *t)
{
	return xstrfmt("%s: %s", res->stage.name, t->name);
}

static const char *state_name(enum stage_state s)
{
	switch (s) {
	case STAGE_GRADED: return "graded";
	case STAGE_MISSING: return "missing";
	case STAGE_BUILD_FAILED: return "compile-error";
	default: return "kit-error";
	}
}

/* A test's output: why it failed, and where to look next. */
static char *test_output(const struct stage_result *res, const struct test_result *t)
{
	struct strbuf sb = STRBUF_INIT;

	if (res->problem && t->status != TEST_PASSED)
		sb_addf(&sb, "%s\n", res->problem);
	if (t->message && t->status != TEST_PASSED)
		sb_addf(&sb, "%s\n", t->message);
	if (t->status != TEST_PASSED && t->hint)
		sb_addf(&sb, "Stuck? See hint %d in assignments/%s/hints.md\n", t->hint,
			res->stage.name);
	return sb_detach(&sb);
}

static json_t *site_json(const struct site *s)
{
	json_t *j = json_pack("{s:s, s:s, s:i, s:b}", "label", s->label, "file", s->file,
			      "line", s->line, "student", s->student);

	if (s->function)
		json_object_set_new(j, "function", json_string(s->function));
	if (s->text)
		json_object_set_new(j, "text", json_text(s->text));
	if (s->thread)
		json_object_set_new(j, "thread", json_integer(s->thread));
	if (s->thread_origin)
		json_object_set_new(j, "thread_created_at", json_string(s->thread_origin));
	if (s->locks)
		json_object_set_new(j, "locks_held", json_text(s->locks));
	return j;
}

static json_t *finding_json(const struct finding *f)
{
	json_t *tools = json_array(), *sites = json_array();
	json_t *j;

	if (f->tools & TOOL_HELGRIND)
		json_array_append_new(tools, json_string("helgrind"));
	if (f->tools & TOOL_DRD)
		json_array_append_new(tools, json_string("drd"));
	if (f->tools & TOOL_TSAN)
		json_array_append_new(tools, json_string("tsan"));
	if (f->tools & TOOL_ASAN)
		json_array_append_new(tools, json_string("asan"));
	for (size_t i = 0; i < f->nsites; i++)
		json_array_append_new(sites, site_json(&f->sites[i]));
	j = json_pack("{s:s, s:s, s:s, s:o, s:o, s:i}", "kind", finding_kind_tag(f->kind),
		      "title", finding_kind_name(f->kind), "headline", f->headline ? f->headline : "",
		      "tools", tools, "sites", sites, "occurrences", f->occurrences);
	if (f->variable)
		json_object_set_new(j, "variable", json_string(f->variable));
	return j;
}

static json_t *stage_json(const struct stage_result *res)
{
	json_t *findings = json_array(), *tests = json_array();
	json_t *j;

	for (size_t i = 0; i < res->findings.n; i++)
		json_array_append_new(findings, finding_json(&res->findings.v[i]));
	for (size_t i = 0; i < res->ntests; i++)
		json_array_append_new(tests, json_pack("{s:s, s:s}", "name", res->tests[i].name,
						       "status", test_status_name(res->tests[i].status)));
	j = json_pack("{s:s, s:s, s:s, s:i, s:i, s:o, s:o, s:{s:f, s:f, s:f, s:f, s:f, s:f, s:f}}",
		      "stage", res->stage.name, "title", res->stage.title ? res->stage.title : "",
		      "state", state_name(res->state), "score", res->score,
		      "max_score", res->max_score, "tests", tests, "findings", findings,
		      "seconds", "build", res->t_build, "tests", res->t_tests,
		      "helgrind", res->t_helgrind, "drd", res->t_drd, "tsan", res->t_tsan,
		      "asan", res->t_asan, "total", res->t_total);
	if (res->cpu_counted)
		json_object_set_new(j, "cpu_seconds",
				    json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "build", res->cpu_build,
					      "tests", res->cpu_tests, "helgrind", res->cpu_helgrind,
					      "drd", res->cpu_drd, "tsan", res->cpu_tsan, "asan",
					      res->cpu_asan));
	if (res->problem)
		json_object_set_new(j, "problem", json_text(res->problem));
	if (res->diagnostics)
		json_object_set_new(j, "diagnostics", json_text(res->diagnostics));
	if (res->suspicious)
		json_object_set_new(j, "suspicious", json_text(res->suspicious));
	if (res->detector_note)
		json_object_set_new(j, "detector_note", json_text(res->detector_note));
	return j;
}

int report_json(FILE *out, const struct grade_run *run, bool color)
{
	json_t *tests = json_array(), *stages = json_array();
	struct strbuf summary = STRBUF_INIT;
	json_t *root;
	int rc;

	(void)color;
	for (size_t i = 0; i < run->nstages; i++) {
		const struct stage_result *res = &run->stages[i];

		sb_addf(&summary, "%s: %d/%d%s\n", res->stage.name, res->score, res->max_score,
			res->problem ? " — " : "");
		if (res->problem)
			sb_addf(&summary, "%s\n", res->problem);
		/* what to change, where Gradescope shows it: the grader's words, not the compiler's */
		if (res->refused && res->diagnostics)
			sb_addf(&summary, "%s", res->diagnostics);
		for (size_t k = 0; k < res->ntests; k++) {
			const struct test_result *t = &res->tests[k];
			char *name = report_test_name(res, t), *output = test_output(res, t);
			char *number = xstrfmt("%zu.%zu", i + 1, k + 1);

			json_array_append_new(tests, json_pack("{s:s, s:s, s:i, s:i, s:s, s:o, s:[s], s:s}",
				"name", name, "number", number, "score", t->score,
				"max_score", t->max_score,
				"status", t->status == TEST_PASSED ? "passed" : "failed",
				"output", json_text(output), "tags", res->stage.name,
				"visibility", t->hidden ? "after_due_date" : "visible"));
			free(name);
			free(output);
			free(number);
		}
		json_array_append_new(stages, stage_json(res));
	}
	root = json_pack("{s:i, s:i, s:f, s:o, s:s, s:s, s:s, s:o, s:{s:I, s:s, s:s, s:o}}",
			 "score", run->score, "max_score", run->max_score,
			 "execution_time", run->elapsed, "output", json_text(sb_str(&summary)),
			 "output_format", "text", "visibility", "visible",
			 "stdout_visibility", "hidden", "tests", tests,
			 "extra_data", "seed", (json_int_t)run->options->seed,
			 "sandbox", run->sandbox ? run->sandbox : "none",
			 "mode", run->options->fast ? "fast (ThreadSanitizer)" : "full (Helgrind and DRD)",
			 "stages", stages);
	sb_release(&summary);
	if (root && run->resources)
		json_object_set_new(json_object_get(root, "extra_data"), "resources",
				    json_string(run->resources));
	if (!root) {
		errno = ENOMEM;
		return -1;
	}
	rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	json_decref(root);
	if (!rc)
		fputc('\n', out);
	return rc ? -1 : 0;
}
