/* Unit tests of the learning platforms' exports: the mapping file, Canvas's and Moodle's CSV. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lms.h"

static char dir[] = "/tmp/racecourse-lms-test.XXXXXX";

static void make_dir(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	remove_tree(dir);
}

static char *put(const char *name, const char *text)
{
	char *path = xstrfmt("%s/%s", dir, name);

	cr_assert_eq(write_file(path, text, strlen(text)), 0);
	return path;
}

static char *slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(read_file(path, &sb), 0, "%s", path);
	return sb_detach(&sb);
}

/* Two stages, three students: ann (full), bob (half), cy (not in the map). */
static void make_gradebook(struct gradebook *gb)
{
	char *stages[] = { "01-spawn", "03-race" };
	static const char *ids[] = { "ann", "bob", "cy" };
	static const int scores[][2] = { { 20, 22 }, { 10, 11 }, { 0, 0 } };

	gradebook_init(gb, NULL, stages, 2);
	gb->stage_max[0] = 20;
	gb->stage_max[1] = 22;
	gb->rows = xcalloc(3, sizeof(*gb->rows));
	gb->nrows = gb->alloc = 3;
	for (size_t i = 0; i < 3; i++) {
		struct gradebook_row *r = &gb->rows[i];

		r->id = xstrdup(ids[i]);
		r->scores = xcalloc(2, sizeof(*r->scores));
		r->scores[0] = scores[i][0];
		r->scores[1] = scores[i][1];
		r->total = r->scores[0] + r->scores[1];
		r->max = 42;
	}
}

static void read_map(struct lms_map *m, const char *text)
{
	struct strbuf err = STRBUF_INIT;
	char *path = put("map.csv", text);

	cr_assert_eq(lms_map_read(m, path, &err), 0, "%s", sb_str(&err));
	free(path);
}

static void refuses_map(const char *text, const char *reason)
{
	struct strbuf err = STRBUF_INIT;
	struct lms_map m;
	char *path = put("bad.csv", text);

	cr_assert_eq(lms_map_read(&m, path, &err), -1, "accepted: %s", text);
	cr_assert(strstr(sb_str(&err), reason), "%s", sb_str(&err));
	cr_assert_eq(m.n, 0);
	sb_release(&err);
	free(path);
}

TestSuite(lms, .init = make_dir, .fini = remove_dir);

Test(lms, map_rows_and_optional_columns)
{
	struct lms_map m;

	read_map(&m, "id,lms_id,name,sis_id,section\nann,101,\"Lee, Ann\",S1,A\nbob,102\n");
	cr_assert_eq(m.n, 2);
	cr_assert_str_eq(lms_map_find(&m, "ann")->name, "Lee, Ann");
	cr_assert_str_eq(lms_map_find(&m, "ann")->section, "A");
	cr_assert_str_eq(lms_map_find(&m, "bob")->lms_id, "102");
	cr_assert_str_eq(lms_map_find(&m, "bob")->name, "");
	cr_assert_null(lms_map_find(&m, "cy"));
	lms_map_release(&m);
}

Test(lms, map_errors_are_named)
{
	refuses_map("student,canvas\nann,1\n", "first line must be id,lms_id");
	refuses_map("id,lms_id\nann,\n", "line 2 needs an id and an lms_id");
	refuses_map("id,lms_id\nann,1\nbob,2\nann,3\n", "line 4: id ann is mapped twice");
	refuses_map("id,lms_id\nann,\"1\n", "line 2");
}

Test(lms, canvas_columns_points_possible_and_mapped_rows_only)
{
	struct gradebook gb;
	struct lms_map m;
	char *path = xstrfmt("%s/canvas.csv", dir), *text;

	make_gradebook(&gb);
	read_map(&m, "id,lms_id,name,sis_id,section\nann,101,\"Lee, Ann\",S1,A\nbob,102,Bob,S2,B\n");
	cr_assert_eq(lms_write(&gb, &m, LMS_CANVAS, "Racecourse", path), 0);
	text = slurp(path);
	cr_assert_str_eq(text,
		"Student,ID,SIS User ID,SIS Login ID,Section,Racecourse 01-spawn,Racecourse 03-race,"
		"Racecourse\r\n"
		"    Points Possible,,,,,20,22,42\r\n"
		"\"Lee, Ann\",101,S1,,A,20,22,42\r\n"
		"Bob,102,S2,,B,10,11,21\r\n");
	free(text);
	free(path);
	lms_map_release(&m);
	gradebook_release(&gb);
}

Test(lms, moodle_identifier_first)
{
	struct gradebook gb;
	struct lms_map m;
	char *path = xstrfmt("%s/moodle.csv", dir), *text;

	make_gradebook(&gb);
	read_map(&m, "id,lms_id\nbob,bob@example.edu\ncy,cy@example.edu\n");
	cr_assert_eq(lms_write(&gb, &m, LMS_MOODLE, "Lab", path), 0);
	text = slurp(path);
	cr_assert_str_eq(text,
		"Identifier,Full name,Lab 01-spawn,Lab 03-race,Lab\n"
		"bob@example.edu,bob,10,11,21\n"
		"cy@example.edu,cy,0,0,0\n");
	free(text);
	free(path);
	lms_map_release(&m);
	gradebook_release(&gb);
}
