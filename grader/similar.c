/* The similarity check of a class: gathers each stage's files, runs Dolos on them, writes the ranked pairs. */
#define _GNU_SOURCE
#include "similar.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "gradebook.h"
#include "stage.h"
#include "submission.h"

/* Dolos's first install builds its parsers: minutes on a busy machine. */
#define SIMILAR_SECONDS 3600.0
/* similar.sh's exit status when Dolos could not be installed. */
#define EXIT_NO_TOOL 3

/*
 * One stage of CLASS.json: the starter's files as the template, and each
 * student's copies, staged under scratch/<stage>/<k>/ by the grader's own
 * search of a submission.  Returns the number of students with the files.
 */
static size_t add_stage(json_t *stages, const struct stage *st, const char *kit,
			const struct similar_student *v, size_t n, const char *scratch)
{
	json_t *files = json_array(), *students = json_array();
	size_t found = 0;

	for (size_t f = 0; f < st->nstudent_files; f++) {
		char *starter = xstrfmt("%s/starter/%s/%s", kit, st->name, st->student_files[f]);

		json_array_append_new(files, json_pack("{s:s,s:o}", "name", st->student_files[f],
						       "template", is_file(starter) ?
						       json_string(starter) : json_null()));
		free(starter);
	}
	for (size_t i = 0; i < n; i++) {
		char *dir = xstrfmt("%s/%s/%zu", scratch, st->name, i);
		struct strbuf err = STRBUF_INIT;
		struct source *srcs = NULL;
		size_t nsrcs = 0;

		if (submission_stage(st, v[i].root, v[i].id, dir, &srcs, &nsrcs, &err)) {
			/* Not there is the usual case of a stage not done; anything else is worth a word. */
			if (!strstr(sb_str(&err), "not found"))
				warn("similarity: %s left out of %s: %s", v[i].id, st->name, sb_str(&err));
		} else {
			json_t *paths = json_object();

			for (size_t k = 0; k < nsrcs; k++)
				json_object_set_new(paths, srcs[k].name, json_string(srcs[k].staged));
			json_array_append_new(students, json_pack("{s:s,s:o}", "id", v[i].id,
								  "files", paths));
			found++;
		}
		sources_free(srcs, nsrcs);
		sb_release(&err);
		free(dir);
	}
	json_array_append_new(stages, json_pack("{s:s,s:o,s:o}", "stage", st->name, "files", files,
						"students", students));
	return found;
}

/* OUT/similarity.csv from the checker's result. */
static int write_csv(json_t *result, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *st, *p;
	size_t i, k;
	int rc;

	sb_adds(&sb, "stage,student_a,student_b,percent,dolos_similarity,longest\n");
	json_array_foreach(json_object_get(result, "stages"), i, st) {
		json_array_foreach(json_object_get(st, "pairs"), k, p) {
			csv_add_field(&sb, json_string_value(json_object_get(st, "stage")));
			sb_adds(&sb, ",");
			csv_add_field(&sb, json_string_value(json_object_get(p, "a")));
			sb_adds(&sb, ",");
			csv_add_field(&sb, json_string_value(json_object_get(p, "b")));
			sb_addf(&sb, ",%.1f,%.1f,%lld\n", json_number_value(json_object_get(p, "percent")),
				json_number_value(json_object_get(p, "dolos")),
				(long long)json_integer_value(json_object_get(p, "longest")));
		}
	}
	rc = write_file(path, sb_str(&sb), sb.len);
	sb_release(&sb);
	return rc;
}

