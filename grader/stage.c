/* Stage discovery and manifests: what the grader knows about a stage. */
#define _GNU_SOURCE
#include "stage.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int fail(struct strbuf *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct strbuf *err, const char *path, const char *fmt, ...)
{
	va_list ap;

	sb_addf(err, "%s: ", path);
	va_start(ap, fmt);
	sb_vaddf(err, fmt, ap);
	va_end(ap);
	return -1;
}

/* A bare file name: no directory part, nothing a path could escape with. */
static bool plain_name(const char *s)
{
	return *s && *s != '.' && !strchr(s, '/');
}

/*
 * Reads an optional array of strings.  With `dir`, each entry is a plain
 * file name made absolute under dir.
 */
static int read_strings(json_t *root, const char *key, const char *dir, char ***out,
			size_t *n, struct strbuf *err, const char *path)
{
	json_t *arr = json_object_get(root, key), *v;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return fail(err, path, "\"%s\" must be an array of strings", key);
	*out = xcalloc(json_array_size(arr) + 1, sizeof(char *));
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);

		if (!s)
			return fail(err, path, "\"%s\" must be an array of strings", key);
		if (dir && !plain_name(s))
			return fail(err, path, "\"%s\": '%s' is not a plain file name", key, s);
		(*out)[(*n)++] = dir ? xstrfmt("%s/%s", dir, s) : xstrdup(s);
	}
	return 0;
}

/*
 * The instructor's hidden tests, in tests/<name>/hidden/: the student's kit
 * leaves that folder out, and then the stage is graded without them.
 */
static int read_hidden_sources(struct stage *st, json_t *root, struct strbuf *err, const char *path)
{
	char *dir = xstrfmt("%s/hidden", st->tests_dir);
	int rc = read_strings(root, "hidden_sources", dir, &st->hidden_sources,
			      &st->nhidden_sources, err, path);

	for (size_t i = 0; !rc && i < st->nhidden_sources; i++) {
		if (!is_file(st->hidden_sources[i])) {
			if (is_dir(dir)) {
				rc = fail(err, path, "hidden source %s does not exist", st->hidden_sources[i]);
				break;
			}
			/* no hidden/ at all: a student's kit */
			for (size_t k = 0; k < st->nhidden_sources; k++)
				free(st->hidden_sources[k]);
			st->nhidden_sources = 0;
		}
	}
	free(dir);
	return rc;
}

/* "symptom_hints": { "deadlock": 2, "race": 1, ... } */
static int read_symptom_hints(struct stage *st, json_t *root, struct strbuf *err, const char *path)
{
	static const char *const known[] = {
		"race", "lock-order", "misuse", "memory",
		"deadlock", "self-deadlock", "lost-wakeup", "spin", "crash",
	};
	json_t *map = json_object_get(root, "symptom_hints"), *v;
	const char *key;

	if (!map)
		return 0;
	if (!json_is_object(map))
		return fail(err, path, "\"symptom_hints\" must be an object of symptom: hint number");
	st->symptom_hints = xcalloc(json_object_size(map) + 1, sizeof(*st->symptom_hints));
	json_object_foreach(map, key, v) {
		size_t k;

		for (k = 0; k < sizeof(known) / sizeof(*known); k++)
			if (!strcmp(key, known[k]))
				break;
		if (k == sizeof(known) / sizeof(*known))
			return fail(err, path, "\"symptom_hints\": unknown symptom '%s'", key);
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return fail(err, path, "\"symptom_hints\": '%s' needs a hint number >= 1", key);
		st->symptom_hints[st->nsymptom_hints].symptom = xstrdup(key);
		st->symptom_hints[st->nsymptom_hints++].hint = (int)json_integer_value(v);
	}
	return 0;
}

