/* ThreadSanitizer's and AddressSanitizer's report text, read into warnings: stacks of frames. */
#include "tsan_text.h"

#include <stdlib.h>

#include "util.h"

/* A trailing ":N" of s[0..*end), cut off; -1 when there is none. */
static int cut_number(const char *s, size_t *end)
{
	size_t i = *end;

	while (i > 0 && tsan_is_digit(s[i - 1]))
		i--;
	if (i == *end || i == 0 || s[i - 1] != ':' || *end - i > 9)
		return -1;
	*end = i - 1;
	return atoi(s + i);
}

/*
 * One frame, after its "#N ": "func /path/file.c:12:5 (binary+0x1a2b)",
 * "func (libc.so.6+0x29d8f)", "<null> <null>".  The path may hold spaces,
 * so the module is taken off the end first, then the function off the
 * front: a path of the program's own starts at " /".
 */
static void parse_frame(const char *s, struct tframe *fr)
{
	char *t = xstrdup(s);
	size_t end = strlen(t);
	char *loc = NULL;

	memset(fr, 0, sizeof(*fr));
	while (end && tsan_is_space(t[end - 1]))
		end--;
	while (end && t[end - 1] == ')') {
		size_t open = end - 1;

		while (open > 0 && !(t[open] == '(' && t[open - 1] == ' '))
			open--;
		if (!open)
			break;
		if (tsan_starts_with(t + open + 1, "BuildId:")) {
			end = open - 1;
			continue;
		}
		t[end - 1] = '\0';
		if (strstr(t + open + 1, "+0x")) {
			fr->lib = strstr(t + open + 1, ".so") != NULL;
			end = open - 1;
		} else {
			t[end - 1] = ')';	/* a function's own parentheses */
		}
		break;
	}
	t[end] = '\0';
	if ((loc = strstr(t, " /")) || (loc = strrchr(t, ' '))) {
		*loc++ = '\0';
		if (strcmp(loc, "<null>")) {
			size_t lend = strlen(loc);
			int a = cut_number(loc, &lend), b = a >= 0 ? cut_number(loc, &lend) : -1;

			fr->line = b >= 0 ? b : a > 0 ? a : 0;
			fr->file = xstrndup(loc, lend);
		}
	}
	if (*t && strcmp(t, "<null>"))
		fr->fn = xstrdup(t);
	free(t);
}

static void block_release(struct tblock *b)
{
	for (size_t i = 0; i < b->n; i++) {
		for (size_t j = 0; j < b->stacks[i].n; j++) {
			free(b->stacks[i].frames[j].fn);
			free(b->stacks[i].frames[j].file);
		}
		free(b->stacks[i].frames);
		free(b->stacks[i].label);
	}
	for (size_t i = 0; i < b->nnotes; i++)
		free(b->notes[i]);
	free(b->stacks);
	free(b->notes);
	free(b->what);
	memset(b, 0, sizeof(*b));
}

static struct tstack *new_stack(struct tblock *b, char *label)
{
	if (b->n == MAX_STACKS) {
		free(label);
		return NULL;
	}
	ALLOC_GROW(b->stacks, b->n + 1, b->alloc);
	memset(&b->stacks[b->n], 0, sizeof(*b->stacks));
	b->stacks[b->n].label = label;
	return &b->stacks[b->n++];
}

static void add_frame(struct tblock *b, int number, const char *text)
{
	struct tstack *s = b->n ? &b->stacks[b->n - 1] : NULL;

	/* Frames before any section (a misuse's), or a new #0 without one. */
	if (!s || (s->n && !number))
		s = new_stack(b, NULL);
	if (!s || s->n == MAX_FRAMES)
		return;
	ALLOC_GROW(s->frames, s->n + 1, s->alloc);
	parse_frame(text, &s->frames[s->n++]);
}

/* Where a frame line's "#N " ends, with N, or NULL when the line is no frame. */
static const char *frame_text(const char *line, int *number)
{
	const char *s = line, *p;

	while (tsan_is_space(*s))
		s++;
	if (*s != '#') {
		/* The program's output, unterminated, then a frame. */
		s = strstr(line, "    #");
		if (!s)
			return NULL;
		s += 4;
	}
	p = s + 1;
	if (!tsan_is_digit(*p))
		return NULL;
	*number = atoi(p);
	while (tsan_is_digit(*p))
		p++;
	if (*p++ != ' ')
		return NULL;
	/* AddressSanitizer's frames give the pc first: "0x55913dfcb1d5 in main /a.c:2" */
	if (tsan_starts_with(p, "0x")) {
		p += 2;
		while (tsan_is_digit(*p) || (*p >= 'a' && *p <= 'f'))
			p++;
		while (tsan_is_space(*p))
			p++;
		if (tsan_starts_with(p, "in "))
			p += 3;
	}
	return p;
}

