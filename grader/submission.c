/* Finding a stage's student files in a submission and staging them. */
#define _GNU_SOURCE
#include "submission.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The largest student file read: sources are kilobytes, not megabytes. */
#define SOURCE_MAX (1 << 20)

/* The folders of a submission where a stage's files may be, in order. */
static char *candidate_dir(const char *sub, const char *stage, int which)
{
	switch (which) {
	case 0: return xstrfmt("%s/starter/%s", sub, stage);
	case 1: return xstrfmt("%s/%s", sub, stage);
	case 2: return xstrdup(sub);
	default: return NULL;
	}
}

/*
 * Is `dir` a folder of the submission, itself and every folder between it
 * and `sub` a real folder, not a link (which could lead to the kit)?
 */
static bool real_dir(const char *sub, const char *dir)
{
	char *path = xstrdup(dir);
	size_t base = strlen(sub);
	bool ok = true;
	struct stat st;

	while (ok && strlen(path) > base) {
		char *slash;

		ok = !lstat(path, &st) && S_ISDIR(st.st_mode);
		slash = strrchr(path, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	free(path);
	return ok;
}

/* Is there anything at path (a link or a FIFO counts: then it is refused by name)? */
static bool exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

static bool has_all(const struct stage *st, const char *dir)
{
	for (size_t i = 0; i < st->nstudent_files; i++) {
		char *path = xstrfmt("%s/%s", dir, st->student_files[i]);
		bool found = exists(path);

		free(path);
		if (!found)
			return false;
	}
	return true;
}

/*
 * Reads a student's file as the regular file it must be, never through a
 * link: the grader may run as root, and a link (or a hard link) in a
 * folder submission could make it read the solutions or a file only root
 * may read, and quote it back in the compiler's errors.  Returns 0, or -1
 * with a message for the student in err.
 */
static int read_source(const char *path, const char *display, const struct stat *folder,
		       struct strbuf *text, struct strbuf *err)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	int rc = -1;

	if (fd < 0) {
		if (errno == ELOOP)
			sb_addf(err, "%s is a symbolic link: submit the file itself, not a link to it",
				display);
		else
			sb_addf(err, "cannot read %s: %s", display, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		sb_addf(err, "cannot read %s: %s", display, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		sb_addf(err, "%s is not a regular file (a FIFO, a device or a folder?): submit "
			"the file itself", display);
	} else if (st.st_nlink > 1 && st.st_uid != folder->st_uid) {
		sb_addf(err, "%s is a hard link to a file its folder's owner does not own: "
			"submit a copy of your own file", display);
	} else if (st.st_size > SOURCE_MAX) {
		sb_addf(err, "%s is too large (%lld bytes; at most %d): is it your source file?",
			display, (long long)st.st_size, SOURCE_MAX);
	} else if (read_fd(fd, text, SOURCE_MAX)) {
		sb_addf(err, "cannot read %s: %s", display, strerror(errno));
	} else {
		rc = 0;
	}
	close(fd);
	return rc;
}

static void split_lines(struct source *src)
{
	char *copy = xmalloc(src->text.len + 1), *p = copy;
	size_t alloc = 0;

	memcpy(copy, sb_str(&src->text), src->text.len + 1);
	while (*p) {
		char *nl = strchr(p, '\n');

		ALLOC_GROW(src->lines, src->nlines + 1, alloc);
		src->lines[src->nlines++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	if (!src->lines) {
		/* An empty file: keep the copy reachable for sources_free(). */
		src->lines = xcalloc(1, sizeof(*src->lines));
		src->lines[0] = copy;
	}
}

int submission_stage(const struct stage *st, const char *sub, const char *display_prefix,
		     const char *dir, struct source **out, size_t *n, struct strbuf *err)
{
	char *found = NULL, *rel = NULL;
	struct source *srcs;
	struct stat folder;

	*out = NULL;
	*n = 0;
	for (int i = 0; i < 3 && !found; i++) {
		char *d = candidate_dir(sub, st->name, i);

		if (is_dir(d) && real_dir(sub, d) && has_all(st, d)) {
			found = d;
			rel = i == 0 ? xstrfmt("%s/starter/%s/", display_prefix, st->name)
			    : i == 1 ? xstrfmt("%s/%s/", display_prefix, st->name)
			    : xstrfmt("%s/", display_prefix);
		} else {
			free(d);
		}
	}
	if (!found) {
		sb_addf(err, "%s not found in %s (looked in %s/starter/%s/, %s/%s/ and %s/)",
			st->student_files[0], display_prefix, display_prefix, st->name,
			display_prefix, st->name, display_prefix);
		return -1;
	}
	if (mkdir_p(dir)) {
		sb_addf(err, "cannot create %s: %s", dir, strerror(errno));
		goto fail;
	}
	if (stat(found, &folder)) {
		sb_addf(err, "cannot read %s: %s", rel, strerror(errno));
		goto fail;
	}
	srcs = xcalloc(st->nstudent_files, sizeof(*srcs));
	*out = srcs;
	for (size_t i = 0; i < st->nstudent_files; i++) {
		struct source *src = &srcs[i];
		char *path = xstrfmt("%s/%s", found, st->student_files[i]);

		(*n)++;
		src->name = xstrdup(st->student_files[i]);
		src->display = xstrfmt("%s%s", rel, src->name);
		src->staged = xstrfmt("%s/%s", dir, src->name);
		if (read_source(path, src->display, &folder, &src->text, err)) {
			free(path);
			goto fail;
		}
		free(path);
		if (!src->text.len) {
			sb_addf(err, "%s is empty", src->display);
			goto fail;
		}
		if (!is_text(sb_str(&src->text), src->text.len)) {
			sb_addf(err, "%s is not a text file (it has control characters): is it a binary?",
				src->display);
			goto fail;
		}
		if (write_file(src->staged, sb_str(&src->text), src->text.len)) {
			sb_addf(err, "cannot write %s: %s", src->staged, strerror(errno));
			goto fail;
		}
		split_lines(src);
	}
	free(found);
	free(rel);
	return 0;
fail:
	free(found);
	free(rel);
	return -1;
}

void sources_free(struct source *srcs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(srcs[i].name);
		free(srcs[i].display);
		free(srcs[i].staged);
		sb_release(&srcs[i].text);
		if (srcs[i].lines)
			free(srcs[i].lines[0]);
		free(srcs[i].lines);
	}
	free(srcs);
}

const char *source_line(const struct source *src, int line)
{
	if (line < 1 || (size_t)line > src->nlines)
		return NULL;
	return src->lines[line - 1];
}