static int read_tests(struct stage *st, json_t *root, struct strbuf *err, const char *path)
{
	json_t *arr = json_object_get(root, "tests"), *v;
	size_t i;

	if (!json_is_array(arr) || !json_array_size(arr))
		return fail(err, path, "\"tests\" must be a non-empty array");
	if (st->nhidden_sources) {
		bool any = false;
		size_t k;

		json_array_foreach(arr, k, v)
			any |= json_is_true(json_object_get(v, "hidden"));
		if (!any)
			return fail(err, path, "\"hidden_sources\" are given but no test is \"hidden\"");
	}
	st->tests = xcalloc(json_array_size(arr), sizeof(*st->tests));
	json_array_foreach(arr, i, v) {
		struct stage_test *t = &st->tests[st->ntests];
		const char *name = json_string_value(json_object_get(v, "name"));
		json_t *points = json_object_get(v, "points");
		json_t *hint = json_object_get(v, "hint");
		bool hidden = json_is_true(json_object_get(v, "hidden"));

		if (!name || !strchr(name, '/'))
			return fail(err, path, "tests[%zu] needs a \"name\" of the form \"suite/test\"", i);
		if (stage_find_test(st, name))
			return fail(err, path, "test '%s' is listed twice", name);
		if (!json_is_integer(points) || json_integer_value(points) < 0)
			return fail(err, path, "test '%s' needs \"points\", a whole number >= 0", name);
		if (hint && !json_is_integer(hint))
			return fail(err, path, "test '%s': \"hint\" must be a number", name);
		/* The hidden tests' binary runs the suite "hidden" alone (grade.c). */
		if (hidden != !strncmp(name, HIDDEN_SUITE "/", strlen(HIDDEN_SUITE) + 1))
			return fail(err, path, "test '%s': the suite \"" HIDDEN_SUITE "\" is for the "
				    "tests that are \"hidden\", and a hidden test must be in it", name);
		/* A student's kit has no hidden tests: then they are not part of the stage. */
		if (hidden && !st->nhidden_sources)
			continue;
		t->name = xstrdup(name);
		t->points = (int)json_integer_value(points);
		t->hint = hint ? (int)json_integer_value(hint) : 0;
		t->hidden = hidden;
		st->ntests++;
		st->max_score += t->points;
	}
	return 0;
}

int stage_load(struct stage *st, const char *kit, const char *name, struct strbuf *err)
{
	char *path, *lib;
	json_t *root, *v;
	json_error_t jerr;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	st->name = xstrdup(name);
	st->assignment_dir = xstrfmt("%s/assignments/%s", kit, name);
	st->include_dir = xstrfmt("%s/include", st->assignment_dir);
	st->tests_dir = xstrfmt("%s/tests/%s", kit, name);
	path = xstrfmt("%s/manifest.json", st->assignment_dir);
	if (!plain_name(name) || !is_file(path)) {
		sb_addf(err, "unknown stage '%s'", name);
		free(path);
		return -1;
	}
	lib = xstrfmt("%s/tests/lib", kit);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		fail(err, path, "line %d: %s", jerr.line, jerr.text);
		free(path);
		free(lib);
		return -1;
	}
	if (!json_is_object(root)) {
		fail(err, path, "the manifest must be a JSON object");
		goto out;
	}
	v = json_object_get(root, "title");
	st->title = xstrdup(json_is_string(v) ? json_string_value(v) : name);
	if (read_strings(root, "student_files", NULL, &st->student_files, &st->nstudent_files, err, path) ||
	    read_strings(root, "api", NULL, &st->api, &st->napi, err, path) ||
	    read_strings(root, "test_sources", st->tests_dir, &st->test_sources, &st->ntest_sources, err, path) ||
	    read_strings(root, "scenario_sources", st->tests_dir, &st->scenario_sources, &st->nscenario_sources, err, path) ||
	    read_strings(root, "lib_sources", lib, &st->lib_sources, &st->nlib_sources, err, path) ||
	    read_strings(root, "ldflags", NULL, &st->ldflags, &st->nldflags, err, path) ||
	    read_strings(root, "imports", NULL, &st->imports, &st->nimports, err, path))
		goto out;
	if (!st->nstudent_files) {
		fail(err, path, "\"student_files\" must name at least one file");
		goto out;
	}
	for (size_t i = 0; i < st->nstudent_files; i++)
		if (!plain_name(st->student_files[i])) {
			fail(err, path, "student file '%s' is not a plain file name", st->student_files[i]);
			goto out;
		}
	if (!st->ntest_sources) {
		fail(err, path, "\"test_sources\" must name at least one file");
		goto out;
	}
	st->perturb = json_is_true(json_object_get(root, "perturb"));
	v = json_object_get(root, "test_timeout");
	st->test_timeout = v ? json_number_value(v) : 5;
	if (st->test_timeout <= 0) {
		fail(err, path, "\"test_timeout\" must be a positive number of seconds");
		goto out;
	}
	if (read_hidden_sources(st, root, err, path) || read_tests(st, root, err, path) ||
	    read_symptom_hints(st, root, err, path))
		goto out;
	v = json_object_get(root, "race_free");
	if (v) {
		json_t *points = json_object_get(v, "points");

		if (!json_is_integer(points) || json_integer_value(points) <= 0) {
			fail(err, path, "\"race_free\" needs \"points\", a whole number > 0");
			goto out;
		}
		if (!st->nscenario_sources) {
			fail(err, path, "\"race_free\" needs \"scenario_sources\" for the detectors to run");
			goto out;
		}
		st->race_free_points = (int)json_integer_value(points);
		st->race_free_hint = (int)json_integer_value(json_object_get(v, "hint"));
		st->max_score += st->race_free_points;
	}
	rc = 0;