/* The section lines TSan writes, two spaces in. */
static void add_section(struct tblock *b, const char *text)
{
	static const char *const known[] = {
		"Write of size", "Read of size", "Atomic ", "Previous ", "Location is ", "Mutex ",
		"Thread T", "Cycle in lock order graph", "and:",
	};
	size_t len = strlen(text);

	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++) {
		if (!tsan_starts_with(text, known[i]))
			continue;
		if (len && text[len - 1] == ':') {
			new_stack(b, xstrndup(text, len - 1));
		} else if (b->nnotes < MAX_NOTES) {
			ALLOC_GROW(b->notes, b->nnotes + 1, b->notes_alloc);
			b->notes[b->nnotes++] = xstrdup(text);
		}
		return;
	}
}

/*
 * AddressSanitizer's section lines, at the start of the line: "READ of size
 * 4 at 0x6020 thread T0" becomes TSan's "Read of size 4 at 0x6020 by thread
 * T0", so that the access reads the same; "freed by thread T0 here:" and
 * the like open a stack.
 */
static void add_asan_section(struct tblock *b, const char *text)
{
	size_t len = strlen(text);

	if (tsan_starts_with(text, "READ of size") || tsan_starts_with(text, "WRITE of size")) {
		struct strbuf sb = STRBUF_INIT;
		const char *t = strstr(text, " thread T");

		sb_addf(&sb, "%c%.*s", text[0], (int)((t ? t : text + len) - text - 1), text + 1);
		for (size_t i = 1; i < 5 && sb.buf[i] && sb.buf[i] != ' '; i++)
			sb.buf[i] = (char)(sb.buf[i] - 'A' + 'a');
		if (t)
			sb_addf(&sb, " by%s", t);
		new_stack(b, sb_detach(&sb));
	} else if (len > 6 && !strcmp(text + len - 6, " here:")) {
		new_stack(b, xstrndup(text, len - 6));
	} else if (strstr(text, " is located ")) {
		/* "... is located in stack of thread T0 at offset 80 in frame": its frames follow */
		if (b->nnotes < MAX_NOTES) {
			ALLOC_GROW(b->notes, b->nnotes + 1, b->notes_alloc);
			b->notes[b->nnotes++] = xstrdup(text);
		}
		new_stack(b, xstrdup("located"));
	}
}

/* TSan's line of 18 '=' around a warning, maybe after the program's unterminated output. */
static bool is_separator(const char *line)
{
	static const char sep[] = "==================";
	size_t len = strlen(line), n = sizeof(sep) - 1;

	return len >= n && !strcmp(line + len - n, sep) && (len == n || line[len - n - 1] != '=');
}

/* "data race (pid=123)" without the pid. */
static char *warning_words(const char *s)
{
	size_t len = strlen(s);
	const char *pid;

	while (len && tsan_is_space(s[len - 1]))
		len--;
	pid = len ? strstr(s, " (pid=") : NULL;
	if (pid && s[len - 1] == ')')
		len = (size_t)(pid - s);
	return xstrndup(s, len);
}

/* "heap-use-after-free on address 0x... at pc ..." without the addresses. */
static char *error_words(const char *s)
{
	const char *on = strstr(s, " on ");

	return on ? xstrndup(s, (size_t)(on - s)) : warning_words(s);
}

void tsan_text_read(const char *text, size_t len, void (*fn)(const struct tblock *b, void *arg),
		    void *arg)
{
	struct tblock b;
	bool open = false;
	size_t pos = 0;

	memset(&b, 0, sizeof(b));
	while (text && pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		const char *w, *fr;
		char *line;
		size_t n;
		int number;

		/* An unterminated last line was cut short: its line number may be too. */
		if (!nl)
			break;
		n = (size_t)(nl - (text + pos));
		if (n && text[pos + n - 1] == '\r')
			n--;
		line = xstrndup(text + pos, n);
		pos = (size_t)(nl - text) + 1;

		if ((w = strstr(line, "WARNING: ThreadSanitizer: ")) ||
		    (w = strstr(line, "ERROR: AddressSanitizer: "))) {
			bool asan = w[0] == 'E';

			if (open)
				fn(&b, arg);
			block_release(&b);
			b.what = asan ? error_words(w + 25) : warning_words(w + 26);
			b.asan = asan;
			open = true;
		} else if (strstr(line, "SUMMARY: ThreadSanitizer:") ||
			   strstr(line, "SUMMARY: AddressSanitizer:") || is_separator(line)) {
			if (open)
				fn(&b, arg);
			block_release(&b);
			open = false;
		} else if (open && (fr = frame_text(line, &number))) {
			add_frame(&b, number, fr);
		} else if (open && line[0] == ' ' && line[1] == ' ' && !tsan_is_space(line[2])) {
			add_section(&b, line + 2);
		} else if (open && b.asan && line[0] && !tsan_is_space(line[0])) {
			add_asan_section(&b, line);
		}
		free(line);
	}
	/* A warning cut short keeps the sites it had. */
	if (open)
		fn(&b, arg);
	block_release(&b);
}
