/* racecourse batch's stamps: what a result depends on, hashed, so that what is unchanged is not graded again. */
#define _GNU_SOURCE
#include "batch_class.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "gradebook.h"
#include "reaper.h"
#include "strvec.h"

/* Hashing: sha256sum, from coreutils, which every Debian system has. */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Adds the regular files under root/rel (rel may be "") to files, as paths
 * relative to root.  Names that start with a dot (.git, .DS_Store) are left
 * out: the grader never reads them.  Symbolic links to folders are not
 * followed.
 */
static void list_files(const char *root, const char *rel, char ***files, size_t *n, size_t *alloc)
{
	char *path = *rel ? xstrfmt("%s/%s", root, rel) : xstrdup(root);
	DIR *d = opendir(path);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *sub, *full;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		sub = *rel ? xstrfmt("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		full = xstrfmt("%s/%s", root, sub);
		if (!lstat(full, &st) && S_ISDIR(st.st_mode)) {
			list_files(root, sub, files, n, alloc);
			free(sub);
		} else if (!stat(full, &st) && S_ISREG(st.st_mode)) {
			ALLOC_GROW(*files, *n + 1, *alloc);
			(*files)[(*n)++] = sub;
		} else {
			free(sub);
		}
		free(full);
	}
	if (d)
		closedir(d);
	free(path);
}

/* Appends sha256sum's lines for files (relative to dir). Returns 0, or -1. */
static int sha256_files(const char *dir, char **files, size_t n, struct strbuf *listing)
{
	enum { CHUNK = 200 };
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i += CHUNK) {
		struct child c = CHILD_INIT;

		strvec_pushv(&c.args, (const char *[]){ "sha256sum", "--", NULL });
		for (size_t f = i; f < n && f < i + CHUNK; f++)
			strvec_push(&c.args, files[f]);
		c.dir = dir;
		c.timeout = 300;
		c.out_cap = 16 << 20;
		if (child_run(&c) || !child_ok(&c) || c.out_dropped)
			rc = -1;
		else
			sb_add(listing, c.out.buf, c.out.len);
		child_release(&c);
	}
	return rc;
}

/* The SHA-256 of text as 64 hex digits (malloc'd), or NULL. `file` is a scratch path. */
static char *sha256_text(const char *file, const struct strbuf *text)
{
	const char *argv[] = { "sha256sum", "--", file, NULL };
	struct child c = CHILD_INIT;
	char *hex = NULL;

	strvec_pushv(&c.args, argv);
	c.timeout = 60;
	if (!write_file(file, sb_str(text), text->len) && !child_run(&c) && child_ok(&c) &&
	    c.out.len > 64)
		hex = xstrfmt("%.64s", c.out.buf);
	child_release(&c);
	unlink(file);
	return hex;
}

/*
 * What a result depends on besides the submission: the options, the grader
 * and the kit's files for these stages.  NULL when they cannot be read.
 */
static char *kit_listing(const struct batch *b)
{
	struct strbuf sb = STRBUF_INIT;
	char **files = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	sb_addf(&sb, "racecourse batch 1\nstages %s\nseed %s\nscale %s\ndetectors %s\n"
		"time-limit %g\n", b->stage_arg, b->seed ? b->seed : "random",
		b->scale ? b->scale : "1", b->detectors ? b->detectors : "default", b->time_limit);
	list_files(b->kit, "tests/lib", &files, &n, &alloc);
	for (size_t i = 0; i < b->nstages; i++) {
		char *a = xstrfmt("assignments/%s", b->stages[i]);
		char *t = xstrfmt("tests/%s", b->stages[i]);

		list_files(b->kit, a, &files, &n, &alloc);
		list_files(b->kit, t, &files, &n, &alloc);
		free(a);
		free(t);
	}
	qsort(files, n, sizeof(*files), cmp_str);
	ALLOC_GROW(files, n + 1, alloc);
	files[n++] = xstrdup(b->exe);
	rc = sha256_files(b->kit, files, n, &sb);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	if (rc) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

/* The stamp of a job: the hash of the kit's listing and of every file of the submission. */
static char *job_stamp(const struct batch *b, const struct job *j, const char *kit)
{
	struct strbuf sb = STRBUF_INIT;
	char **files = NULL;
	size_t n = 0, alloc = 0;
	char *file, *hex = NULL;
	int rc;

	if (!j->archive) {
		list_files(j->parent, j->entry, &files, &n, &alloc);
		qsort(files, n, sizeof(*files), cmp_str);
	} else {
		files = xcalloc(1, sizeof(*files));
		files[n++] = xstrdup(j->entry);
	}
	sb_adds(&sb, kit);
	if (j->dated)
		sb_addf(&sb, "commit %s at %lld due %lld late %d penalty %g\n", j->pick.commit,
			(long long)j->pick.when, (long long)j->pick.due, j->pick.late_days,
			j->pick.penalty);
	else if (j->undated)
		sb_addf(&sb, "undated: %s\n", j->undated);
	sb_addf(&sb, "submission %zu files\n", n);
	rc = sha256_files(j->parent, files, n, &sb);
	file = xstrfmt("%s/stamp.txt", b->scratch);
	if (!rc)
		hex = sha256_text(file, &sb);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	free(file);
	sb_release(&sb);
	return hex;
}

/* The stamp of every submission, and whether its result is still good (a worker too). */
void batch_stamp_main(struct batch *b)
{
	char *kit = kit_listing(b);

	if (!kit)
		warn("cannot hash the kit's files: every submission is graded");
	for (size_t i = 0; i < b->n && kit && !reaper_interrupted(); i++) {
		struct job *j = &b->v[i];
		struct outcome *o = &b->sh->out[i];
		struct student_meta meta;
		char *dir = xstrfmt("%s/students/%s", b->out, j->id);
		char *results = xstrfmt("%s/results.json", dir);
		char *stamp = job_stamp(b, j, kit);

		if (stamp)
			snprintf(o->stamp, sizeof(o->stamp), "%s", stamp);
		if (!b->force && stamp && !student_meta_read(&meta, dir)) {
			o->skip = meta.stamp && !strcmp(meta.stamp, stamp) &&
				  (is_file(results) || (meta.flags & (GB_BROKEN_ARCHIVE | GB_MISSING)));
			student_meta_release(&meta);
		}
		free(stamp);
		free(results);
		free(dir);
	}
	free(kit);
}
