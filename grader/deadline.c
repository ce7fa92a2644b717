/* Deadlines and late days: which commit of a student's repository is graded, and how late it was. */
#define _GNU_SOURCE
#include "deadline.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "gradebook.h"

/* ---- times ---- */

/* "Z", "+0100", "+01:00", "-05": seconds east of UTC in *off.  Returns 0, or -1. */
static int parse_zone(const char *s, long *off)
{
	int sign, hh, mm = 0;

	if (!strcmp(s, "Z") || !strcmp(s, "UTC")) {
		*off = 0;
		return 0;
	}
	if (*s != '+' && *s != '-')
		return -1;
	sign = *s++ == '-' ? -1 : 1;
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	hh = (s[0] - '0') * 10 + (s[1] - '0');
	s += 2;
	if (*s == ':')
		s++;
	if (*s) {
		if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2])
			return -1;
		mm = (s[0] - '0') * 10 + (s[1] - '0');
	}
	if (hh > 14 || mm > 59)
		return -1;
	*off = sign * (hh * 3600L + mm * 60L);
	return 0;
}

int deadline_parse_time(const char *s, time_t *t)
{
	static const char *const forms[] = { "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
					     "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M" };
	struct tm tm;
	const char *end = NULL;
	long off;

	for (size_t i = 0; i < sizeof(forms) / sizeof(*forms) && !end; i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, forms[i], &tm);
		/* "%M" alone must not stop in the middle of "23:59:30" */
		if (end && *end == ':')
			end = NULL;
	}
	if (!end)
		return -1;
	while (*end == ' ')
		end++;
	if (!*end) {
		tm.tm_isdst = -1;
		*t = mktime(&tm);
		return *t == (time_t)-1 ? -1 : 0;
	}
	if (parse_zone(end, &off))
		return -1;
	*t = timegm(&tm) - off;
	return 0;
}

