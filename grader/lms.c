/* batch-export: a batch's gradebook as a CSV that Canvas or Moodle imports. */
#define _GNU_SOURCE
#include "lms.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradebook.h"
#include "stage.h"

static const char usage[] =
	"usage: racecourse batch-export OUT --lms canvas|moodle --map MAP.csv [--out FILE]\n"
	"\n"
	"Writes the gradebook of the batch folder OUT as a CSV that the learning\n"
	"platform imports (default OUT/<lms>.csv).  MAP.csv says who each of the\n"
	"batch's ids is on the platform: a header line, then a row per student:\n"
	"  id,lms_id[,name[,sis_id[,section]]]\n"
	"  canvas: lms_id is Canvas's user ID; sis_id its SIS User ID\n"
	"  moodle: lms_id is what the import matches on (ID number, or email)\n"
	"A student of the gradebook who is not in MAP.csv is named, and the\n"
	"export exits 1 (the file is still written, without them).\n";

static char *field_or_empty(char **f, size_t n, size_t i)
{
	return xstrdup(i < n ? f[i] : "");
}

int lms_map_read(struct lms_map *m, const char *path, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	char **f = NULL;
	size_t n = 0, pos = 0;
	int got;

	memset(m, 0, sizeof(*m));
	if (read_file(path, &text)) {
		sb_addf(err, "cannot read %s: %s", path, strerror(errno));
		goto fail;
	}
	if (csv_read_record(sb_str(&text), &pos, &f, &n) != 1 || n < 2 || strcmp(f[0], "id") ||
	    strcmp(f[1], "lms_id")) {
		sb_addf(err, "%s is not a mapping file: its first line must be "
			"id,lms_id[,name[,sis_id[,section]]]", path);
		goto fail;
	}
	for (size_t line = 2;; line++) {
		struct lms_person *p;

		csv_free_fields(f, n);
		f = NULL;
		got = csv_read_record(sb_str(&text), &pos, &f, &n);
		if (!got)
			break;
		if (got < 0 || n < 2 || !*f[0] || !*f[1]) {
			sb_addf(err, "%s: line %zu needs an id and an lms_id", path, line);
			goto fail;
		}
		if (lms_map_find(m, f[0])) {
			sb_addf(err, "%s: line %zu: id %s is mapped twice", path, line, f[0]);
			goto fail;
		}
		ALLOC_GROW(m->people, m->n + 1, m->alloc);
		p = &m->people[m->n++];
		p->id = xstrdup(f[0]);
		p->lms_id = xstrdup(f[1]);
		p->name = field_or_empty(f, n, 2);
		p->sis_id = field_or_empty(f, n, 3);
		p->section = field_or_empty(f, n, 4);
	}
	csv_free_fields(f, n);
	sb_release(&text);
	return 0;
fail:
	csv_free_fields(f, n);
	sb_release(&text);
	lms_map_release(m);
	return -1;
}

void lms_map_release(struct lms_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct lms_person *p = &m->people[i];

		free(p->id);
		free(p->lms_id);
		free(p->name);
		free(p->sis_id);
		free(p->section);
	}
	free(m->people);
	memset(m, 0, sizeof(*m));
}

const struct lms_person *lms_map_find(const struct lms_map *m, const char *id)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->people[i].id, id))
			return &m->people[i];
	return NULL;
}

static void add_int(struct strbuf *sb, int v)
{
	sb_addf(sb, ",%d", v);
}

/* The columns of the grades: ",TITLE 01-spawn,...,TITLE". */
static void add_grade_columns(struct strbuf *sb, const struct gradebook *gb, const char *title)
{
	for (size_t s = 0; s < gb->nstages; s++) {
		char *col = xstrfmt("%s %s", title, gb->stages[s]);

		sb_adds(sb, ",");
		csv_add_field(sb, col);
		free(col);
	}
	sb_adds(sb, ",");
	csv_add_field(sb, title);
}

/*
 * Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section,
 * then a column per assignment; a "Points Possible" row under the header.
 * An assignment column that matches no assignment of the course makes one.
 */
