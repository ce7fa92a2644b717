/* Unit tests of manifest reading and stage discovery, on kits made here. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stage.h"

static char kit[] = "/tmp/racecourse-stage-test.XXXXXX";

static void make_kit(void)
{
	cr_assert_not_null(mkdtemp(kit));
}

static void remove_kit(void)
{
	remove_tree(kit);
}

static void write_manifest(const char *stage, const char *json)
{
	char *dir = xstrfmt("%s/assignments/%s", kit, stage);
	char *path = xstrfmt("%s/manifest.json", dir);

	cr_assert_eq(mkdir_p(dir), 0);
	cr_assert_eq(write_file(path, json, strlen(json)), 0);
	free(dir);
	free(path);
}

static const char good[] =
	"{ \"title\": \"Fix the race\", \"student_files\": [\"account.c\"],\n"
	"  \"test_sources\": [\"test_account.c\"], \"scenario_sources\": [\"scenarios.c\"],\n"
	"  \"lib_sources\": [\"faults_proc.c\"],\n"
	"  \"ldflags\": [\"-Wl,--wrap=fork\"], \"perturb\": true, \"test_timeout\": 3,\n"
	"  \"tests\": [ { \"name\": \"deposit/exact\", \"points\": 2, \"hint\": 1 },\n"
	"             { \"name\": \"withdraw/never_negative\", \"points\": 3 } ],\n"
	"  \"symptom_hints\": { \"deadlock\": 2, \"memory\": 4 },\n"
	"  \"race_free\": { \"points\": 4, \"hint\": 3 } }\n";

Test(stage, reads_a_manifest, .init = make_kit, .fini = remove_kit)
{
	struct stage st;
	struct strbuf err = STRBUF_INIT;

	write_manifest("03-race", good);
	cr_assert_eq(stage_load(&st, kit, "03-race", &err), 0, "%s", sb_str(&err));
	cr_assert_str_eq(st.title, "Fix the race");
	cr_assert_eq(st.nstudent_files, 1);
	cr_assert_str_eq(st.student_files[0], "account.c");
	cr_assert(strstr(st.test_sources[0], "/tests/03-race/test_account.c"), "%s", st.test_sources[0]);
	cr_assert_eq(st.nscenario_sources, 1);
	cr_assert_eq(st.nlib_sources, 1);
	cr_assert(strstr(st.lib_sources[0], "/tests/lib/faults_proc.c"), "%s", st.lib_sources[0]);
	cr_assert_str_eq(st.ldflags[0], "-Wl,--wrap=fork");
	cr_assert(st.perturb);
	cr_assert_float_eq(st.test_timeout, 3.0, 1e-9);
	cr_assert_eq(st.ntests, 2);
	cr_assert_eq(st.tests[1].points, 3);
	cr_assert_eq(st.tests[0].hint, 1);
	cr_assert_eq(st.race_free_points, 4);
	cr_assert_eq(st.max_score, 9);
	cr_assert_eq(stage_symptom_hint(&st, "deadlock"), 2);
	cr_assert_eq(stage_symptom_hint(&st, "memory"), 4);
	cr_assert_eq(stage_symptom_hint(&st, "spin"), 0, "no hint for what the manifest leaves out");
	cr_assert_eq(stage_symptom_hint(&st, NULL), 0);
	cr_assert_not_null(stage_find_test(&st, "withdraw/never_negative"));
	cr_assert_null(stage_find_test(&st, "withdraw/nope"));
	stage_release(&st);
}

Test(stage, lists_stages_in_order, .init = make_kit, .fini = remove_kit)
{
	char **names;
	size_t n;
	char *stray = xstrfmt("%s/assignments/notes", kit);

	write_manifest("03-race", good);
	write_manifest("01-spawn", good);
	cr_assert_eq(mkdir_p(stray), 0);	/* no manifest: not a stage */
	n = stage_list(kit, &names);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(names[0], "01-spawn");
	cr_assert_str_eq(names[1], "03-race");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(stray);
}