/* Runs similar.sh on CLASS.json; the result in *result. */
static int run_checker(const char *kit, const char *class_json, const char *result_json,
		       json_t **result, struct strbuf *err)
{
	char *script = xstrfmt("%s/grader/similar/similar.sh", kit);
	const char *argv[] = { "sh", script, class_json, result_json, NULL };
	struct child c = CHILD_INIT;
	json_error_t jerr;
	int rc = -1;

	strvec_pushv(&c.args, argv);
	c.timeout = SIMILAR_SECONDS;
	c.out_cap = 64 * 1024;
	c.new_session = true;
	if (child_start(&c)) {
		sb_addf(err, "cannot run %s: %s", script, strerror(c.start_errno));
		goto out;
	}
	child_finish(&c);
	/* What it printed (the install's progress, its reasons) goes on to the instructor. */
	if (c.out.len)
		fprintf(stderr, "%s", sb_str(&c.out));
	if (child_exit_code(&c) == EXIT_NO_TOOL) {
		sb_adds(err, "Dolos is not installed and could not be (see above): "
			"the similarity check needs Node.js and npm");
	} else if (!child_ok(&c)) {
		char *how = child_describe(&c);

		sb_addf(err, "the checker (%s) %s", script, how);
		free(how);
	} else if (!(*result = json_load_file(result_json, 0, &jerr))) {
		sb_addf(err, "cannot read the checker's result %s: %s", result_json, jerr.text);
	} else {
		rc = 0;
	}
out:
	child_release(&c);
	free(script);
	return rc;
}

int similar_run(const char *kit, char *const *stages, size_t nstages, const struct similar_student *v,
		size_t n, const char *out, const char *scratch, struct strbuf *err)
{
	char *class_json = xstrfmt("%s/class.json", scratch);
	char *result_json = xstrfmt("%s/result.json", scratch);
	char *csv = xstrfmt("%s/similarity.csv", out);
	char *kept = xstrfmt("%s/similarity.json", out);
	json_t *spec = json_pack("{s:i,s:[]}", "top", SIMILAR_TOP, "stages");
	json_t *result = NULL, *st;
	size_t most = 0, i;
	int rc = -1;

	/* A stale result must not stand for this run's. */
	unlink(csv);
	unlink(kept);
	if (mkdir_p(scratch)) {
		sb_addf(err, "cannot create %s: %s", scratch, strerror(errno));
		goto out;
	}
	for (i = 0; i < nstages; i++) {
		struct stage s;
		size_t found;

		if (stage_load(&s, kit, stages[i], err))
			goto out;
		found = add_stage(json_object_get(spec, "stages"), &s, kit, v, n, scratch);
		most = found > most ? found : most;
		stage_release(&s);
	}
	if (most < 2) {
		sb_addf(err, "no stage has two submissions to compare (%zu submission%s)", n,
			n == 1 ? "" : "s");
		goto out;
	}
	if (json_dump_file(spec, class_json, JSON_COMPACT)) {
		sb_addf(err, "cannot write %s: %s", class_json, strerror(errno));
		goto out;
	}
	if (run_checker(kit, class_json, result_json, &result, err))
		goto out;
	{
		char when[64] = "";
		time_t t = time(NULL);
		struct tm tm;

		if (localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		json_object_set_new(result, "written", json_string(when));
	}
	if (write_csv(result, csv) || json_dump_file(result, kept, JSON_COMPACT)) {
		sb_addf(err, "cannot write %s: %s", csv, strerror(errno));
		goto out;
	}
	json_array_foreach(json_object_get(result, "stages"), i, st) {
		json_t *top = json_array_get(json_object_get(st, "pairs"), 0);
		const char *note = json_string_value(json_object_get(st, "note"));

		printf("similarity: %s: ", json_string_value(json_object_get(st, "stage")));
		if (top)
			printf("%s and %s %.1f%% alike, the most of %zu pairs\n",
			       json_string_value(json_object_get(top, "a")),
			       json_string_value(json_object_get(top, "b")),
			       json_number_value(json_object_get(top, "percent")),
			       json_array_size(json_object_get(st, "pairs")));
		else
			printf("%s\n", note ? note : "no pairs");
	}
	printf("similarity: %s\n", csv);
	rc = 0;
out:
	json_decref(spec);
	json_decref(result);
	free(class_json);
	free(result_json);
	free(csv);
	free(kept);
	return rc;
}