static void write_canvas(struct strbuf *sb, const struct gradebook *gb, const struct lms_map *m,
			 const char *title)
{
	sb_adds(sb, "Student,ID,SIS User ID,SIS Login ID,Section");
	add_grade_columns(sb, gb, title);
	sb_adds(sb, "\r\n    Points Possible,,,,");
	{
		int all = 0;

		for (size_t s = 0; s < gb->nstages; s++) {
			add_int(sb, gb->stage_max[s] > 0 ? gb->stage_max[s] : 0);
			all += gb->stage_max[s] > 0 ? gb->stage_max[s] : 0;
		}
		add_int(sb, all);
	}
	sb_adds(sb, "\r\n");
	for (size_t r = 0; r < gb->nrows; r++) {
		const struct gradebook_row *row = &gb->rows[r];
		const struct lms_person *p = lms_map_find(m, row->id);

		if (!p)
			continue;
		csv_add_field(sb, *p->name ? p->name : row->id);
		sb_adds(sb, ",");
		csv_add_field(sb, p->lms_id);
		sb_adds(sb, ",");
		csv_add_field(sb, p->sis_id);
		sb_adds(sb, ",,");
		csv_add_field(sb, p->section);
		for (size_t s = 0; s < gb->nstages; s++)
			add_int(sb, row->scores[s]);
		add_int(sb, row->total);
		sb_adds(sb, "\r\n");
	}
}

/*
 * Moodle's grade import (CSV file): any columns; at import the teacher maps
 * one to the user (Identifier: ID number or email) and the others to grade
 * items.
 */
static void write_moodle(struct strbuf *sb, const struct gradebook *gb, const struct lms_map *m,
			 const char *title)
{
	sb_adds(sb, "Identifier,Full name");
	add_grade_columns(sb, gb, title);
	sb_adds(sb, "\n");
	for (size_t r = 0; r < gb->nrows; r++) {
		const struct gradebook_row *row = &gb->rows[r];
		const struct lms_person *p = lms_map_find(m, row->id);

		if (!p)
			continue;
		csv_add_field(sb, p->lms_id);
		sb_adds(sb, ",");
		csv_add_field(sb, *p->name ? p->name : row->id);
		for (size_t s = 0; s < gb->nstages; s++)
			add_int(sb, row->scores[s]);
		add_int(sb, row->total);
		sb_adds(sb, "\n");
	}
}

int lms_write(const struct gradebook *gb, const struct lms_map *m, enum lms_kind kind,
	      const char *title, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	if (kind == LMS_CANVAS)
		write_canvas(&sb, gb, m, title);
	else
		write_moodle(&sb, gb, m, title);
	rc = write_file(path, sb.buf, sb.len);
	sb_release(&sb);
	return rc;
}

int lms_export_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "lms", required_argument, NULL, 'l' },
		{ "map", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'o' },
		{ "title", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *lms = NULL, *map_path = NULL, *out_arg = NULL, *title = "Racecourse";
	char *out, *kit;
	size_t unmapped = 0;
	struct strbuf err = STRBUF_INIT, missing = STRBUF_INIT;
	struct lms_map map;
	struct gradebook gb;
	enum lms_kind kind;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l': lms = optarg; break;
		case 'm': map_path = optarg; break;
		case 'o': out_arg = optarg; break;
		case 't': title = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (argc - optind != 1 || !lms || !map_path)
		die("batch-export takes a batch folder, --lms and --map; see racecourse batch-export --help");
	if (!strcmp(lms, "canvas"))
		kind = LMS_CANVAS;
	else if (!strcmp(lms, "moodle"))
		kind = LMS_MOODLE;
	else
		die("--lms %s: the platforms are canvas and moodle", lms);
	if (lms_map_read(&map, map_path, &err))
		die("%s", sb_str(&err));
	kit = stage_default_kit();
	if (gradebook_load(&gb, argv[optind], kit, &err))
		die("%s", sb_str(&err));
	for (size_t i = 0; i < gb.nrows; i++) {
		if (!lms_map_find(&map, gb.rows[i].id))
			sb_addf(&missing, "%s%s", unmapped++ ? ", " : "", gb.rows[i].id);
	}
	out = out_arg ? xstrdup(out_arg) : xstrfmt("%s/%s.csv", argv[optind], lms);
	if (lms_write(&gb, &map, kind, title, out))
		die("cannot write %s: %s", out, strerror(errno));
	printf("%s: %zu students for %s\n", out, gb.nrows - unmapped, lms);
	if (unmapped)
		warn("%zu student%s of the gradebook %s not in %s, so not exported: %s", unmapped,
		     unmapped == 1 ? "" : "s", unmapped == 1 ? "is" : "are", map_path, sb_str(&missing));
	gradebook_release(&gb);
	lms_map_release(&map);
	free(out);
	free(kit);
	sb_release(&missing);
	return unmapped ? 1 : 0;
}
