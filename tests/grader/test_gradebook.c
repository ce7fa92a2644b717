/* Unit tests of the gradebook: CSV, flags from real results, student folders, the HTML page. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gradebook.h"
#include "gradebook_html.h"

/*
 * Recorded from real runs of the grader on 03-race and 02-counter:
 * results-race.json, a student with a data race in account.c and no
 * counter.c; results-stuck.json, a withdraw that keeps the lock (two tests
 * time out, the detectors see a misuse).
 */
#define RACE "fixtures/results-race.json"
#define STUCK "fixtures/results-stuck.json"

static char out[] = "/tmp/racecourse-gradebook-test.XXXXXX";

static void make_out(void)
{
	cr_assert_not_null(mkdtemp(out));
}

static void remove_out(void)
{
	remove_tree(out);
}

static json_t *load(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);

	cr_assert_not_null(j, "%s: %s", path, err.text);
	return j;
}

/* Makes OUT/students/<id>/ with a copy of `results` and batch.json from meta (each optional). */
static void add_student(const char *id, const char *results, const struct student_meta *meta)
{
	char *dir = xstrfmt("%s/students/%s", out, id);
	char *path = xstrfmt("%s/results.json", dir);

	cr_assert_eq(mkdir_p(dir), 0);
	if (results)
		cr_assert_eq(copy_file(results, path), 0);
	if (meta)
		cr_assert_eq(student_meta_write(meta, dir), 0);
	free(path);
	free(dir);
}

static char *slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(read_file(path, &sb), 0, "cannot read %s", path);
	return sb_detach(&sb);
}

/* ---- CSV ---- */

Test(csv, quotes_only_what_needs_it)
{
	static const char *in[] = { "alice", "", "o'neil, pat", "say \"hi\"", "two\nlines", " padded" };
	static const char *want[] = { "alice", "", "\"o'neil, pat\"", "\"say \"\"hi\"\"\"",
				      "\"two\nlines\"", "\" padded\"" };

	for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++) {
		struct strbuf sb = STRBUF_INIT;

		csv_add_field(&sb, in[i]);
		cr_assert_str_eq(sb_str(&sb), want[i]);
		sb_release(&sb);
	}
}

Test(csv, reads_quoted_fields_and_line_ends)
{
	const char *text = "a,\"b,c\",\"d\"\"e\",\r\n\"two\nlines\",x\n";
	size_t pos = 0, n;
	char **f;

	cr_assert_eq(csv_read_record(text, &pos, &f, &n), 1);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(f[0], "a");
	cr_assert_str_eq(f[1], "b,c");
	cr_assert_str_eq(f[2], "d\"e");
	cr_assert_str_eq(f[3], "");
	csv_free_fields(f, n);
	cr_assert_eq(csv_read_record(text, &pos, &f, &n), 1);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(f[0], "two\nlines");
	cr_assert_str_eq(f[1], "x");
	csv_free_fields(f, n);
	cr_assert_eq(csv_read_record(text, &pos, &f, &n), 0);
}

Test(csv, refuses_an_unclosed_quote)
{
	size_t pos = 0, n;
	char **f;

	cr_assert_eq(csv_read_record("a,\"never closed\n", &pos, &f, &n), -1);
	cr_assert_null(f);
}

/* ---- flags ---- */

Test(flags, from_a_race_and_a_missing_stage)
{
	json_t *j = load(RACE);

	cr_assert_eq(gradebook_flags_of(j), GB_RACE | GB_MISSING);
	json_decref(j);
}

Test(flags, a_test_that_timed_out_is_a_deadlock)
{
	json_t *j = load(STUCK);

	/* Its findings are misuses, not races: only the timed-out tests flag it. */
	cr_assert_eq(gradebook_flags_of(j), GB_DEADLOCK);
	json_decref(j);
}

Test(flags, lock_order_and_compile_error)
{
	json_t *j = json_loads("{\"extra_data\": {\"stages\": ["
			       "{\"stage\": \"04-deadlock\", \"state\": \"graded\", \"tests\": [],"
			       " \"findings\": [{\"kind\": \"lock-order\"}]},"
			       "{\"stage\": \"05-ratelimit\", \"state\": \"compile-error\"}]}}", 0, NULL);

	cr_assert_eq(gradebook_flags_of(j), GB_DEADLOCK | GB_COMPILE_ERROR);
	json_decref(j);
}

