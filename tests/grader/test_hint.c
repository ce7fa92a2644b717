/* Unit tests of hints.md parsing, the progress file, racecourse hint and the last gradings, on kits made here. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hint.h"
#include "status.h"

static char kit[] = "/tmp/racecourse-hint-test.XXXXXX";

static void put(const char *rel, const char *text, size_t len)
{
	char *path = xstrfmt("%s/%s", kit, rel);
	char *slash = strrchr(path, '/');

	*slash = '\0';
	cr_assert_eq(mkdir_p(path), 0);
	*slash = '/';
	cr_assert_eq(write_file(path, text, len), 0, "cannot write %s", path);
	free(path);
}

static void puts_file(const char *rel, const char *text)
{
	put(rel, text, strlen(text));
}

static char *get(const char *rel)
{
	char *path = xstrfmt("%s/%s", kit, rel);
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(read_file(path, &sb), 0, "cannot read %s", path);
	free(path);
	return sb_detach(&sb);
}

static const char manifest[] =
	"{ \"title\": \"A stage\", \"student_files\": [\"a.c\"], \"test_sources\": [\"t.c\"],\n"
	"  \"tests\": [ { \"name\": \"s/t\", \"points\": 2 } ] }\n";

static const char three_hints[] =
	"# Hints for 01-first\n"
	"\n"
	"Read one at a time.\n"
	"\n"
	"## Hint 1\n"
	"\n"
	"First, fork.\n"
	"Then wait.\n"
	"\n"
	"## Hint 2\n"
	"Look at the code:\n"
	"\n"
	"```c\n"
	"## not a heading, inside a fence\n"
	"```\n"
	"\n"
	"\n"
	"## Hint 3: the last\n"
	"Join.\n";

static const char handout[] =
	"# 01-first\n"
	"\n"
	"## The API\n"
	"text\n"
	"```\n"
	"## not a section\n"
	"```\n"
	"### A subsection\n"
	"## Zombies\n";

/* Two stages; the first has three hints and a handout, the second one hint. */
static void make_kit(void)
{
	cr_assert_not_null(mkdtemp(kit));
	puts_file("assignments/01-first/manifest.json", manifest);
	puts_file("assignments/01-first/hints.md", three_hints);
	puts_file("assignments/01-first/README.md", handout);
	puts_file("assignments/02-second/manifest.json", manifest);
	puts_file("assignments/02-second/hints.md", "# Hints\n\n## Hint 1\n\nLock it.\n");
}

static void remove_kit(void)
{
	remove_tree(kit);
}

/* Runs `racecourse hint ARGS... --kit KIT` and returns what it printed. */
static char *run_hint(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[] = { "hint", "--kit", kit, (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL };
	int argc = 3;
	char *out = xstrfmt("%s/stdout", kit);
	struct strbuf sb = STRBUF_INIT;
	int fd, saved;

	while (argv[argc])
		argc++;
	fflush(stdout);
	saved = dup(1);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(fd >= 0 && saved >= 0);
	dup2(fd, 1);
	close(fd);
	cr_assert_eq(hint_main(argc, argv), 0);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	cr_assert_eq(read_file(out, &sb), 0);
	free(out);
	return sb_detach(&sb);
}

static void assert_contains(const char *text, const char *part)
{
	cr_assert(strstr(text, part), "'%s' not in:\n%s", part, text);
}

/* Runs `racecourse hint ARGS... --kit KIT`, which must refuse: exit 2, one line naming the problem. */
static void hint_refuses(const char *a1, const char *a2, const char *a3, const char *a4,
			 const char *message)
{
	char *err = xstrfmt("%s/stderr", kit), *text;
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	cr_assert(pid >= 0);
	if (!pid) {
		int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 2);
		free(run_hint(a1, a2, a3, a4));
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 2, "status %#x", status);
	text = get("stderr");
	assert_contains(text, message);
	cr_assert_eq(strchr(text, '\n'), text + strlen(text) - 1, "not one line: %s", text);
	free(text);
	free(err);
}

/* ---- hints.md ---- */

Test(hint, parses_sections_in_order)
{
	struct hints h;

	hints_parse(&h, three_hints, strlen(three_hints));
	cr_assert_eq(h.n, 3);
	cr_assert_str_eq(h.text[0], "First, fork.\nThen wait.");
	cr_assert_str_eq(h.text[1], "Look at the code:\n\n```c\n## not a heading, inside a fence\n```");
	cr_assert_str_eq(h.text[2], "Join.");
	hints_release(&h);
}

Test(hint, a_section_that_is_not_a_hint_ends_the_hint)
{
	static const char md[] = "## Hint 1\nA\n## Notes for teachers\nB\n# Hint 2\nC\n## hint 2\r\nD\r\n";
	struct hints h;

	hints_parse(&h, md, strlen(md));
	cr_assert_eq(h.n, 2);
	cr_assert_str_eq(h.text[0], "A");
	cr_assert_str_eq(h.text[1], "D");
	hints_release(&h);
}

