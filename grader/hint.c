/* Progressive hints: one at a time from hints.md, with what was seen kept in .racecourse/progress. */
#define _GNU_SOURCE
#include "hint.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "stage.h"
#include "status.h"

static const char usage[] =
	"usage: racecourse hint [--stage NAME] [-n N] [--kit DIR]\n"
	"\n"
	"Shows the next hint you have not seen yet, for the stage you are on: the first\n"
	"one not at full marks in your last make grade.  What you have seen is kept in\n"
	"the kit's .racecourse/progress.  After the last hint, points to the handout.\n"
	"\n"
	"  -s, --stage NAME  that stage's hints (its name, or its number: 03)\n"
	"  -n N              hint N, again or for the first time\n"
	"      --kit DIR     the kit's root (default: the folder above the grader)\n"
	"  -h, --help        this text\n";

/* ---- hints.md ---- */

/* One line of a text: [p, p + len), without its newline. */
struct line {
	const char *p;
	size_t len;
};

static bool next_line(const char **cur, const char *end, struct line *l)
{
	const char *nl;

	if (*cur >= end)
		return false;
	nl = memchr(*cur, '\n', (size_t)(end - *cur));
	l->p = *cur;
	l->len = (nl ? nl : end) - *cur;
	*cur = nl ? nl + 1 : end;
	if (l->len && l->p[l->len - 1] == '\r')
		l->len--;
	return true;
}

static bool starts_with(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->len >= n && !memcmp(l->p, prefix, n);
}

static bool is_blank(const struct line *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->p[i] != ' ' && l->p[i] != '\t')
			return false;
	return true;
}

/* A ``` or ~~~ line opens or closes a code block, where '#' starts no heading. */
static bool is_fence(const struct line *l)
{
	size_t i = 0;

	while (i < l->len && i < 3 && l->p[i] == ' ')
		i++;
	return l->len - i >= 3 && (!memcmp(l->p + i, "```", 3) || !memcmp(l->p + i, "~~~", 3));
}

/* A heading of level 1 or 2: "# ..." or "## ...". */
static bool is_section(const struct line *l)
{
	return starts_with(l, "# ") || starts_with(l, "## ") || (l->len == 1 && l->p[0] == '#') ||
	       (l->len == 2 && starts_with(l, "##"));
}

/* "## Hint 3", "## Hint 3: the lock" */
static bool is_hint_heading(const struct line *l)
{
	return l->len > 8 && !memcmp(l->p, "## ", 3) && !strncasecmp(l->p + 3, "hint ", 5) &&
	       l->p[8] >= '0' && l->p[8] <= '9';
}

static void add_hint(struct hints *h, struct strbuf *body)
{
	char *text = sb_detach(body);
	size_t len = strlen(text);

	/* The blank lines after the heading and before the next one are not the hint's. */
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' ' || text[len - 1] == '\t'))
		text[--len] = '\0';
	h->text = xrealloc(h->text, (h->n + 1) * sizeof(*h->text));
	h->text[h->n++] = text;
}

void hints_parse(struct hints *h, const char *text, size_t len)
{
	const char *cur = text, *end = text + len;
	struct strbuf body = STRBUF_INIT;
	bool in_hint = false, fenced = false;
	struct line l;

	h->text = NULL;
	h->n = 0;
	while (next_line(&cur, end, &l)) {
		if (!fenced && is_section(&l)) {
			if (in_hint)
				add_hint(h, &body);
			in_hint = is_hint_heading(&l);
			continue;
		}
		if (is_fence(&l))
			fenced = !fenced;
		if (!in_hint || (!body.len && is_blank(&l)))
			continue;
		sb_add(&body, l.p, l.len);
		sb_add(&body, "\n", 1);
	}
	if (in_hint)
		add_hint(h, &body);
	sb_release(&body);
}

static char *hints_path(const char *kit, const char *stage)
{
	return xstrfmt("%s/assignments/%s/hints.md", kit, stage);
}

int hints_load(struct hints *h, const char *kit, const char *stage)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = hints_path(kit, stage);
	int rc = read_file(path, &sb), saved = errno;

	h->text = NULL;
	h->n = 0;
	if (!rc)
		hints_parse(h, sb.buf, sb.len);
	sb_release(&sb);
	free(path);
	errno = saved;
	return rc;
}