Test(flags, names)
{
	char *s = gradebook_flags_str(GB_TIMEOUT | GB_RACE | GB_BROKEN_ARCHIVE);

	cr_assert_str_eq(s, "race timeout broken-archive");
	free(s);
	s = gradebook_flags_str(0);
	cr_assert_str_eq(s, "");
	free(s);
	cr_assert_eq(gradebook_flag_find("compile-error"), GB_COMPILE_ERROR);
	cr_assert_eq(gradebook_flag_find("nonsense"), 0);
}

/* ---- student folders and the gradebook ---- */

Test(meta, round_trip, .init = make_out, .fini = remove_out)
{
	struct student_meta m = { .stamp = "abc123", .flags = GB_TIMEOUT | GB_ERROR,
				  .problem = "it said \xff\xfe", .seconds = 12.5 };
	struct student_meta back;

	cr_assert_eq(student_meta_write(&m, out), 0);
	cr_assert_eq(student_meta_read(&back, out), 0);
	cr_assert_str_eq(back.stamp, "abc123");
	cr_assert_eq(back.flags, GB_TIMEOUT | GB_ERROR);
	/* Bytes that are not UTF-8 cannot go into JSON as they are. */
	cr_assert_str_eq(back.problem, "it said ??");
	cr_assert_float_eq(back.seconds, 12.5, 1e-9);
	student_meta_release(&back);
}

Test(gradebook, rows_from_student_folders, .init = make_out, .fini = remove_out)
{
	char *stages[] = { "02-counter", "03-race" };
	struct student_meta broken = { .flags = GB_BROKEN_ARCHIVE, .problem = "broken archive: x" };
	struct gradebook gb;
	struct strbuf err = STRBUF_INIT;
	char *csv = xstrfmt("%s/gradebook.csv", out), *text;

	add_student("zed", NULL, &broken);	/* first: its max is learned later */
	add_student("o'neil, \"pat\"", RACE, NULL);
	add_student("stuck", STUCK, NULL);
	gradebook_init(&gb, NULL, stages, 2);
	for (size_t i = 0; i < 3; i++) {
		static const char *ids[] = { "zed", "o'neil, \"pat\"", "stuck" };

		cr_assert_eq(gradebook_add(&gb, out, ids[i], &err), 0, "%s", sb_str(&err));
	}
	cr_assert_eq(gb.stage_max[0], 20);
	cr_assert_eq(gb.stage_max[1], 20);
	cr_assert_eq(gradebook_write_csv(&gb, csv), 0);
	text = slurp(csv);
	cr_assert_str_eq(text,
		"id,02-counter,03-race,total,max,flags\n"
		"zed,0,0,0,40,broken-archive\n"
		"\"o'neil, \"\"pat\"\"\",0,11,11,40,race missing\n"
		"stuck,0,9,9,20,deadlock\n");
	cr_assert_str_eq(gb.rows[0].problem, "broken archive: x");
	free(text);
	gradebook_release(&gb);
	free(csv);
}

Test(gradebook, reads_back_what_it_wrote, .init = make_out, .fini = remove_out)
{
	char *stages[] = { "01-spawn", "02-counter" }, **st, **ids;
	struct gradebook gb;
	struct strbuf err = STRBUF_INIT;
	char *csv = xstrfmt("%s/gradebook.csv", out);
	size_t nst, nids;

	add_student("a,b", NULL, NULL);
	add_student("c \"d\"", NULL, NULL);
	gradebook_init(&gb, NULL, stages, 2);
	gradebook_add(&gb, out, "a,b", &err);
	gradebook_add(&gb, out, "c \"d\"", &err);
	cr_assert_eq(gradebook_write_csv(&gb, csv), 0);
	cr_assert_eq(gradebook_read_csv(csv, &st, &nst, &ids, &nids, &err), 0, "%s", sb_str(&err));
	cr_assert_eq(nst, 2);
	cr_assert_str_eq(st[1], "02-counter");
	cr_assert_eq(nids, 2);
	cr_assert_str_eq(ids[0], "a,b");
	cr_assert_str_eq(ids[1], "c \"d\"");
	for (size_t i = 0; i < 2; i++) {
		free(st[i]);
		free(ids[i]);
	}
	free(st);
	free(ids);
	gradebook_release(&gb);
	free(csv);
}

