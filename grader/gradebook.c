/* A class's gradebook: a row per student, read from the batch's folders, written as CSV. */
#include "gradebook.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "stage.h"

const char *const gradebook_flag_names[GB_NFLAGS] = {
	"race", "deadlock", "timeout", "compile-error", "missing", "broken-archive", "error",
	"suspicious",
};

unsigned gradebook_flag_find(const char *name)
{
	for (int i = 0; i < GB_NFLAGS; i++)
		if (!strcmp(name, gradebook_flag_names[i]))
			return 1u << i;
	return 0;
}

char *gradebook_flags_str(unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;

	for (int i = 0; i < GB_NFLAGS; i++)
		if (flags & (1u << i))
			sb_addf(&sb, "%s%s", sb.len ? " " : "", gradebook_flag_names[i]);
	return sb_detach(&sb);
}

/* ---- JSON helpers: a missing or mistyped member reads as empty ---- */

static const char *jstr(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

static int jint(json_t *obj, const char *key)
{
	return (int)json_integer_value(json_object_get(obj, key));
}

static json_t *jstages(json_t *results)
{
	return json_object_get(json_object_get(results, "extra_data"), "stages");
}

/* ---- batch.json ---- */

int student_meta_read(struct student_meta *m, const char *dir)
{
	char *path = xstrfmt("%s/batch.json", dir);
	json_t *j = json_load_file(path, 0, NULL), *v;
	size_t i;

	free(path);
	memset(m, 0, sizeof(*m));
	if (!json_is_object(j)) {
		json_decref(j);
		return -1;
	}
	if (json_is_string(json_object_get(j, "stamp")))
		m->stamp = xstrdup(jstr(j, "stamp"));
	if (json_is_string(json_object_get(j, "problem")))
		m->problem = xstrdup(jstr(j, "problem"));
	m->seconds = json_number_value(json_object_get(j, "seconds"));
	if (json_is_object(v = json_object_get(j, "deadline"))) {
		m->dated = true;
		snprintf(m->commit, sizeof(m->commit), "%s", jstr(v, "commit") ? jstr(v, "commit") : "");
		m->when = (time_t)json_integer_value(json_object_get(v, "when"));
		m->due = (time_t)json_integer_value(json_object_get(v, "due"));
		m->late_days = (int)json_integer_value(json_object_get(v, "late_days"));
		m->penalty = json_number_value(json_object_get(v, "penalty"));
		m->pushed = json_is_true(json_object_get(v, "pushed"));
	}
	json_array_foreach(json_object_get(j, "flags"), i, v)
		if (json_is_string(v))
			m->flags |= gradebook_flag_find(json_string_value(v));
	json_decref(j);
	return 0;
}

int student_meta_write(const struct student_meta *m, const char *dir)
{
	json_t *flags = json_array(), *j;
	char *path = xstrfmt("%s/batch.json", dir);
	char *tmp = xstrfmt("%s.tmp", path);
	int rc = -1;

	for (int i = 0; i < GB_NFLAGS; i++)
		if (m->flags & (1u << i))
			json_array_append_new(flags, json_string(gradebook_flag_names[i]));
	j = json_pack("{s:o, s:o, s:o, s:f}", "stamp", m->stamp ? json_string(m->stamp) : json_null(),
		      "flags", flags, "problem",
		      m->problem ? json_text(m->problem) : json_null(),
		      "seconds", m->seconds);
	if (j && m->dated)
		json_object_set_new(j, "deadline",
				    json_pack("{s:s, s:I, s:I, s:i, s:f, s:b}", "commit", m->commit,
					      "when", (json_int_t)m->when, "due", (json_int_t)m->due,
					      "late_days", m->late_days, "penalty", m->penalty,
					      "pushed", m->pushed));
	if (!j)
		errno = ENOMEM;
	else if (!json_dump_file(j, tmp, JSON_INDENT(2)) && !rename(tmp, path))
		rc = 0;
	json_decref(j);
	free(tmp);
	free(path);
	return rc;
}

void student_meta_release(struct student_meta *m)
{
	free(m->stamp);
	free(m->problem);
	memset(m, 0, sizeof(*m));
}

/* ---- rows ---- */

void gradebook_init(struct gradebook *gb, const char *kit, char *const *stages, size_t nstages)
{
	memset(gb, 0, sizeof(*gb));
	gb->nstages = nstages;
	gb->stages = xcalloc(nstages, sizeof(*gb->stages));
	gb->stage_max = xcalloc(nstages, sizeof(*gb->stage_max));
	for (size_t i = 0; i < nstages; i++) {
		struct stage st;
		struct strbuf err = STRBUF_INIT;

		gb->stages[i] = xstrdup(stages[i]);
		gb->stage_max[i] = -1;
		if (kit && !stage_load(&st, kit, stages[i], &err)) {
			gb->stage_max[i] = st.max_score;
			stage_release(&st);
		}
		sb_release(&err);
	}
}

void gradebook_release(struct gradebook *gb)
{
	for (size_t i = 0; i < gb->nstages; i++)
		free(gb->stages[i]);
	for (size_t i = 0; i < gb->nrows; i++) {
		struct gradebook_row *r = &gb->rows[i];

		free(r->id);
		free(r->scores);
		json_decref(r->results);
		free(r->problem);
	}
	free(gb->stages);
	free(gb->stage_max);
	free(gb->rows);
	memset(gb, 0, sizeof(*gb));
}

unsigned gradebook_flags_of(json_t *results)
{
	unsigned flags = 0;
	json_t *st, *v;
	size_t i, k;

	json_array_foreach(jstages(results), i, st) {
		const char *state = jstr(st, "state");

		if (!strcmp(state, "missing"))
			flags |= GB_MISSING;
		else if (!strcmp(state, "compile-error"))
			flags |= GB_COMPILE_ERROR;
		if (json_object_get(st, "suspicious"))
			flags |= GB_SUSPICIOUS;
		json_array_foreach(json_object_get(st, "findings"), k, v) {
			if (!strcmp(jstr(v, "kind"), "race"))
				flags |= GB_RACE;
			else if (!strcmp(jstr(v, "kind"), "lock-order"))
				flags |= GB_DEADLOCK;
		}
		json_array_foreach(json_object_get(st, "tests"), k, v)
			if (!strcmp(jstr(v, "status"), "timed out"))
				flags |= GB_DEADLOCK;
	}
	return flags;
}

static int stage_index(const struct gradebook *gb, const char *name)
{
	for (size_t i = 0; i < gb->nstages; i++)
		if (!strcmp(gb->stages[i], name))
			return (int)i;
	return -1;
}

/* A row that was not graded has 0 of every stage's points, as far as they are known. */
static void set_ungraded_max(struct gradebook *gb)
{
	int max = 0;

	for (size_t k = 0; k < gb->nstages; k++)
		max += gb->stage_max[k] > 0 ? gb->stage_max[k] : 0;
	for (size_t i = 0; i < gb->nrows; i++)
		if (!gb->rows[i].results)
			gb->rows[i].max = max;
}

int gradebook_add(struct gradebook *gb, const char *out, const char *id, struct strbuf *err)
{
	char *dir = xstrfmt("%s/students/%s", out, id);
	char *path = xstrfmt("%s/results.json", dir);
	struct student_meta meta;
	struct gradebook_row *r;
	json_error_t jerr;
	json_t *st;
	size_t i;
	int rc = 0;

	ALLOC_GROW(gb->rows, gb->nrows + 1, gb->alloc);
	r = &gb->rows[gb->nrows++];
	memset(r, 0, sizeof(*r));
	r->id = xstrdup(id);
	r->scores = xcalloc(gb->nstages, sizeof(*r->scores));
	if (!student_meta_read(&meta, dir)) {
		r->flags = meta.flags;
		r->dated = meta.dated;
		r->late_days = meta.late_days;
		r->penalty = meta.penalty;
		r->problem = meta.problem;
		meta.problem = NULL;
		student_meta_release(&meta);
	} else if (!is_file(path)) {
		r->flags = GB_ERROR;
		r->problem = xstrdup("no result was written for this student");
	}
	if (is_file(path)) {
		r->results = json_load_file(path, 0, &jerr);
		if (!json_is_object(r->results)) {
			sb_addf(err, "cannot read %s: %s", path, jerr.text);
			json_decref(r->results);
			r->results = NULL;
			r->flags |= GB_ERROR;
			rc = -1;
		}
	}
	if (r->results) {
		bool learned = false;

		r->flags |= gradebook_flags_of(r->results);
		r->total = jint(r->results, "score");
		r->max = jint(r->results, "max_score");
		json_array_foreach(jstages(r->results), i, st) {
			int k = stage_index(gb, jstr(st, "stage"));

			if (k < 0)
				continue;
			r->scores[k] = jint(st, "score");
			if (gb->stage_max[k] < 0) {
				gb->stage_max[k] = jint(st, "max_score");
				learned = true;
			}
		}
		if (learned)
			set_ungraded_max(gb);
	} else {
		set_ungraded_max(gb);
	}
	free(path);
	free(dir);
	return rc;
}

/* ---- CSV ---- */

void csv_add_field(struct strbuf *sb, const char *field)
{
	size_t len = strlen(field);
	bool quote = len && (strpbrk(field, ",\"\r\n") || field[0] == ' ' || field[len - 1] == ' ');

	/*
	 * A spreadsheet runs a cell that starts like a formula: a student id
	 * such as "=HYPERLINK(...)" must stay text.
	 */
	if (len && strchr("=+-@", field[0]))
		sb_adds(sb, "'");
	if (!quote) {
		sb_add(sb, field, len);
		return;
	}
	sb_adds(sb, "\"");
	for (const char *p = field; *p; p++) {
		if (*p == '"')
			sb_adds(sb, "\"");
		sb_add(sb, p, 1);
	}
	sb_adds(sb, "\"");
}

int csv_read_record(const char *text, size_t *pos, char ***fields, size_t *n)
{
	const char *p = text + *pos;
	struct strbuf field = STRBUF_INIT;
	size_t alloc = 0;

	*fields = NULL;
	*n = 0;
	if (!*p)
		return 0;
	for (;;) {
		if (*p == '"') {
			for (p++;; p++) {
				if (!*p) {
					sb_release(&field);
					csv_free_fields(*fields, *n);
					*fields = NULL;
					*n = 0;
					return -1;
				}
				if (*p == '"') {
					if (p[1] != '"')
						break;
					p++;
				}
				sb_add(&field, p, 1);
			}
			p++;
		}
		while (*p && *p != ',' && *p != '\n' && *p != '\r')
			sb_add(&field, p++, 1);
		ALLOC_GROW(*fields, *n + 1, alloc);
		(*fields)[(*n)++] = sb_detach(&field);
		if (*p != ',')
			break;
		p++;
	}
	if (*p == '\r')
		p++;
	if (*p == '\n')
		p++;
	*pos = (size_t)(p - text);
	return 1;
}

void csv_free_fields(char **fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(fields[i]);
	free(fields);
}

bool gradebook_dated(const struct gradebook *gb)
{
	for (size_t i = 0; i < gb->nrows; i++)
		if (gb->rows[i].dated)
			return true;
	return false;
}

double gradebook_final(const struct gradebook_row *r)
{
	/* to a tenth of a point: what a gradebook shows */
	return round(r->total * (100.0 - r->penalty) / 10.0) / 10.0;
}

int gradebook_write_csv(const struct gradebook *gb, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *tmp = xstrfmt("%s.tmp", path);
	bool dated = gradebook_dated(gb);
	int rc;

	csv_add_field(&sb, "id");
	for (size_t i = 0; i < gb->nstages; i++) {
		sb_adds(&sb, ",");
		csv_add_field(&sb, gb->stages[i]);
	}
	sb_adds(&sb, dated ? ",total,max,late_days,penalty,final,flags\n" : ",total,max,flags\n");
	for (size_t i = 0; i < gb->nrows; i++) {
		const struct gradebook_row *r = &gb->rows[i];
		char *flags = gradebook_flags_str(r->flags);

		csv_add_field(&sb, r->id);
		for (size_t k = 0; k < gb->nstages; k++)
			sb_addf(&sb, ",%d", r->scores[k]);
		sb_addf(&sb, ",%d,%d,", r->total, r->max);
		if (dated && r->dated)
			sb_addf(&sb, "%d,%g,%g,", r->late_days, r->penalty, gradebook_final(r));
		else if (dated)
			sb_addf(&sb, ",,%d,", r->total);
		csv_add_field(&sb, flags);
		sb_adds(&sb, "\n");
		free(flags);
	}
	/* Whole or not at all: a reader never sees half a gradebook. */
	rc = write_file(tmp, sb_str(&sb), sb.len);
	if (!rc)
		rc = rename(tmp, path);
	sb_release(&sb);
	free(tmp);
	return rc;
}

int gradebook_read_csv(const char *path, char ***stages, size_t *nstages, char ***ids,
		       size_t *nids, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	char **f = NULL;
	size_t n = 0, pos = 0, alloc = 0, tail;
	int got, rc = -1;

	*stages = *ids = NULL;
	*nstages = *nids = 0;
	if (read_file(path, &text)) {
		sb_addf(err, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (csv_read_record(sb_str(&text), &pos, &f, &n) != 1 || n < 4 || strcmp(f[0], "id") ||
	    strcmp(f[n - 1], "flags")) {
		tail = 0;
	} else if (n >= 7 && !strcmp(f[n - 4], "late_days") && !strcmp(f[n - 3], "penalty") &&
		   !strcmp(f[n - 2], "final")) {
		tail = 6;
	} else {
		tail = 3;
	}
	if (!tail || strcmp(f[n - tail], "total") || strcmp(f[n - tail + 1], "max")) {
		sb_addf(err, "%s is not a racecourse gradebook: its first line is not "
			"id,<stages>,total,max,flags", path);
		goto out;
	}
	*nstages = n - 1 - tail;
	*stages = xcalloc(*nstages, sizeof(**stages));
	for (size_t i = 0; i < *nstages; i++)
		(*stages)[i] = xstrdup(f[i + 1]);
	for (size_t line = 2;; line++) {
		csv_free_fields(f, n);
		got = csv_read_record(sb_str(&text), &pos, &f, &n);
		if (!got)
			break;
		if (got < 0 || n != *nstages + 1 + tail || !*f[0]) {
			sb_addf(err, "%s: line %zu is not a gradebook row", path, line);
			goto out;
		}
		ALLOC_GROW(*ids, *nids + 1, alloc);
		(*ids)[(*nids)++] = xstrdup(f[0]);
	}
	rc = 0;
out:
	csv_free_fields(f, n);
	sb_release(&text);
	return rc;
}

/* ---- report.txt ---- */

char *gradebook_text_report(const char *id, json_t *results, unsigned flags, const char *problem,
			    const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	char *names = gradebook_flags_str(flags);

	if (results)
		sb_addf(&sb, "%s: %d/%d", id, jint(results, "score"), jint(results, "max_score"));
	else
		sb_addf(&sb, "%s: not graded", id);
	sb_addf(&sb, "%s%s\n", *names ? " - " : "", names);
	if (problem)
		sb_addf(&sb, "%s\n", problem);
	if (text && *text)
		sb_addf(&sb, "\n%s", text);
	free(names);
	return sb_detach(&sb);
}

int gradebook_load(struct gradebook *gb, const char *out, const char *kit, struct strbuf *err)
{
	char *csv = xstrfmt("%s/gradebook.csv", out), **stages, **ids;
	size_t nstages, nids;
	struct strbuf why = STRBUF_INIT;

	if (gradebook_read_csv(csv, &stages, &nstages, &ids, &nids, err)) {
		free(csv);
		return -1;
	}
	gradebook_init(gb, kit, stages, nstages);
	for (size_t i = 0; i < nids; i++) {
		if (gradebook_add(gb, out, ids[i], &why))
			warn("%s", sb_str(&why));
		sb_release(&why);
		free(ids[i]);
	}
	for (size_t i = 0; i < nstages; i++)
		free(stages[i]);
	free(stages);
	free(ids);
	free(csv);
	return 0;
}