void deadline_format_time(time_t t, char buf[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%d %H:%M:%S +0000", &tm);
}

/* ---- extensions.csv and pushes.csv ---- */

/* Reads a CSV with exactly these columns; calls add() for each row.  Returns 0, or -1. */
static int read_table(struct deadline_policy *p, const char *path, const char *const *cols,
		      size_t ncols, int (*add)(struct deadline_policy *, char **, struct strbuf *),
		      struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	char **f = NULL;
	size_t n = 0, pos = 0;
	int got, rc = -1;

	if (read_file(path, &text)) {
		sb_addf(err, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	got = csv_read_record(sb_str(&text), &pos, &f, &n);
	for (size_t i = 0; got == 1 && i < ncols; i++)
		if (n != ncols || strcmp(f[i], cols[i]))
			got = -1;
	if (got != 1) {
		sb_addf(err, "%s: its first line must be %s", path, cols[0]);
		for (size_t i = 1; i < ncols; i++)
			sb_addf(err, ",%s", cols[i]);
		goto out;
	}
	for (size_t line = 2;; line++) {
		csv_free_fields(f, n);
		f = NULL;
		got = csv_read_record(sb_str(&text), &pos, &f, &n);
		if (!got)
			break;
		if (got < 0 || n != ncols) {
			sb_addf(err, "%s: line %zu does not have the %zu columns of the header", path,
				line, ncols);
			goto out;
		}
		if (add(p, f, &why)) {
			sb_addf(err, "%s: line %zu: %s", path, line, sb_str(&why));
			goto out;
		}
	}
	rc = 0;
out:
	csv_free_fields(f, n);
	sb_release(&text);
	sb_release(&why);
	return rc;
}

static int add_extension(struct deadline_policy *p, char **f, struct strbuf *why)
{
	time_t when;

	if (!*f[0] || deadline_parse_time(f[1], &when)) {
		sb_addf(why, "'%s' is not a time like 2026-12-01 23:59", f[1]);
		return -1;
	}
	for (size_t i = 0; i < p->next; i++)
		if (!strcmp(p->ext[i].id, f[0])) {
			sb_addf(why, "%s has two extensions", f[0]);
			return -1;
		}
	ALLOC_GROW(p->ext, p->next + 1, p->ext_alloc);
	p->ext[p->next++] = (struct deadline_entry){ xstrdup(f[0]), NULL, when };
	return 0;
}

static int add_push(struct deadline_policy *p, char **f, struct strbuf *why)
{
	size_t len = strlen(f[1]);
	time_t when;

	if (!*f[0] || len < 7 || len > 40 || strspn(f[1], "0123456789abcdef") != len) {
		sb_addf(why, "'%s' is not a commit's hexadecimal name", f[1]);
		return -1;
	}
	if (deadline_parse_time(f[2], &when)) {
		sb_addf(why, "'%s' is not a time like 2026-12-01 23:59", f[2]);
		return -1;
	}
	ALLOC_GROW(p->pushes, p->npushes + 1, p->pushes_alloc);
	p->pushes[p->npushes++] = (struct deadline_entry){ xstrdup(f[0]), xstrdup(f[1]), when };
	return 0;
}

int deadline_read_extensions(struct deadline_policy *p, const char *path, struct strbuf *err)
{
	static const char *const cols[] = { "id", "deadline" };

	return read_table(p, path, cols, 2, add_extension, err);
}

int deadline_read_pushes(struct deadline_policy *p, const char *path, struct strbuf *err)
{
	static const char *const cols[] = { "id", "commit", "pushed_at" };

	return read_table(p, path, cols, 3, add_push, err);
}

void deadline_policy_release(struct deadline_policy *p)
{
	for (size_t i = 0; i < p->next; i++)
		free(p->ext[i].id);
	for (size_t i = 0; i < p->npushes; i++) {
		free(p->pushes[i].id);
		free(p->pushes[i].commit);
	}
	free(p->ext);
	free(p->pushes);
	memset(p, 0, sizeof(*p));
}

time_t deadline_due(const struct deadline_policy *p, const char *id)
{
	for (size_t i = 0; i < p->next; i++)
		if (!strcmp(p->ext[i].id, id))
			return p->ext[i].when;
	return p->deadline;
}

/* ---- the repository ---- */

bool deadline_is_repository(const char *dir, struct strbuf *why)
{
	char *git = xstrfmt("%s/.git", dir);
	char *alt = xstrfmt("%s/.git/objects/info/alternates", dir);
	struct stat st;
	bool ok = false;

	if (lstat(git, &st))
		sb_adds(why, "not a git repository (no .git folder)");
	else if (!S_ISDIR(st.st_mode))
		sb_adds(why, "its .git is not a folder (a worktree or a link to another repository)");
	else if (!lstat(alt, &st))
		sb_adds(why, "its .git/objects/info/alternates reads other repositories");
	else
		ok = true;
	free(git);
	free(alt);
	return ok;
}

/*
 * git on a student's repository, as a trusted tool: by --git-dir (no work
 * tree, so no checkout filters), whoever owns it, and with what its own
 * configuration could run (fsmonitor, archive filters) overridden.
 */
static char *git_output(const char *repo, const char **args, struct strbuf *err)
{
	const char *argv[16];
	char *gitdir = xstrfmt("%s/.git", repo), *out;
	size_t k = 0;

	argv[k++] = "git";
	argv[k++] = "-c";
	argv[k++] = "safe.directory=*";
	argv[k++] = "-c";
	argv[k++] = "core.fsmonitor=false";
	argv[k++] = "--git-dir";
	argv[k++] = gitdir;
	while (*args && k < sizeof(argv) / sizeof(*argv) - 1)
		argv[k++] = *args++;
	argv[k] = NULL;
	out = tool_output(argv, "git", err);
	free(gitdir);
	return out;
}

static void set_lateness(const struct deadline_policy *p, struct deadline_pick *pick)
{
	double late = difftime(pick->when, pick->due);

	pick->late_days = late > 0 ? (int)ceil(late / DAY_SECONDS) : 0;
	pick->penalty = fmin(100.0, pick->late_days * p->penalty);
}

int deadline_pick(const struct deadline_policy *p, const char *id, const char *repo,
		  struct deadline_pick *pick, struct strbuf *err)
{
	const char *log[] = { "log", "--first-parent", "--format=%H %ct", "HEAD", "--", NULL };
	char when[32], *out, *save = NULL;
	time_t last;
	bool found = false;

	memset(pick, 0, sizeof(*pick));
	pick->due = deadline_due(p, id);
	last = pick->due + (time_t)p->late_days * DAY_SECONDS;
	if (p->npushes) {
		/* The server's clock: the head of the last push by then. */
		for (size_t i = 0; i < p->npushes; i++) {
			const struct deadline_entry *e = &p->pushes[i];

			if (strcmp(e->id, id) || e->when > last || (found && e->when < pick->when))
				continue;
			snprintf(pick->commit, sizeof(pick->commit), "%s", e->commit);
			pick->when = e->when;
			pick->pushed = found = true;
		}
	} else {
		/* The commits' own times, newest first along HEAD's first parents. */
		out = git_output(repo, log, err);
		if (!out)
			return -1;
		for (char *l = strtok_r(out, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save)) {
			char hex[41];
			long long t;

			if (sscanf(l, "%40[0-9a-f] %lld", hex, &t) == 2 && (time_t)t <= last) {
				memcpy(pick->commit, hex, sizeof(hex));
				pick->when = (time_t)t;
				found = true;
			}
		}
		free(out);
	}
	if (!found) {
		deadline_format_time(last, when);
		sb_addf(err, "no %s by %s%s", p->npushes ? "push" : "commit", when,
			p->late_days ? " (the deadline and the late days)" : " (the deadline)");
		return -1;
	}
	set_lateness(p, pick);
	return 0;
}

int deadline_checkout(const char *repo, const char *commit, const char *into, const char *scratch,
		      struct strbuf *err)
{
	char *tar = xstrfmt("%s/%s.tar", scratch, commit);
	/* "tar" is built into git: no filter of the repository's configuration runs */
	const char *args[] = { "archive", "--format=tar", "-o", tar, commit, NULL };
	char *out = git_output(repo, args, err);
	int rc = -1;

	if (out)
		rc = archive_extract(tar, ARCHIVE_TAR, into, err);
	unlink(tar);
	free(out);
	free(tar);
	return rc;
}