Test(hint, no_hints_at_all, .init = make_kit, .fini = remove_kit)
{
	struct hints h;

	hints_parse(&h, "", 0);
	cr_assert_eq(h.n, 0);
	hints_release(&h);
	puts_file("assignments/02-second/hints.md", "# Hints\n\nNone yet.\n### Hint 1 is not a level-2 heading\n");
	cr_assert_eq(hints_count(kit, "02-second"), 0);
	cr_assert_eq(hints_count(kit, "01-first"), 3);
	cr_assert_eq(hints_count(kit, "07-none"), -1, "no hints.md is not 0 hints");
}

/* ---- the progress file ---- */

Test(hint, remembers_what_was_seen, .init = make_kit, .fini = remove_kit)
{
	char *text;

	cr_assert_eq(hints_seen(kit, "01-first"), 0, "no progress file: nothing seen");
	cr_assert_eq(hints_set_seen(kit, "01-first", 1), 0);
	cr_assert_eq(hints_set_seen(kit, "02-second", 1), 0);
	cr_assert_eq(hints_set_seen(kit, "01-first", 2), 0);
	cr_assert_eq(hints_seen(kit, "01-first"), 2);
	cr_assert_eq(hints_seen(kit, "02-second"), 1);
	text = get(".racecourse/progress");
	cr_assert_str_eq(text, "01-first hints=2\n02-second hints=1\n");
	free(text);
}

Test(hint, a_corrupted_progress_file_is_read_around, .init = make_kit, .fini = remove_kit)
{
	static const char junk[] =
		"01-first hints=abc\n"
		"\001\002\377 binary\n"
		"garbage without a stage\n"
		"02-second hints=-3\n"
		"01-first\n"
		"01-firsthints=2\n"
		"02-second hints=99999999999999\n"
		"09-other hints=4\n"
		"01-first hints=";
	char *text;

	put(".racecourse/progress", junk, sizeof(junk) - 1);
	cr_assert_eq(hints_seen(kit, "01-first"), 0);
	cr_assert_eq(hints_seen(kit, "02-second"), 0);
	cr_assert_eq(hints_seen(kit, "09-other"), 4, "a stage without hints.md keeps its count");

	/* Rewriting keeps the other stages' and unknown text lines, drops the binary one. */
	cr_assert_eq(hints_set_seen(kit, "01-first", 1), 0);
	text = get(".racecourse/progress");
	cr_assert_str_eq(text, "01-first hints=1\ngarbage without a stage\n02-second hints=-3\n"
			 "01-first\n01-firsthints=2\n02-second hints=99999999999999\n09-other hints=4\n");
	free(text);
	cr_assert_eq(hints_seen(kit, "01-first"), 1);

	/* More seen than there are hints (hints.md got shorter): as many as there are. */
	puts_file(".racecourse/progress", "01-first hints=7\n");
	cr_assert_eq(hints_seen(kit, "01-first"), 3);
}

/* ---- racecourse hint ---- */

Test(hint, shows_the_next_unseen_hint_then_repeats_one, .init = make_kit, .fini = remove_kit)
{
	char *out;

	out = run_hint("--stage", "01-first", NULL, NULL);
	assert_contains(out, "01-first, hint 1 of 3\n\nFirst, fork.\nThen wait.\n");
	assert_contains(out, "make hint A=01-first shows hint 2");
	free(out);
	out = run_hint("--stage", "01", NULL, NULL);
	assert_contains(out, "01-first, hint 2 of 3\n");
	free(out);
	cr_assert_eq(hints_seen(kit, "01-first"), 2);

	out = run_hint("--stage", "01-first", "-n", "1");
	assert_contains(out, "01-first, hint 1 of 3\n");
	free(out);
	cr_assert_eq(hints_seen(kit, "01-first"), 2, "seeing hint 1 again forgets nothing");

	out = run_hint("--stage", "01-first", NULL, NULL);
	assert_contains(out, "01-first, hint 3 of 3\n\nJoin.\n");
	assert_contains(out, "last hint of 01-first");
	free(out);
	cr_assert_eq(hints_seen(kit, "01-first"), 3);
}

Test(hint, after_the_last_points_to_the_handout, .init = make_kit, .fini = remove_kit)
{
	char *out;

	cr_assert_eq(hints_set_seen(kit, "01-first", 3), 0);
	out = run_hint("-s", "01-first", NULL, NULL);
	assert_contains(out, "You have seen all 3 hints of 01-first");
	assert_contains(out, "assignments/01-first/README.md");
	assert_contains(out, "line    3  The API\n");
	assert_contains(out, "line    9  Zombies\n");
	cr_assert_null(strstr(out, "not a section"), "a heading in a code block:\n%s", out);
	cr_assert_null(strstr(out, "subsection"), "only the level-2 sections:\n%s", out);
	cr_assert_null(strstr(out, "hint 3 of 3"), "no hint shown:\n%s", out);
	free(out);
	cr_assert_eq(hints_seen(kit, "01-first"), 3);
}