/* Each broken manifest is refused with a reason that names the problem. */
Test(stage, refuses_broken_manifests, .init = make_kit, .fini = remove_kit)
{
	static const struct {
		const char *json, *reason;
	} cases[] = {
		{ "{ \"title\": ", "line" },
		{ "[1, 2]", "JSON object" },
		{ "{ \"student_files\": [], \"test_sources\": [\"t.c\"], \"tests\": [{\"name\": \"a/b\", \"points\": 1}] }",
		  "student_files" },
		{ "{ \"student_files\": [\"../../solutions/x.c\"], \"test_sources\": [\"t.c\"], \"tests\": [{\"name\": \"a/b\", \"points\": 1}] }",
		  "plain file name" },
		{ "{ \"student_files\": [\"a.c\"], \"test_sources\": [\"../t.c\"], \"tests\": [{\"name\": \"a/b\", \"points\": 1}] }",
		  "plain file name" },
		{ "{ \"student_files\": [\"a.c\"], \"test_sources\": [\"t.c\"], \"lib_sources\": [\"../../grader/x.c\"], \"tests\": [{\"name\": \"a/b\", \"points\": 1}] }",
		  "plain file name" },
		{ "{ \"student_files\": [\"a.c\"], \"test_sources\": [\"t.c\"], \"tests\": [] }", "tests" },
		{ "{ \"student_files\": [\"a.c\"], \"test_sources\": [\"t.c\"], \"tests\": [{\"name\": \"nosuite\", \"points\": 1}] }",
		  "suite/test" },
		{ "{ \"student_files\": [\"a.c\"], \"test_sources\": [\"t.c\"], \"tests\": [{\"name\": \"a/b\", \"points\": -1}] }",
		  "points" },
		{ "{ \"student_files\": [\"a.c\"], \"test_sources\": [\"t.c\"], \"tests\": [{\"name\": \"a/b\", \"points\": 1}, {\"name\": \"a/b\", \"points\": 1}] }",
		  "twice" },
		{ "{ \"student_files\": [\"a.c\"], \"test_sources\": [\"t.c\"], \"tests\": [{\"name\": \"a/b\", \"points\": 1}], \"race_free\": {\"points\": 2} }",
		  "scenario_sources" },
		{ "{ \"student_files\": [\"a.c\"], \"test_sources\": [\"t.c\"], \"test_timeout\": 0, \"tests\": [{\"name\": \"a/b\", \"points\": 1}] }",
		  "test_timeout" },
		{ "{ \"student_files\": [\"a.c\"], \"test_sources\": [\"t.c\"], \"tests\": [{\"name\": \"a/b\", \"points\": 1}], \"symptom_hints\": {\"sadness\": 1} }",
		  "unknown symptom 'sadness'" },
		{ "{ \"student_files\": [\"a.c\"], \"test_sources\": [\"t.c\"], \"tests\": [{\"name\": \"a/b\", \"points\": 1}], \"symptom_hints\": {\"race\": 0} }",
		  "hint number" },
		{ "{ \"student_files\": [\"a.c\"], \"test_sources\": [\"t.c\"], \"tests\": [{\"name\": \"a/b\", \"points\": 1}], \"symptom_hints\": [1] }",
		  "symptom_hints" },
		/* The hidden tests' binary runs the suite "hidden" alone. */
		{ "{ \"student_files\": [\"a.c\"], \"test_sources\": [\"t.c\"], \"tests\": [{\"name\": \"hidden/b\", \"points\": 1}] }",
		  "the suite \"hidden\"" },
		{ "{ \"student_files\": [\"a.c\"], \"test_sources\": [\"t.c\"], \"tests\": [{\"name\": \"a/b\", \"points\": 1, \"hidden\": true}] }",
		  "a hidden test must be in it" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct stage st;
		struct strbuf err = STRBUF_INIT;

		write_manifest("09-bad", cases[i].json);
		cr_assert_eq(stage_load(&st, kit, "09-bad", &err), -1, "accepted: %s", cases[i].json);
		cr_assert(strstr(sb_str(&err), cases[i].reason), "case %zu: reason '%s' lacks '%s'", i,
			  sb_str(&err), cases[i].reason);
		cr_assert_null(strchr(sb_str(&err), '\n'), "not one line: %s", sb_str(&err));
		stage_release(&st);
		sb_release(&err);
	}
}

Test(stage, unknown_stage, .init = make_kit, .fini = remove_kit)
{
	struct stage st;
	struct strbuf err = STRBUF_INIT;

	cr_assert_eq(stage_load(&st, kit, "07-nope", &err), -1);
	cr_assert_str_eq(sb_str(&err), "unknown stage '07-nope'");
	stage_release(&st);
	sb_release(&err);
	cr_assert_eq(stage_load(&st, kit, "../03-race", &err), -1, "a path is not a stage name");
	stage_release(&st);
	sb_release(&err);
}

/* --stage's list: names or numbers, in the kit's order, each once; a bad name says which. */
Test(stage, selects_stages_from_a_list, .init = make_kit, .fini = remove_kit)
{
	struct strbuf err = STRBUF_INIT;
	char **names;
	size_t n;

	write_manifest("03-race", good);
	write_manifest("01-spawn", good);
	write_manifest("05-ratelimit", good);
	n = stage_select(kit, "05,01-spawn,05-ratelimit", &names, &err);
	cr_assert_eq(n, 2, "%s", sb_str(&err));
	cr_assert_str_eq(names[0], "01-spawn");
	cr_assert_str_eq(names[1], "05-ratelimit");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	n = stage_select(kit, NULL, &names, &err);
	cr_assert_eq(n, 3);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	cr_assert_eq(stage_select(kit, "03,99-nope", &names, &err), 0);
	cr_assert_null(names);
	cr_assert(strstr(sb_str(&err), "unknown stage '99-nope'"), "%s", sb_str(&err));
	sb_release(&err);
	cr_assert_eq(stage_select(kit, ",", &names, &err), 0);
	cr_assert(strstr(sb_str(&err), "names no stage"), "%s", sb_str(&err));
	sb_release(&err);
}
