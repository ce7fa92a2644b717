/* Where the threads of a test that timed out were: gdb's stacks, in plain words. */
#include "stacks.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

struct frame {
	char *fn;
	char *args;		/* what gdb printed between the parentheses */
	char *file;
	int line;
};

struct thread {
	int id;
	struct frame *frames;
	size_t nframes, alloc;
};

/*
 * One line of "thread apply all bt":
 *   #3  ___pthread_mutex_lock (mutex=mutex@entry=0x... <b>) at ./nptl/pthread_mutex_lock.c:93
 *   #4  0x0000561c49f7b4ef in t2 (p=<optimized out>) at dl.c:6
 *   #1  0x00007f6f in nn_poller_wait () from /lib/x86_64-linux-gnu/libnanomsg.so.5
 */
static bool parse_frame(const char *line, struct frame *f)
{
	const char *p = line + 1, *open, *close, *at;

	memset(f, 0, sizeof(*f));
	while (*p >= '0' && *p <= '9')
		p++;
	while (*p == ' ')
		p++;
	if (!strncmp(p, "0x", 2)) {
		const char *in = strstr(p, " in ");

		if (!in)
			return false;
		p = in + 4;
	}
	open = strstr(p, " (");
	if (!open)
		return false;
	f->fn = xstrfmt("%.*s", (int)(open - p), p);
	close = strrchr(open, ')');
	f->args = close ? xstrfmt("%.*s", (int)(close - open - 2), open + 2) : xstrdup("");
	at = strstr(close ? close : open, ") at ");
	if (at) {
		const char *path = at + 5, *colon = strrchr(path, ':');

		if (colon) {
			f->file = xstrfmt("%.*s", (int)(colon - path), path);
			f->line = atoi(colon + 1);
		}
	}
	return true;
}

static void free_threads(struct thread *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < t[i].nframes; j++) {
			free(t[i].frames[j].fn);
			free(t[i].frames[j].args);
			free(t[i].frames[j].file);
		}
		free(t[i].frames);
	}
	free(t);
}

static struct thread *parse_threads(const char *text, size_t *n)
{
	struct thread *threads = NULL;
	size_t alloc = 0;
	const char *p = text;

	*n = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrfmt("%.*s", (int)len, p);

		if (!strncmp(line, "Thread ", 7)) {
			ALLOC_GROW(threads, *n + 1, alloc);
			memset(&threads[*n], 0, sizeof(*threads));
			threads[*n].id = atoi(line + 7);
			(*n)++;
		} else if (line[0] == '#' && *n) {
			struct thread *t = &threads[*n - 1];
			struct frame f;

			if (strstr(line, "<signal handler called>")) {
				/* What ran before is the kit's capture: start again. */
				for (size_t j = 0; j < t->nframes; j++) {
					free(t->frames[j].fn);
					free(t->frames[j].args);
					free(t->frames[j].file);
				}
				t->nframes = 0;
			} else if (parse_frame(line, &f)) {
				ALLOC_GROW(t->frames, t->nframes + 1, t->alloc);
				t->frames[t->nframes++] = f;
			}
		}
		free(line);
		p += len + (nl ? 1 : 0);
	}
	return threads;
}

/* What the innermost frames say the thread waits for. */
static const char *waiting_for(const struct thread *t, size_t upto, const char **what)
{
	static const struct {
		const char *fn, *words;
	} waits[] = {
		{ "pthread_mutex_lock", "waits for a mutex" },
		{ "pthread_rwlock_rdlock", "waits for a read lock" },
		{ "pthread_rwlock_wrlock", "waits for a write lock" },
		{ "pthread_cond_wait", "waits on a condition variable" },
		{ "pthread_cond_timedwait", "waits on a condition variable" },
		{ "pthread_barrier_wait", "waits at a barrier" },
		{ "pthread_join", "waits for a thread to end" },
		{ "pthread_clockjoin", "waits for a thread to end" },
		{ "sem_wait", "waits on a semaphore" },
		{ "waitpid", "waits for a child process" },
		{ "wait4", "waits for a child process" },
		{ "__libc_read", "waits to read (a pipe whose write end is still open?)" },
		{ "__libc_write", "waits to write (a full pipe nobody reads?)" },
	};

	*what = NULL;
	for (size_t j = 0; j < upto; j++) {
		for (size_t k = 0; k < sizeof(waits) / sizeof(*waits); k++) {
			if (strstr(t->frames[j].fn, waits[k].fn)) {
				/* gdb names a global lock: "mutex=0x561c49f7e3a0 <b>" */
				const char *sym = strchr(t->frames[j].args, '<');

				if (sym && strchr(sym, '>') && strncmp(sym, "<optimized", 10))
					*what = sym;
				return waits[k].words;
			}
		}
	}
	return "was running (a loop that never ends?)";
}

static const struct source *student_file(const char *file, const struct source *srcs, size_t nsrcs)
{
	for (size_t i = 0; file && i < nsrcs; i++)
		if (!strcmp(file, srcs[i].staged))
			return &srcs[i];
	return NULL;
}

char *stacks_explain_text(const char *text, const struct source *srcs, size_t nsrcs)
{
	size_t n;
	struct thread *threads = parse_threads(text, &n);
	struct strbuf sb = STRBUF_INIT;

	/* gdb lists the newest thread first; the story reads better oldest first. */
	for (size_t i = n; i-- > 0;) {
		const struct thread *t = &threads[i];

		for (size_t j = 0; j < t->nframes; j++) {
			const struct source *src = student_file(t->frames[j].file, srcs, nsrcs);
			const char *what, *words, *code;

			if (!src)
				continue;
			words = waiting_for(t, j, &what);
			code = source_line(src, t->frames[j].line);
			sb_addf(&sb, "thread %d %s", t->id, words);
			if (what) {
				const char *end = strchr(what, '>');

				sb_addf(&sb, " (%.*s)", (int)(end - what + 1), what);
			}
			sb_addf(&sb, " at %s:%d in %s()\n", src->display, t->frames[j].line, t->frames[j].fn);
			if (code)
				sb_addf(&sb, "  > %5d | %s\n", t->frames[j].line, code);
			break;
		}
	}
	free_threads(threads, n);
	return sb.len ? sb_detach(&sb) : NULL;
}

char *stacks_explain(const char *dir, const char *name, const struct source *srcs, size_t nsrcs)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *frame = xstrfmt(" %s_impl ", name), *slash, *out = NULL;

	/* Criterion names a test's function suite_test_impl. */
	slash = strchr(frame, '/');
	if (slash)
		*slash = '_';
	while (d && !out && (e = readdir(d))) {
		struct strbuf text = STRBUF_INIT;
		char *path;

		if (strncmp(e->d_name, "stacks.", 7))
			continue;
		path = xstrfmt("%s/%s", dir, e->d_name);
		if (!read_file_untrusted(path, &text, 1 << 20) && strstr(sb_str(&text), frame))
			out = stacks_explain_text(sb_str(&text), srcs, nsrcs);
		sb_release(&text);
		free(path);
	}
	if (d)
		closedir(d);
	free(frame);
	return out;
}