Test(hint, a_stage_without_hints_points_to_the_handout, .init = make_kit, .fini = remove_kit)
{
	char *out;

	puts_file("assignments/01-first/hints.md", "# Hints for 01-first\n\nNone.\n");
	out = run_hint("-s", "01-first", NULL, NULL);
	assert_contains(out, "01-first has no hints.\n");
	assert_contains(out, "line    9  Zombies\n");
	free(out);
}

Test(hint, refuses_what_it_cannot_show, .init = make_kit, .fini = remove_kit)
{
	hint_refuses("-s", "01-first", "-n", "4", "01-first has 3 hints: -n takes 1 to 3, not 4");
	hint_refuses("-s", "01-first", "-n", "0", "-n takes a hint's number");
	hint_refuses("-s", "07", NULL, NULL, "unknown stage '07' (the stages are: 01-first, 02-second)");
	puts_file("assignments/01-first/hints.md", "nothing\n");
	hint_refuses("-s", "01-first", "-n", "1", "01-first has no hints");
	cr_assert_eq(hints_seen(kit, "01-first"), 0);
}

/* ---- which stage: the first not at full marks in the last grading ---- */

static void save_result(const char *stage, int score, int max)
{
	char *rel = xstrfmt(".racecourse/last-%s.json", stage);
	char *json = xstrfmt("{ \"score\": %d, \"max_score\": %d, \"extra_data\": { \"stages\": [\n"
			     "  { \"stage\": \"%s\", \"state\": \"graded\", \"score\": %d, \"max_score\": %d } ] } }\n",
			     score, max, stage, score, max);

	puts_file(rel, json);
	free(rel);
	free(json);
}

Test(hint, starts_with_the_first_stage_when_nothing_was_graded, .init = make_kit, .fini = remove_kit)
{
	char *out = run_hint(NULL, NULL, NULL, NULL);

	assert_contains(out, "01-first, hint 1 of 3\n");
	free(out);
}

Test(hint, helps_with_the_first_stage_not_at_full_marks, .init = make_kit, .fini = remove_kit)
{
	char *out;

	save_result("01-first", 2, 2);
	out = run_hint(NULL, NULL, NULL, NULL);
	assert_contains(out, "02-second, hint 1 of 1\n\nLock it.\n");
	free(out);

	save_result("01-first", 1, 2);
	out = run_hint(NULL, NULL, NULL, NULL);
	assert_contains(out, "01-first, hint 1 of 3\n");
	free(out);

	save_result("01-first", 2, 2);
	save_result("02-second", 2, 2);
	out = run_hint(NULL, NULL, NULL, NULL);
	assert_contains(out, "Every stage is at full marks");
	free(out);
}

/* ---- the last gradings ---- */

Test(status, reads_each_stages_last_grading, .init = make_kit, .fini = remove_kit)
{
	struct status s;

	save_result("02-second", 1, 2);
	status_load(&s, kit);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.v[0].name, "01-first");
	cr_assert_str_eq(s.v[0].title, "A stage");
	cr_assert_not(s.v[0].graded);
	cr_assert_null(s.v[0].problem);
	cr_assert(s.v[1].graded);
	cr_assert_eq(s.v[1].score, 1);
	cr_assert_eq(s.v[1].max_score, 2);
	cr_assert_str_eq(s.v[1].state, "graded");
	cr_assert_eq(status_next(&s), 0);
	status_release(&s);

	save_result("01-first", 2, 2);
	status_load(&s, kit);
	cr_assert_eq(status_next(&s), 1, "the stage graded later is still below full marks");
	status_release(&s);
}

Test(status, a_broken_result_counts_as_not_graded, .init = make_kit, .fini = remove_kit)
{
	static const char *broken[] = {
		"{ \"score\": ",
		"[1, 2]",
		"{ \"extra_data\": { \"stages\": [ { \"stage\": \"02-second\", \"score\": 2, \"max_score\": 2 } ] } }",
		"{ \"extra_data\": { \"stages\": [ { \"stage\": \"01-first\", \"score\": 3, \"max_score\": 2 } ] } }",
		"{ \"extra_data\": { \"stages\": [ { \"stage\": \"01-first\", \"score\": \"2\", \"max_score\": 2 } ] } }",
	};

	for (size_t i = 0; i < sizeof(broken) / sizeof(*broken); i++) {
		struct status s;

		puts_file(".racecourse/last-01-first.json", broken[i]);
		status_load(&s, kit);
		cr_assert_not(s.v[0].graded, "case %zu read as graded", i);
		cr_assert_not_null(s.v[0].problem, "case %zu: no problem said", i);
		cr_assert_null(strchr(s.v[0].problem, '\n'), "not one line: %s", s.v[0].problem);
		cr_assert_eq(status_next(&s), 0);
		status_release(&s);
	}
}
