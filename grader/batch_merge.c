/* racecourse batch-merge and batch-report, and the gradebook every batch command writes. */
#define _GNU_SOURCE
#include "batch.h"
#include "batch_class.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradebook.h"
#include "gradebook_html.h"
#include "stage.h"

char *batch_resolve_kit(const char *arg)
{
	char *kit = arg ? real_path(arg) : stage_default_kit();

	if (!kit && arg)
		die("no kit at %s: %s", arg, strerror(errno));
	if (!kit)
		die("cannot find the grader's own path: %s", strerror(errno));
	return kit;
}

/* Writes OUT/gradebook.csv and OUT/report.html for these students. */
int batch_write_gradebook(const char *out, const char *kit, char *const *stages, size_t nstages,
			  char *const *ids, size_t nids)
{
	struct gradebook gb;
	struct strbuf err = STRBUF_INIT;
	char *csv = xstrfmt("%s/gradebook.csv", out);
	char *html = xstrfmt("%s/report.html", out);
	int rc = 0;

	gradebook_init(&gb, kit, stages, nstages);
	for (size_t i = 0; i < nids; i++) {
		if (gradebook_add(&gb, out, ids[i], &err)) {
			warn("%s", sb_str(&err));
			sb_release(&err);
		}
	}
	if (gradebook_write_csv(&gb, csv)) {
		warn("cannot write %s: %s", csv, strerror(errno));
		rc = -1;
	}
	if (gradebook_write_html(&gb, base_name(out), html)) {
		warn("cannot write %s: %s", html, strerror(errno));
		rc = -1;
	}
	gradebook_release(&gb);
	free(csv);
	free(html);
	return rc;
}

static const char merge_usage[] =
	"usage: racecourse batch-merge OUT... --out DIR\n"
	"\n"
	"Joins the gradebooks and student folders of several batches (shards of a\n"
	"class) into DIR: gradebook.csv, report.html and students/.\n"
	"\n"
	"  -o, --out DIR   where to write (required)\n"
	"      --kit DIR   the kit's root (default: the folder above the grader)\n"
	"  -h, --help      this text\n";

struct merged {
	char *id;
	const char *from;
};

static int cmp_merged(const void *a, const void *b)
{
	return strcmp(((const struct merged *)a)->id, ((const struct merged *)b)->id);
}

/* Copies the files of one student folder; the folder's old files go. */
static void copy_student(const char *from, const char *to)
{
	DIR *d;
	struct dirent *e;

	if (remove_tree(to) || mkdir_p(to))
		die("cannot write %s: %s", to, strerror(errno));
	d = opendir(from);
	if (!d)
		die("cannot read %s: %s", from, strerror(errno));
	while ((e = readdir(d))) {
		char *src = xstrfmt("%s/%s", from, e->d_name);
		char *dst = xstrfmt("%s/%s", to, e->d_name);

		if (is_file(src) && copy_file(src, dst))
			die("cannot copy %s to %s: %s", src, dst, strerror(errno));
		free(src);
		free(dst);
	}
	closedir(d);
}

int batch_merge_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "kit", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_arg = NULL, *kit_arg = NULL;
	char **stages = NULL, *out, *kit, **ids;
	size_t nstages = 0, n = 0, alloc = 0;
	struct merged *all = NULL;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': out_arg = optarg; break;
		case 'K': kit_arg = optarg; break;
		case 'h': fputs(merge_usage, stdout); return 0;
		default: fputs(merge_usage, stderr); return 2;
		}
	}
	if (!out_arg)
		die("batch-merge needs --out DIR: where to write the merged gradebook");
	if (optind >= argc)
		die("batch-merge needs the batches' folders to merge; see racecourse batch-merge --help");
	kit = batch_resolve_kit(kit_arg);

	for (int i = optind; i < argc; i++) {
		char *csv = xstrfmt("%s/gradebook.csv", argv[i]);
		struct strbuf err = STRBUF_INIT;
		char **st, **these;
		size_t nst, nthese;

		if (gradebook_read_csv(csv, &st, &nst, &these, &nthese, &err))
			die("%s", sb_str(&err));
		if (i == optind) {
			stages = st;
			nstages = nst;
		} else {
			bool same = nst == nstages;

			for (size_t k = 0; same && k < nst; k++)
				same = !strcmp(st[k], stages[k]);
			if (!same)
				die("%s graded other stages than %s: grade every shard with the "
				    "same --stage", argv[i], argv[optind]);
			for (size_t k = 0; k < nst; k++)
				free(st[k]);
			free(st);
		}
		for (size_t k = 0; k < nthese; k++) {
			ALLOC_GROW(all, n + 1, alloc);
			all[n].id = these[k];
			all[n++].from = argv[i];
		}
		free(these);
		free(csv);
	}
	qsort(all, n, sizeof(*all), cmp_merged);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(all[i - 1].id, all[i].id))
			die("the student '%s' is in both %s and %s", all[i].id, all[i - 1].from,
			    all[i].from);

	{
		char *students = xstrfmt("%s/students", out_arg);

		if (mkdir_p(students))
			die("cannot create %s: %s", students, strerror(errno));
		free(students);
	}
	out = real_path(out_arg);
	ids = xcalloc(n ? n : 1, sizeof(*ids));
	for (size_t i = 0; i < n; i++) {
		char *from = xstrfmt("%s/students/%s", all[i].from, all[i].id);
		char *to = xstrfmt("%s/students/%s", out, all[i].id);
		char *rfrom = real_path(from), *rto = real_path(to);

		/* Merging into one of the batches themselves leaves its students where they are. */
		if (!rfrom)
			warn("%s has no folder for %s: it is merged as not graded", all[i].from, all[i].id);
		else if (!rto || strcmp(rfrom, rto))
			copy_student(from, to);
		ids[i] = all[i].id;
		free(rfrom);
		free(rto);
		free(from);
		free(to);
	}
	rc = batch_write_gradebook(out, kit, stages, nstages, ids, n) ? 1 : 0;
	printf("merged %zu students from %d gradebooks\ngradebook: %s/gradebook.csv\n"
	       "report: %s/report.html\n", n, argc - optind, out, out);

	for (size_t i = 0; i < n; i++)
		free(all[i].id);
	free(all);
	free(ids);
	for (size_t i = 0; i < nstages; i++)
		free(stages[i]);
	free(stages);
	free(out);
	free(kit);
	return rc;
}

static const char report_usage[] =
	"usage: racecourse batch-report [--kit DIR] OUT\n"
	"\n"
	"Writes OUT/report.html again from OUT/gradebook.csv and OUT/students/.\n";

int batch_report_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kit", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kit_arg = NULL;
	char *html, *kit;
	struct strbuf err = STRBUF_INIT;
	struct gradebook gb;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'K': kit_arg = optarg; break;
		case 'h': fputs(report_usage, stdout); return 0;
		default: fputs(report_usage, stderr); return 2;
		}
	}
	if (argc - optind != 1)
		die("batch-report takes one batch folder; see racecourse batch-report --help");
	kit = batch_resolve_kit(kit_arg);
	html = xstrfmt("%s/report.html", argv[optind]);
	if (gradebook_load(&gb, argv[optind], kit, &err))
		die("%s", sb_str(&err));
	if (gradebook_write_html(&gb, base_name(argv[optind]), html))
		die("cannot write %s: %s", html, strerror(errno));
	printf("report: %s\n", html);
	gradebook_release(&gb);
	free(html);
	free(kit);
	return 0;
}