out:
	json_decref(root);
	free(path);
	free(lib);
	return rc;
}

static void free_strings(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

int stage_symptom_hint(const struct stage *st, const char *symptom)
{
	for (size_t i = 0; symptom && i < st->nsymptom_hints; i++)
		if (!strcmp(st->symptom_hints[i].symptom, symptom))
			return st->symptom_hints[i].hint;
	return 0;
}

void stage_release(struct stage *st)
{
	free(st->name);
	free(st->title);
	free(st->assignment_dir);
	free(st->include_dir);
	free(st->tests_dir);
	free_strings(st->student_files, st->nstudent_files);
	free_strings(st->api, st->napi);
	free_strings(st->imports, st->nimports);
	free_strings(st->test_sources, st->ntest_sources);
	free_strings(st->lib_sources, st->nlib_sources);
	free_strings(st->scenario_sources, st->nscenario_sources);
	free_strings(st->hidden_sources, st->nhidden_sources);
	free_strings(st->ldflags, st->nldflags);
	for (size_t i = 0; i < st->ntests; i++)
		free(st->tests[i].name);
	free(st->tests);
	for (size_t i = 0; i < st->nsymptom_hints; i++)
		free(st->symptom_hints[i].symptom);
	free(st->symptom_hints);
	memset(st, 0, sizeof(*st));
}

const struct stage_test *stage_find_test(const struct stage *st, const char *name)
{
	for (size_t i = 0; i < st->ntests; i++)
		if (!strcmp(st->tests[i].name, name))
			return &st->tests[i];
	return NULL;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t stage_list(const char *kit, char ***names)
{
	char *dir = xstrfmt("%s/assignments", kit);
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0, alloc = 0;

	*names = NULL;
	if (!d) {
		free(dir);
		return 0;
	}
	while ((e = readdir(d))) {
		char *manifest;

		if (e->d_name[0] == '.')
			continue;
		manifest = xstrfmt("%s/%s/manifest.json", dir, e->d_name);
		if (is_file(manifest)) {
			ALLOC_GROW(*names, n + 1, alloc);
			(*names)[n++] = xstrdup(e->d_name);
		}
		free(manifest);
	}
	closedir(d);
	free(dir);
	if (n)
		qsort(*names, n, sizeof(**names), compare_names);
	return n;
}

char *stage_resolve(const char *kit, const char *want, struct strbuf *err)
{
	char **names, *found = NULL;
	size_t n = stage_list(kit, &names);

	for (size_t i = 0; i < n && !found; i++)
		if (!strcmp(names[i], want) ||
		    (strlen(want) == 2 && !strncmp(names[i], want, 2) && names[i][2] == '-'))
			found = xstrdup(names[i]);
	if (!found && !n) {
		sb_addf(err, "no stages in %s/assignments: is --kit right?", kit);
	} else if (!found) {
		sb_addf(err, "unknown stage '%s' (the stages are: ", want);
		for (size_t i = 0; i < n; i++)
			sb_addf(err, "%s%s", i ? ", " : "", names[i]);
		sb_adds(err, ")");
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return found;
}

size_t stage_select(const char *kit, const char *list, char ***names, struct strbuf *err)
{
	char **all, *copy, *save = NULL;
	size_t n = stage_list(kit, &all), nsel = 0;
	bool *wanted, bad = false;

	*names = NULL;
	if (!n) {
		sb_addf(err, "no stages in %s/assignments: is the kit's folder right?", kit);
		free(all);
		return 0;
	}
	if (!list) {
		*names = all;
		return n;
	}
	wanted = xcalloc(n, sizeof(*wanted));
	copy = xstrdup(list);
	for (char *s = strtok_r(copy, ",", &save); s && !bad; s = strtok_r(NULL, ",", &save)) {
		char *full = stage_resolve(kit, s, err);

		bad = !full;
		for (size_t i = 0; full && i < n; i++)
			wanted[i] |= !strcmp(all[i], full);
		free(full);
	}
	*names = xcalloc(n, sizeof(**names));
	for (size_t i = 0; i < n; i++) {
		if (wanted[i] && !bad)
			(*names)[nsel++] = all[i];
		else
			free(all[i]);
	}
	if (!nsel && !bad)
		sb_addf(err, "--stage '%s' names no stage", list);
	if (!nsel) {
		free(*names);
		*names = NULL;
	}
	free(all);
	free(wanted);
	free(copy);
	return nsel;
}

char *stage_default_kit(void)
{
	char *exe = real_path("/proc/self/exe"), *slash;

	if (!exe)
		return NULL;
	for (int i = 0; i < 2; i++) {
		slash = strrchr(exe, '/');
		if (slash && slash != exe)
			*slash = '\0';
	}
	return exe;
}
