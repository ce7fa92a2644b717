/* The progress ladder: every stage with its last grading, and the one to work on next. */
#define _GNU_SOURCE
#include "status.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hint.h"
#include "stage.h"

static const char usage[] =
	"usage: racecourse status [--kit DIR]\n"
	"\n"
	"Shows every stage with its score in your last make grade, and the stage to work\n"
	"on next: the first one not at full marks.\n"
	"\n"
	"      --kit DIR     the kit's root (default: the folder above the grader)\n"
	"  -h, --help        this text\n";

char *status_result_path(const char *kit, const char *stage)
{
	return xstrfmt("%s/.racecourse/last-%s.json", kit, stage);
}

static int unreadable(struct stage_status *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int unreadable(struct stage_status *st, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(st->problem);
	st->problem = sb_detach(&sb);
	return -1;
}

int status_read_result(struct stage_status *st, const char *path, const char *stage)
{
	json_error_t jerr;
	json_t *root, *stages, *v;
	struct stat sb;
	size_t i;
	int rc;


	if (stat(path, &sb) && errno == ENOENT)
		return 0;
	root = json_load_file(path, 0, &jerr);
	if (!root)
		return unreadable(st, "cannot read %s: line %d: %s", path, jerr.line, jerr.text);
	rc = unreadable(st, "%s holds no result for %s", path, stage);
	stages = json_object_get(json_object_get(root, "extra_data"), "stages");
	json_array_foreach(stages, i, v) {
		const char *name = json_string_value(json_object_get(v, "stage"));
		const char *state = json_string_value(json_object_get(v, "state"));
		json_t *score = json_object_get(v, "score"), *max = json_object_get(v, "max_score");

		if (!name || strcmp(name, stage))
			continue;
		if (!json_is_integer(score) || !json_is_integer(max) || json_integer_value(max) < 0 ||
		    json_integer_value(score) < 0 || json_integer_value(score) > json_integer_value(max) ||
		    json_integer_value(max) > 1000000) {
			unreadable(st, "%s: the result of %s has no valid score", path, stage);
			break;
		}
		st->score = (int)json_integer_value(score);
		st->max_score = (int)json_integer_value(max);
		free(st->state);
		st->state = xstrdup(state ? state : "graded");
		free(st->problem);
		st->problem = NULL;
		st->graded = true;
		rc = 1;
		break;
	}
	json_decref(root);
	return rc;
}

static bool newer(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec > b->st_mtim.tv_sec ||
	       (a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec > b->st_mtim.tv_nsec);
}

/* Did the student change a file of the stage in starter/ after the grading saved at `path`? */
static bool edited_since(const char *kit, const struct stage *stage, const char *path)
{
	struct stat result, file;
	bool edited = false;

	if (stat(path, &result))
		return false;
	for (size_t i = 0; i < stage->nstudent_files && !edited; i++) {
		char *src = xstrfmt("%s/starter/%s/%s", kit, stage->name, stage->student_files[i]);

		edited = !stat(src, &file) && newer(&file, &result);
		free(src);
	}
	return edited;
}

void status_load(struct status *s, const char *kit)
{
	char **names;

	s->n = stage_list(kit, &names);
	s->v = xcalloc(s->n ? s->n : 1, sizeof(*s->v));
	for (size_t i = 0; i < s->n; i++) {
		struct stage_status *st = &s->v[i];
		struct strbuf err = STRBUF_INIT;
		struct stage stage;
		char *path = status_result_path(kit, names[i]);
		bool loaded = !stage_load(&stage, kit, names[i], &err);

		st->name = names[i];
		st->title = xstrdup(loaded && stage.title ? stage.title : names[i]);
		if (status_read_result(st, path, st->name) > 0 && loaded)
			st->edited = edited_since(kit, &stage, path);
		stage_release(&stage);
		sb_release(&err);
		free(path);
	}
	free(names);
}

void status_release(struct status *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].title);
		free(s->v[i].state);
		free(s->v[i].problem);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

