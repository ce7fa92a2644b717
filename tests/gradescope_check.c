/*
 * gradescope_check: checks a results.json against Gradescope's format, and its verdict.
 *
 *   gradescope_check RESULTS STAGE full           every test of STAGE passed, full marks
 *   gradescope_check RESULTS STAGE fails TEST...  exactly these tests failed ("suite/name")
 *
 * Every test must be tagged STAGE (only that stage was graded).  Prints one
 * line per problem and exits 1, or exits 0 saying nothing.
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int problems;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	problems++;
}

static bool one_of(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static const char *const visibilities[] = { "hidden", "after_due_date", "after_published", "visible", NULL };
static const char *const formats[] = { "text", "html", "simple_format", "md", "ansi", NULL };
static const char *const statuses[] = { "passed", "failed", NULL };

/* A field that must be there with a JSON type; returns it, or NULL after a problem. */
static json_t *field(json_t *obj, const char *where, const char *key, json_type type)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array", [JSON_STRING] = "a string",
		[JSON_INTEGER] = "a number", [JSON_REAL] = "a number",
	};
	json_t *v = json_object_get(obj, key);
	bool ok = type == JSON_REAL ? json_is_number(v) : v && json_typeof(v) == type;

	if (!ok) {
		problem("%s: \"%s\" must be %s", where, key, names[type]);
		return NULL;
	}
	return v;
}

/* An optional string field whose value must be one of list. */
static void enum_field(json_t *obj, const char *where, const char *key, const char *const *list)
{
	json_t *v = json_object_get(obj, key);

	if (v && !one_of(json_string_value(v), list))
		problem("%s: \"%s\" has a value Gradescope does not know", where, key);
}

static bool tagged(json_t *tags, const char *stage)
{
	size_t i;
	json_t *t;

	json_array_foreach(tags, i, t)
		if (json_is_string(t) && !strcmp(json_string_value(t), stage))
			return true;
	return false;
}

/* The test's name without the "STAGE: " the grader puts before it. */
static const char *short_name(const char *name, const char *stage)
{
	size_t n = strlen(stage);

	if (!strncmp(name, stage, n) && !strncmp(name + n, ": ", 2))
		return name + n + 2;
	return name;
}

/* A test's output, for a message: its first line. */
static const char *output(json_t *test)
{
	const char *s = json_string_value(json_object_get(test, "output"));

	return s && *s ? s : "(no output)";
}

static int first_line(json_t *test)
{
	return (int)strcspn(output(test), "\n");
}

static bool listed(const char *name, char **list, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	json_error_t err;
	json_t *res, *tests, *t, *top_max;
	const char *stage;
	double sum = 0, sum_max = 0, score;
	bool full;
	size_t i;

	if (argc < 4 || (strcmp(argv[3], "full") && strcmp(argv[3], "fails")) ||
	    (!strcmp(argv[3], "fails") && argc < 5)) {
		fputs("usage: gradescope_check RESULTS STAGE full | RESULTS STAGE fails TEST...\n", stderr);
		return 2;
	}
	stage = argv[2];
	full = !strcmp(argv[3], "full");
	if (!(res = json_load_file(argv[1], 0, &err))) {
		printf("cannot read %s: line %d: %s\n", argv[1], err.line, err.text);
		return 1;
	}
	if (!json_is_object(res)) {
		puts("results.json is not a JSON object");
		return 1;
	}

	/* The format: what Gradescope requires, and the values it allows. */
	field(res, "results", "score", JSON_REAL);
	field(res, "results", "execution_time", JSON_REAL);
	field(res, "results", "output", JSON_STRING);
	enum_field(res, "results", "visibility", visibilities);
	enum_field(res, "results", "stdout_visibility", visibilities);
	enum_field(res, "results", "output_format", formats);
	tests = field(res, "results", "tests", JSON_ARRAY);
	if (tests && !json_array_size(tests))
		problem("results: \"tests\" is empty");
	json_array_foreach(tests, i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		const char *status = json_string_value(json_object_get(t, "status"));
		char where[256];
		json_t *tags;
		double s, max;

		snprintf(where, sizeof(where), "test %zu (%s)", i + 1, name ? name : "no name");
		if (!json_is_object(t)) {
			problem("%s is not an object", where);
			continue;
		}
		field(t, where, "name", JSON_STRING);
		field(t, where, "output", JSON_STRING);
		if (field(t, where, "status", JSON_STRING) && !one_of(status, statuses))
			problem("%s: status '%s' is neither passed nor failed", where, status);
		if (field(t, where, "visibility", JSON_STRING))
			enum_field(t, where, "visibility", visibilities);
		enum_field(t, where, "output_format", formats);
		if ((tags = field(t, where, "tags", JSON_ARRAY)) && !tagged(tags, stage))
			problem("%s: not tagged %s", where, stage);
		if (!field(t, where, "score", JSON_REAL) | !field(t, where, "max_score", JSON_REAL))
			continue;
		s = json_number_value(json_object_get(t, "score"));
		max = json_number_value(json_object_get(t, "max_score"));
		if (s < 0 || s > max)
			problem("%s: score %g is not between 0 and its max_score %g", where, s, max);
		if (one_of(status, statuses) && (!strcmp(status, "passed") != (s == max)))
			problem("%s: status %s does not match its score", where, status);
		sum += s;
		sum_max += max;

		/* The verdict. */
		if (!name || !status)
			continue;
		if (full ? strcmp(status, "passed") :
		    listed(short_name(name, stage), argv + 4, argc - 4) != !strcmp(status, "failed"))
			problem("%s: %s, expected it to %s: %.*s", where, status,
				strcmp(status, "passed") ? "pass" : "fail", first_line(t), output(t));
	}
	for (int k = 4; !full && k < argc; k++) {
		bool found = false;

		json_array_foreach(tests, i, t) {
			const char *name = json_string_value(json_object_get(t, "name"));

			found |= name && !strcmp(short_name(name, stage), argv[k]);
		}
		if (!found)
			problem("no test %s in %s", argv[k], stage);
	}

	/* The totals: Gradescope shows "score", which must be the tests' sum. */
	score = json_number_value(json_object_get(res, "score"));
	if (fabs(score - sum) > 1e-6)
		problem("score %g is not the sum of the tests' scores, %g", score, sum);
	top_max = json_object_get(res, "max_score");
	if (top_max && (!json_is_number(top_max) || fabs(json_number_value(top_max) - sum_max) > 1e-6))
		problem("max_score is not the sum of the tests' max_score, %g", sum_max);
	if (full && (sum_max <= 0 || sum != sum_max))
		problem("scored %g/%g, expected full marks", sum, sum_max);
	if (!full && sum >= sum_max)
		problem("scored %g/%g, expected below full marks", sum, sum_max);
	json_decref(res);
	return problems ? 1 : 0;
}