void hints_release(struct hints *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->text[i]);
	free(h->text);
	h->text = NULL;
	h->n = 0;
}

int hints_count(const char *kit, const char *stage)
{
	struct hints h;
	int n;

	if (hints_load(&h, kit, stage))
		return -1;
	n = h.n > INT_MAX ? INT_MAX : (int)h.n;
	hints_release(&h);
	return n;
}

/* ---- .racecourse/progress ---- */

char *hint_progress_path(const char *kit)
{
	return xstrfmt("%s/.racecourse/progress", kit);
}

/* The line's first word is `stage`: it is that stage's line, whatever follows. */
static bool is_stage_line(const struct line *l, const char *stage)
{
	size_t n = strlen(stage);

	return l->len > n && !memcmp(l->p, stage, n) && (l->p[n] == ' ' || l->p[n] == '\t');
}

/* "<stage> hints=<n>" -> n, or -1 when the rest does not parse. */
static int parse_seen(const struct line *l, const char *stage)
{
	const char *p = l->p + strlen(stage), *end = l->p + l->len;
	const char *digits;
	long n = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 6 || memcmp(p, "hints=", 6))
		return -1;
	p += 6;
	for (digits = p; p < end && *p >= '0' && *p <= '9'; p++)
		if ((n = n * 10 + (*p - '0')) > INT_MAX)
			return -1;
	if (p == digits)
		return -1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p == end ? (int)n : -1;
}

int hints_seen(const char *kit, const char *stage)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = hint_progress_path(kit);
	const char *cur, *end;
	struct line l;
	int seen = 0, count;

	if (!read_file(path, &sb)) {
		cur = sb.buf;
		end = sb.buf + sb.len;
		/* The last line that parses wins, as it would have been written last. */
		while (next_line(&cur, end, &l)) {
			int n = is_stage_line(&l, stage) ? parse_seen(&l, stage) : -1;

			if (n >= 0)
				seen = n;
		}
	}
	sb_release(&sb);
	free(path);
	count = hints_count(kit, stage);
	return count >= 0 && seen > count ? count : seen;
}

int hints_set_seen(const char *kit, const char *stage, int seen)
{
	struct strbuf old = STRBUF_INIT, new = STRBUF_INIT;
	char *dir = xstrfmt("%s/.racecourse", kit), *path = hint_progress_path(kit);
	char *tmp = xstrfmt("%s.%ld.tmp", path, (long)getpid());
	const char *cur, *end;
	bool done = false;
	struct line l;
	int rc = -1, saved;

	if (mkdir_p(dir))
		goto out;
	if (read_file(path, &old) && errno != ENOENT)
		goto out;
	cur = old.buf;
	end = old.buf + old.len;
	/* Keep every other line that is text; the stage's own line is replaced where it was. */
	while (cur && next_line(&cur, end, &l)) {
		if (is_stage_line(&l, stage)) {
			if (!done)
				sb_addf(&new, "%s hints=%d\n", stage, seen);
			done = true;
		} else if (l.len && is_text(l.p, l.len)) {
			sb_add(&new, l.p, l.len);
			sb_add(&new, "\n", 1);
		}
	}
	if (!done)
		sb_addf(&new, "%s hints=%d\n", stage, seen);
	if (write_file(tmp, new.buf, new.len) || rename(tmp, path)) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		goto out;
	}
	rc = 0;
out:
	saved = errno;
	sb_release(&old);
	sb_release(&new);
	free(tmp);
	free(path);
	free(dir);
	errno = saved;
	return rc;
}

/* ---- the kit and its stages ---- */

char *hint_kit(const char *given)
{
	return given ? real_path(given) : stage_default_kit();
}

/* ---- racecourse hint ---- */