size_t status_next(const struct status *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (!s->v[i].graded || s->v[i].score < s->v[i].max_score)
			return i;
	return s->n;
}

/* ---- racecourse status ---- */

/* Columns are counted in characters, not bytes: titles may hold UTF-8. */
static size_t width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void print_padded(const char *s, size_t w)
{
	fputs(s, stdout);
	for (size_t n = width(s); n < w; n++)
		putchar(' ');
}

#define NOT_GRADED "not graded yet"

static const char *state_words(const char *state)
{
	if (!strcmp(state, "compile-error"))
		return "did not compile";
	if (!strcmp(state, "missing"))
		return "file missing";
	if (!strcmp(state, "kit-error"))
		return "could not be graded";
	return NULL;
}

int status_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kit", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kit_arg = NULL;
	const char *ok = "", *bold = "", *dim = "", *off = "";
	size_t name_w = 0, title_w = 0, next, graded = 0;
	struct status s;
	char *kit;
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'K': kit_arg = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc)
		die("status takes no argument '%s'; see racecourse status --help", argv[optind]);
	kit = hint_kit(kit_arg);
	if (!kit)
		die("no kit at %s: %s", kit_arg ? kit_arg : "the grader's folder", strerror(errno));
	status_load(&s, kit);
	if (!s.n)
		die("no stages in %s/assignments: is --kit right?", kit);
	if (isatty(1) && !getenv("NO_COLOR")) {
		ok = "\033[32m";
		bold = "\033[1m";
		dim = "\033[2m";
		off = "\033[0m";
	}

	for (size_t i = 0; i < s.n; i++) {
		name_w = width(s.v[i].name) > name_w ? width(s.v[i].name) : name_w;
		title_w = width(s.v[i].title) > title_w ? width(s.v[i].title) : title_w;
		graded += s.v[i].graded;
	}
	next = status_next(&s);
	printf("%sRacecourse%s: your progress, from your last make grade of each stage\n\n", bold, off);
	for (size_t i = 0; i < s.n; i++) {
		const struct stage_status *st = &s.v[i];
		bool full = st->graded && st->score == st->max_score;
		int seen = hints_seen(kit, st->name), count = hints_count(kit, st->name);

		if (full)
			printf("  %s✓%s ", ok, off);
		else
			printf("  %s ", i == next ? "→" : " ");
		printf("%s", i == next ? bold : "");
		print_padded(st->name, name_w + 2);
		print_padded(st->title, title_w + 2);
		printf("%s", i == next ? off : "");
		if (st->graded) {
			const char *words = state_words(st->state);
			char *score = xstrfmt("%d/%d", st->score, st->max_score);

			printf("%s", full ? ok : "");
			print_padded(score, strlen(NOT_GRADED));
			printf("%s", full ? off : "");
			if (words)
				printf("  %s", words);
			if (st->edited)
				printf("  %s(edited since)%s", dim, off);
			free(score);
		} else {
			printf("%s" NOT_GRADED "%s", dim, off);
		}
		if (count > 0 && (seen > 0 || i == next))
			printf("  %shints: %d of %d seen%s", dim, seen, count, off);
		putchar('\n');
		if (st->problem)
			printf("      %s%s%s\n", dim, st->problem, off);
	}
	putchar('\n');
	if (!graded)
		printf("Nothing graded yet: run make grade (or make grade A=%s to start with the\n"
		       "first stage), then make status again.\n", s.v[0].name);
	else if (next == s.n)
		printf("Every stage at full marks: well done.\n");
	else
		printf("Next: %s. Grade it with make grade A=%s; stuck? make hint A=%s\n",
		       s.v[next].name, s.v[next].name, s.v[next].name);
	status_release(&s);
	free(kit);
	if (fflush(stdout))
		die("cannot write the status: %s", strerror(errno));
	return 0;
}
