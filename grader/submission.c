/* Finding a stage's student files in a submission and staging them. */
#include "submission.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

static bool has_all(const struct stage *st, const char *dir)
{
	for (size_t i = 0; i < st->nstudent_files; i++) {
		char *path = xstrfmt("%s/%s", dir, st->student_files[i]);
		bool found = is_file(path);

		free(path);
		if (!found)
			return false;
	}
	return true;
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

	*out = NULL;
	*n = 0;
	for (int i = 0; i < 3 && !found; i++) {
		char *d = candidate_dir(sub, st->name, i);

		if (is_dir(d) && has_all(st, d)) {
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
	srcs = xcalloc(st->nstudent_files, sizeof(*srcs));
	*out = srcs;
	for (size_t i = 0; i < st->nstudent_files; i++) {
		struct source *src = &srcs[i];
		char *path = xstrfmt("%s/%s", found, st->student_files[i]);

		(*n)++;
		src->name = xstrdup(st->student_files[i]);
		src->display = xstrfmt("%s%s", rel, src->name);
		src->staged = xstrfmt("%s/%s", dir, src->name);
		if (read_file(path, &src->text)) {
			sb_addf(err, "cannot read %s: %s", src->display, strerror(errno));
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