/* Where the handout explains the ideas: its sections, with their line numbers. */
static void print_handout(const char *kit, const char *stage)
{
	char *path = xstrfmt("%s/assignments/%s/README.md", kit, stage);
	struct strbuf sb = STRBUF_INIT;
	const char *cur, *end;
	bool fenced = false;
	struct line l;
	int lineno = 0;

	if (read_file(path, &sb)) {
		printf("The handout, assignments/%s/README.md, explains the ideas behind them.\n", stage);
		goto out;
	}
	printf("The handout explains the ideas behind them: assignments/%s/README.md,\n"
	       "in these sections:\n", stage);
	cur = sb.buf;
	end = sb.buf + sb.len;
	while (next_line(&cur, end, &l)) {
		lineno++;
		if (is_fence(&l))
			fenced = !fenced;
		else if (!fenced && starts_with(&l, "## "))
			printf("  line %4d  %.*s\n", lineno, (int)(l.len - 3), l.p + 3);
	}
out:
	sb_release(&sb);
	free(path);
}

static void show_hint(const char *stage, const struct hints *h, int k)
{
	printf("%s, hint %d of %zu\n\n%s\n\n", stage, k, h->n, h->text[k - 1]);
	if ((size_t)k < h->n)
		printf("Still stuck after trying it? make hint A=%s shows hint %d.\n", stage, k + 1);
	else
		printf("That was the last hint of %s: next time, make hint A=%s points to the\n"
		       "parts of the handout that explain the ideas.\n", stage, stage);
}

static int parse_number(const char *s)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < 1 || n > INT_MAX)
		return -1;
	return (int)n;
}

/* The stage to help with: the first not at full marks in the last grading. */
static char *current_stage(const char *kit)
{
	struct status s;
	size_t next;
	char *name;

	status_load(&s, kit);
	if (!s.n)
		die("no stages in %s/assignments: is --kit right?", kit);
	next = status_next(&s);
	name = next < s.n ? xstrdup(s.v[next].name) : NULL;
	status_release(&s);
	return name;
}

int hint_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "stage", required_argument, NULL, 's' },
		{ "kit", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *want = NULL, *kit_arg = NULL, *number = NULL;
	struct strbuf err = STRBUF_INIT;
	struct hints h;
	char *kit, *stage;
	int opt, seen, k = 0;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "s:n:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': want = optarg; break;
		case 'n': number = optarg; break;
		case 'K': kit_arg = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc)
		die("hint takes no argument '%s'; see racecourse hint --help", argv[optind]);
	if (number && (k = parse_number(number)) < 0)
		die("-n takes a hint's number, 1 or more, not '%s'", number);
	kit = hint_kit(kit_arg);
	if (!kit)
		die("no kit at %s: %s", kit_arg ? kit_arg : "the grader's folder", strerror(errno));

	if (want) {
		stage = stage_resolve(kit, want, &err);
		if (!stage)
			die("%s", sb_str(&err));
	} else if (!(stage = current_stage(kit))) {
		printf("Every stage is at full marks in your last make grade: well done.\n"
		       "make hint A=<stage> shows a stage's hints again.\n");
		free(kit);
		return 0;
	}
	if (hints_load(&h, kit, stage))
		die("cannot read assignments/%s/hints.md: %s", stage, strerror(errno));
	seen = hints_seen(kit, stage);

	if (k && !h.n)
		die("%s has no hints", stage);
	if (k && (size_t)k > h.n)
		die("%s has %zu hint%s: -n takes 1 to %zu, not %d", stage, h.n, h.n == 1 ? "" : "s",
		    h.n, k);
	if (!k && (size_t)seen < h.n)
		k = seen + 1;
	if (k) {
		show_hint(stage, &h, k);
		/* Seeing one again does not forget the later ones. */
		if (k > seen && hints_set_seen(kit, stage, k))
			warn("cannot remember that you saw this hint, in %s/.racecourse/progress: %s",
			     kit, strerror(errno));
	} else {
		if (h.n)
			printf("You have seen all %zu hints of %s (make hint A=%s N=%zu shows the last "
			       "again).\n", h.n, stage, stage, h.n);
		else
			printf("%s has no hints.\n", stage);
		print_handout(kit, stage);
	}
	if (fflush(stdout))
		die("cannot write the hint: %s", strerror(errno));
	hints_release(&h);
	sb_release(&err);
	free(stage);
	free(kit);
	return 0;
}
