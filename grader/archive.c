/* Submissions in archives: listing, checking and extracting them with unzip and tar. */
#define _GNU_SOURCE
#include "archive.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "child.h"

char *tool_output(const char **argv, const char *what, struct strbuf *err)
{
	struct child c = CHILD_INIT;
	char *out = NULL;

	strvec_pushv(&c.args, argv);
	c.timeout = 120;
	c.out_cap = 16 << 20;
	if (!child_run(&c) && child_ok(&c) && !c.out_dropped) {
		out = sb_detach(&c.out);
	} else {
		char *how = child_describe(&c);
		const char *text = sb_str(&c.out);
		size_t len;

		/* The tool's first words that say something: unzip starts with "[archive]". */
		for (;;) {
			text += strspn(text, " \t\n");
			if (*text != '[')
				break;
			text += strcspn(text, "\n");
		}
		len = strcspn(text, "\n");
		if (strstr(text, ".  ") && (size_t)(strstr(text, ".  ") - text) < len)
			len = (size_t)(strstr(text, ".  ") - text) + 1;
		if (c.out_dropped)
			sb_addf(err, "%s: too many members", what);
		else if (len && !c.timed_out)
			sb_addf(err, "%s: %.*s", what, (int)(len > 200 ? 200 : len), text);
		else
			sb_addf(err, "%s: %s %s", what, argv[0], how);
		free(how);
	}
	child_release(&c);
	return out;
}

bool archive_unsafe_name(const char *name)
{
	const char *p = name;

	if (*name == '/' || *name == '\\')
		return true;
	while (*p) {
		size_t len = strcspn(p, "/\\");

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += len;
		if (*p)
			p++;
	}
	return false;
}

/* True when some file under dir is a symbolic link (or not a file or folder). */
static bool has_links(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char *path;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		path = xstrfmt("%s/%s", dir, e->d_name);
		if (lstat(path, &st) || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)))
			found = true;
		else if (S_ISDIR(st.st_mode))
			found = has_links(path);
		free(path);
	}
	if (d)
		closedir(d);
	return found;
}

int archive_extract(const char *archive, enum archive_kind kind, const char *into, struct strbuf *err)
{
	const char *name = base_name(archive);
	const char *list[] = { "unzip", "-Z1", archive, NULL };
	const char *types[] = { "unzip", "-Z", archive, NULL };
	const char *unzip[] = { "unzip", "-qq", "-o", archive, "-d", into, NULL };
	const char *tlist[] = { "tar", "-tf", archive, NULL };
	const char *ttypes[] = { "tar", "-tvf", archive, NULL };
	const char *untar[] = { "tar", "-xf", archive, "-C", into, "--no-same-owner",
				"--no-same-permissions", NULL };
	char *names = NULL, *modes = NULL, *out = NULL;
	char *save = NULL;
	int rc = -1;

	if (mkdir_p(into)) {
		sb_addf(err, "cannot create %s: %s", into, strerror(errno));
		return -1;
	}
	names = tool_output(kind == ARCHIVE_ZIP ? list : tlist, name, err);
	if (!names)
		goto out;
	for (char *l = strtok_r(names, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (archive_unsafe_name(l)) {
			sb_addf(err, "%s: the member '%s' would be written outside its folder",
				name, l);
			goto out;
		}
	}
	/* A link could lead a later member out of the folder: only files and folders. */
	modes = tool_output(kind == ARCHIVE_ZIP ? types : ttypes, name, err);
	if (!modes)
		goto out;
	for (char *l = strtok_r(modes, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		bool link = kind == ARCHIVE_ZIP ? *l == 'l' : (*l != '-' && *l != 'd');

		if (link) {
			sb_addf(err, "%s: a member is a link or a special file: %.200s", name, l);
			goto out;
		}
	}
	out = tool_output(kind == ARCHIVE_ZIP ? unzip : untar, name, err);
	if (!out)
		goto out;
	if (has_links(into)) {
		sb_addf(err, "%s: it holds a link or a special file", name);
		goto out;
	}
	rc = 0;
out:
	free(names);
	free(modes);
	free(out);
	return rc;
}

char *archive_descend(const char *parent, const char *rel)
{
	char *cur = xstrdup(rel);

	for (int depth = 0; depth < 4; depth++) {
		char *path = xstrfmt("%s/%s", parent, cur), *only = NULL;
		DIR *d = opendir(path);
		struct dirent *e;
		int count = 0;

		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.' || !strcmp(e->d_name, "__MACOSX"))
				continue;
			count++;
			free(only);
			only = xstrdup(e->d_name);
		}
		if (d)
			closedir(d);
		free(path);
		if (count == 1) {
			char *next = xstrfmt("%s/%s", cur, only);
			char *full = xstrfmt("%s/%s", parent, next);
			struct stat st;
			bool dir = !lstat(full, &st) && S_ISDIR(st.st_mode);

			free(full);
			free(only);
			if (dir) {
				free(cur);
				cur = next;
				continue;
			}
			free(next);
			break;
		}
		free(only);
		break;
	}
	return cur;
}
