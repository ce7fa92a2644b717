/*
 * verdict: checks a grader result (results.json) against what it must be.
 *
 *   verdict full RESULTS          every stage at full marks, no finding
 *   verdict below RESULTS         below full marks
 *   verdict expect RESULTS EXPECT the mutant verdict in EXPECT (see docs/authoring.md)
 *   verdict same RESULTS OTHER    the same kinds of finding at the same lines of the student's
 *
 * Prints one line saying what differs and exits 1, or exits 0.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define RACE_FREE "no data races, no lock-order violations"

static json_t *load(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);

	if (!j) {
		printf("cannot read %s: line %d: %s\n", path, err.line, err.text);
		return NULL;
	}
	return j;
}

static bool in_list(json_t *list, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

/* The kinds of finding in a stage, as a JSON array without repeats. */
static json_t *finding_kinds(json_t *stage)
{
	json_t *kinds = json_array(), *f;
	size_t i;

	json_array_foreach(json_object_get(stage, "findings"), i, f) {
		const char *k = json_string_value(json_object_get(f, "kind"));

		if (k && !in_list(kinds, k))
			json_array_append_new(kinds, json_string(k));
	}
	return kinds;
}

static int check_full(json_t *res)
{
	json_t *stage;
	size_t i;
	int bad = 0;

	json_array_foreach(json_object_get(json_object_get(res, "extra_data"), "stages"), i, stage) {
		const char *name = json_string_value(json_object_get(stage, "stage"));
		json_int_t score = json_integer_value(json_object_get(stage, "score"));
		json_int_t max = json_integer_value(json_object_get(stage, "max_score"));
		size_t nf = json_array_size(json_object_get(stage, "findings"));

		if (score != max || nf || max <= 0) {
			printf("%s: %lld/%lld with %zu finding(s), expected full marks and none\n",
			       name, (long long)score, (long long)max, nf);
			bad = 1;
		}
	}
	if (!i) {
		puts("no stage was graded");
		bad = 1;
	}
	return bad;
}

static int check_below(json_t *res)
{
	json_int_t score = json_integer_value(json_object_get(res, "score"));
	json_int_t max = json_integer_value(json_object_get(res, "max_score"));

	if (max <= 0 || score >= max) {
		printf("scored %lld/%lld, expected below full marks\n", (long long)score, (long long)max);
		return 1;
	}
	return 0;
}

static int check_expect(json_t *res, json_t *expect)
{
	json_t *stages = json_object_get(json_object_get(res, "extra_data"), "stages");
	json_t *stage = json_array_get(stages, 0), *t, *kinds, *want_failed, *may_fail, *want_kinds;
	json_t *may_find;
	size_t i;
	int bad = check_below(res);

	if (json_array_size(stages) != 1) {
		printf("expected one graded stage, got %zu\n", json_array_size(stages));
		return 1;
	}
	want_failed = json_object_get(expect, "failed");
	may_fail = json_object_get(expect, "may_fail");
	want_kinds = json_object_get(expect, "findings");
	/* kinds a detector sees in some runs only: allowed, not required */
	may_find = json_object_get(expect, "may_find");
	if (!json_is_array(want_failed) || !json_is_array(want_kinds)) {
		puts("expect.json needs \"failed\" and \"findings\" arrays");
		return 1;
	}
	json_array_foreach(json_object_get(stage, "tests"), i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		bool passed = !strcmp(json_string_value(json_object_get(t, "status")), "passed");

		if (!strcmp(name, RACE_FREE))
			continue;	/* judged by the findings */
		if (passed && in_list(want_failed, name)) {
			printf("test %s passed, expected it to fail\n", name);
			bad = 1;
		} else if (!passed && !in_list(want_failed, name) && !in_list(may_fail, name)) {
			printf("test %s failed, expected it to pass\n", name);
			bad = 1;
		}
	}
	json_array_foreach(want_failed, i, t) {
		bool known = false;
		size_t k;
		json_t *u;

		json_array_foreach(json_object_get(stage, "tests"), k, u)
			known |= !strcmp(json_string_value(json_object_get(u, "name")), json_string_value(t));
		if (!known) {
			printf("expect.json names test %s, which the stage does not have\n",
			       json_string_value(t));
			bad = 1;
		}
	}
	kinds = finding_kinds(stage);
	json_array_foreach(want_kinds, i, t)
		if (!in_list(kinds, json_string_value(t))) {
			printf("no %s finding, expected one\n", json_string_value(t));
			bad = 1;
		}
	json_array_foreach(kinds, i, t)
		if (!in_list(want_kinds, json_string_value(t)) && !in_list(may_find, json_string_value(t))) {
			printf("a %s finding, expected none\n", json_string_value(t));
			bad = 1;
		}
	json_decref(kinds);
	return bad;
}

/* "race account.c:68" for each finding's student lines, in every stage, without repeats. */
static json_t *finding_lines(json_t *res)
{
	json_t *lines = json_array(), *stage, *f, *site;
	size_t i, j, k;

	json_array_foreach(json_object_get(json_object_get(res, "extra_data"), "stages"), i, stage)
		json_array_foreach(json_object_get(stage, "findings"), j, f)
			json_array_foreach(json_object_get(f, "sites"), k, site) {
				const char *file = json_string_value(json_object_get(site, "file"));
				const char *base = file && strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
				char line[512];

				if (!json_is_true(json_object_get(site, "student")) || !base)
					continue;
				snprintf(line, sizeof(line), "%s %s:%lld",
					 json_string_value(json_object_get(f, "kind")), base,
					 (long long)json_integer_value(json_object_get(site, "line")));
				if (!in_list(lines, line))
					json_array_append_new(lines, json_string(line));
			}
	return lines;
}

static int check_same(json_t *res, json_t *other)
{
	json_t *a = finding_lines(res), *b = finding_lines(other), *v;
	size_t i;
	int bad = 0;

	json_array_foreach(a, i, v)
		if (!bad && !in_list(b, json_string_value(v))) {
			printf("%s in the first only\n", json_string_value(v));
			bad = 1;
		}
	json_array_foreach(b, i, v)
		if (!bad && !in_list(a, json_string_value(v))) {
			printf("%s in the second only\n", json_string_value(v));
			bad = 1;
		}
	if (!bad && !json_array_size(a)) {
		puts("no finding in either: nothing was compared");
		bad = 1;
	}
	json_decref(a);
	json_decref(b);
	return bad;
}

int main(int argc, char **argv)
{
	json_t *res, *expect = NULL;
	int rc;

	if (argc < 3 || ((!strcmp(argv[1], "expect") || !strcmp(argv[1], "same")) && argc < 4)) {
		fputs("usage: verdict full|below RESULTS | verdict expect|same RESULTS FILE\n", stderr);
		return 2;
	}
	if (!(res = load(argv[2])))
		return 1;
	if (!strcmp(argv[1], "full"))
		rc = check_full(res);
	else if (!strcmp(argv[1], "below"))
		rc = check_below(res);
	else if ((expect = load(argv[3])))
		rc = !strcmp(argv[1], "same") ? check_same(res, expect) : check_expect(res, expect);
	else
		rc = 1;
	json_decref(expect);
	json_decref(res);
	return rc;
}