Test(gradebook, refuses_what_is_not_a_gradebook, .init = make_out, .fini = remove_out)
{
	char *csv = xstrfmt("%s/gradebook.csv", out), **st, **ids;
	struct strbuf err = STRBUF_INIT;
	size_t nst, nids;
	const char *bad_head = "name,score\nann,3\n";
	const char *bad_row = "id,03-race,total,max,flags\nann,3,3,20,\nbob,3\n";

	cr_assert_eq(write_file(csv, bad_head, strlen(bad_head)), 0);
	cr_assert_eq(gradebook_read_csv(csv, &st, &nst, &ids, &nids, &err), -1);
	cr_assert(strstr(sb_str(&err), "not a racecourse gradebook"), "%s", sb_str(&err));
	sb_release(&err);
	cr_assert_eq(write_file(csv, bad_row, strlen(bad_row)), 0);
	cr_assert_eq(gradebook_read_csv(csv, &st, &nst, &ids, &nids, &err), -1);
	cr_assert(strstr(sb_str(&err), "line 3"), "%s", sb_str(&err));
	sb_release(&err);
	free(csv);
}

/* ---- report.txt ---- */

Test(text_report, the_graders_own_text_under_the_batchs_line)
{
	json_t *j = load(RACE);
	const char *graded = "Racecourse: grading race\n\n03-race  Fix the race  8/30\n"
			     "  \u2717 withdraw/exact_under_contention   0/4\n\nScore: 11/40  total\n";
	char *t = gradebook_text_report("pat", j, GB_RACE | GB_MISSING, NULL, graded);
	char *want = xstrfmt("pat: 11/40 - race missing\n\n%s", graded);

	cr_assert_str_eq(t, want);
	free(want);
	free(t);
	json_decref(j);
}

Test(text_report, a_problem_comes_before_the_text)
{
	json_t *j = load(RACE);
	char *t = gradebook_text_report("pat", j, 0, "the grader's time limit", "Score: 11/40\n");

	cr_assert_str_eq(t, "pat: 11/40\nthe grader's time limit\n\nScore: 11/40\n");
	free(t);
	json_decref(j);
}

Test(text_report, not_graded)
{
	char *t = gradebook_text_report("eve", NULL, GB_BROKEN_ARCHIVE, "broken archive: eve.zip: bad",
					NULL);

	cr_assert_str_eq(t, "eve: not graded - broken-archive\nbroken archive: eve.zip: bad\n");
	free(t);
}

/* ---- report.html ---- */

Test(html, escapes)
{
	struct strbuf sb = STRBUF_INIT;

	html_escape(&sb, "<a href='x'>&\"");
	cr_assert_str_eq(sb_str(&sb), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
	sb_release(&sb);
}

Test(html, a_page_of_the_class, .init = make_out, .fini = remove_out)
{
	char *stages[] = { "02-counter", "03-race" };
	struct gradebook gb;
	struct strbuf err = STRBUF_INIT;
	char *path = xstrfmt("%s/report.html", out), *page;

	add_student("<b>pat</b>", RACE, NULL);
	add_student("stuck", STUCK, NULL);
	gradebook_init(&gb, NULL, stages, 2);
	gradebook_add(&gb, out, "<b>pat</b>", &err);
	gradebook_add(&gb, out, "stuck", &err);
	cr_assert_eq(gradebook_write_html(&gb, "class & co", path), 0);
	page = slurp(path);
	cr_assert(strstr(page, "<title>class &amp; co - Racecourse class report</title>"));
	cr_assert(strstr(page, "&lt;b&gt;pat&lt;/b&gt;"));
	cr_assert_null(strstr(page, "<b>pat"));
	/* The link to the student's report is percent-encoded. */
	cr_assert(strstr(page, "href=\"students/%3Cb%3Epat%3C%2Fb%3E/report.txt\""), "%s", page);
	cr_assert(strstr(page, "<h3>02-counter</h3>") && strstr(page, "<h3>03-race</h3>"));
	cr_assert(strstr(page, "<svg"));
	/* The race at the student's lines, and the tests both students failed. */
	cr_assert(strstr(page, "<code>account.c:50</code> in <code>account_withdraw()</code>"));
	cr_assert(strstr(page, "<code>withdraw/exact_under_contention</code></td>"
			       "<td class=\"n nw\">2 of 2</td>"), "%s", page);
	cr_assert_null(strstr(page, "<script"));
	free(page);
	gradebook_release(&gb);
	free(path);
}
