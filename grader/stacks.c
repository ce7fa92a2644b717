/* Where the threads of a stuck or crashed test were: the runner's captures, in plain words. */
#include "stacks.h"

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "strvec.h"

/* Bounds on what one capture may hold: it is written by the student's process. */
#define MAX_THREADS 64
#define MAX_FRAMES 64
#define MAX_HOLDERS 64

struct frame {
	char *module;		/* "./tests.bin", "/lib/.../libc.so.6" */
	char *fn;		/* NULL when unknown */
	unsigned long long address;	/* where it was in the process */
	unsigned long long offset;	/* in the test binary, when it is in it */
	bool in_binary;
	bool exact;		/* the pc itself (a thread's innermost frame), not a return address */
	char *file;		/* from the symbolizer, NULL when unknown */
	int line;
};

struct thread {
	long tid;
	int number;		/* 1 for the oldest thread */
	unsigned long long waits;	/* the mutex it is blocked on, or 0 */
	struct frame frames[MAX_FRAMES];
	size_t nframes;
};

struct holder {
	unsigned long long mutex;
	long tid;
	struct frame where;
};

struct capture {
	struct thread threads[MAX_THREADS];
	size_t nthreads;
	struct holder holders[MAX_HOLDERS];
	size_t nholders;
	char *test;		/* "suite/name", when the capture says */
	int crash;		/* the signal of a crash, or 0 */
	long crash_tid;
};

static void frame_release(struct frame *f)
{
	free(f->module);
	free(f->fn);
	free(f->file);
	memset(f, 0, sizeof(*f));
}

static void capture_release(struct capture *c)
{
	for (size_t i = 0; i < c->nthreads; i++)
		for (size_t j = 0; j < c->threads[i].nframes; j++)
			frame_release(&c->threads[i].frames[j]);
	for (size_t i = 0; i < c->nholders; i++)
		frame_release(&c->holders[i].where);
	free(c->test);
	memset(c, 0, sizeof(*c));
}

/*
 * Whether a module is the test binary: Criterion's workers rename
 * themselves ("boxfort-worker"), so it is the one that is no shared object.
 */
static bool is_binary(const char *module)
{
	return *module && !strstr(module, ".so") && strncmp(module, "linux-vdso", 10);
}

/*
 * One line of backtrace_symbols_fd():
 *   ./tests.bin(+0x1a2b)[0x5600c0d01a2b]
 *   boxfort-worker(__wrap_pthread_mutex_lock+0x1f)[0x55687b69ab16]
 *   /lib/x86_64-linux-gnu/libc.so.6(pthread_mutex_lock+0x94)[0x7f5e2c08c404]
 * The offset in the binary is known from the first form; the second gives
 * it once the binary's load address is known (see fix_offsets()).
 */
static bool parse_frame(const char *line, struct frame *f)
{
	const char *open = strrchr(line, '('), *close = open ? strchr(open, ')') : NULL;
	const char *plus;

	memset(f, 0, sizeof(*f));
	if (!open || !close || close[1] != '[')
		return false;
	f->module = xstrndup(line, (size_t)(open - line));
	f->address = strtoull(close + 2, NULL, 16);
	plus = memchr(open, '+', (size_t)(close - open));
	if (plus && plus > open + 1)
		f->fn = xstrndup(open + 1, (size_t)(plus - open - 1));
	f->in_binary = is_binary(f->module);
	if (plus && !f->fn && f->in_binary)
		f->offset = strtoull(plus + 1, NULL, 16);
	return true;
}

/* Named frames of the binary: their offset, from the load address the others give. */
static void fix_offsets(struct capture *c)
{
	unsigned long long base = 0;

	for (size_t i = 0; i < c->nthreads && !base; i++)
		for (size_t j = 0; j < c->threads[i].nframes && !base; j++) {
			const struct frame *f = &c->threads[i].frames[j];

			if (f->in_binary && f->offset && f->address > f->offset)
				base = f->address - f->offset;
		}
	for (size_t i = 0; i < c->nthreads; i++)
		for (size_t j = 0; j < c->threads[i].nframes; j++) {
			struct frame *f = &c->threads[i].frames[j];

			if (f->in_binary && !f->offset && base && f->address > base)
				f->offset = f->address - base;
			f->in_binary = f->in_binary && f->offset;
		}
	for (size_t i = 0; i < c->nholders; i++) {
		struct frame *f = &c->holders[i].where;

		if (f->in_binary && !f->offset && base && f->address > base)
			f->offset = f->address - base;
		f->in_binary = f->in_binary && f->offset;
	}
}

/* The capture's text (see tests/lib/capture.c) into c. */
static void parse_capture(const char *text, struct capture *c)
{
	struct thread *t = NULL;
	struct holder *h = NULL;
	bool next_is_crash = false;
	const char *p = text;

	memset(c, 0, sizeof(*c));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len);

		p += len + (nl ? 1 : 0);
		if (!nl) {
			free(line);	/* cut short */
			break;
		}
		if (!strncmp(line, "thread ", 7) && c->nthreads < MAX_THREADS) {
			t = &c->threads[c->nthreads++];
			t->tid = strtol(line + 7, NULL, 10);
			if (next_is_crash)
				c->crash_tid = t->tid;
			next_is_crash = false;
			h = NULL;
		} else if (!strncmp(line, "test ", 5) && !c->test) {
			c->test = xstrdup(line + 5);
		} else if (!strncmp(line, "crash ", 6)) {
			c->crash = atoi(line + 6);
			next_is_crash = true;
		} else if (!strncmp(line, "waits ", 6) && t) {
			t->waits = strtoull(line + 6, NULL, 16);
		} else if (!strcmp(line, "end")) {
			t = NULL;
		} else if (!strncmp(line, "holder ", 7) && c->nholders < MAX_HOLDERS) {
			h = &c->holders[c->nholders++];
			h->mutex = strtoull(line + 7, NULL, 16);
			t = NULL;
		} else if (!strncmp(line, "tid ", 4) && h) {
			h->tid = strtol(line + 4, NULL, 10);
		} else if (t && t->nframes < MAX_FRAMES) {
			if (parse_frame(line, &t->frames[t->nframes])) {
				t->frames[t->nframes].exact = t->nframes == 0;
				t->nframes++;
			}
		} else if (h && !h->where.module) {
			parse_frame(line, &h->where);
		}
		free(line);
	}
}

/* The frames in the test binary, all at once: addr2line gives a function and a line each. */
static void symbolize(struct capture *c, const char *binary)
{
	struct frame *todo[MAX_THREADS * MAX_FRAMES + MAX_HOLDERS];
	struct child ch = CHILD_INIT;
	size_t n = 0;
	const char *out;

	for (size_t i = 0; i < c->nthreads; i++)
		for (size_t j = 0; j < c->threads[i].nframes; j++)
			if (c->threads[i].frames[j].in_binary)
				todo[n++] = &c->threads[i].frames[j];
	for (size_t i = 0; i < c->nholders; i++)
		if (c->holders[i].where.in_binary)
			todo[n++] = &c->holders[i].where;
	if (!n)
		return;
	strvec_pushv(&ch.args, (const char *[]){ "addr2line", "-f", "-e", binary, NULL });
	/* return addresses: the call is the byte before */
	for (size_t i = 0; i < n; i++)
		strvec_pushf(&ch.args, "0x%llx", todo[i]->offset - !todo[i]->exact);
	ch.timeout = 30;
	ch.out_cap = 1 << 20;
	if (!child_run(&ch) && child_ok(&ch)) {
		out = sb_str(&ch.out);
		for (size_t i = 0; i < n && *out; i++) {
			const char *nl = strchr(out, '\n'), *loc, *colon;

			if (!nl)
				break;
			/*
			 * The binary's own name for it, never the capture's: the
			 * capture is written by the student's process.
			 */
			free(todo[i]->fn);
			todo[i]->fn = strncmp(out, "??", 2) ? xstrndup(out, (size_t)(nl - out)) : NULL;
			loc = nl + 1;
			nl = strchr(loc, '\n');
			if (!nl)
				break;
			colon = memchr(loc, ':', (size_t)(nl - loc));
			if (colon && strncmp(loc, "??", 2)) {
				todo[i]->file = xstrndup(loc, (size_t)(colon - loc));
				todo[i]->line = atoi(colon + 1);
			}
			out = nl + 1;
		}
	}
	child_release(&ch);
}

/* Threads numbered oldest first: the test's own thread is thread 1. */
static int by_tid(const void *a, const void *b)
{
	const struct thread *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* What the innermost frames say the thread waits for. */
static const char *waiting_for(const struct thread *t, size_t upto)
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
		{ "waitid", "waits for a child process" },
		{ "read", "waits to read (a pipe whose write end is still open?)" },
		{ "write", "waits to write (a full pipe nobody reads?)" },
	};

	if (t->waits)
		return "waits for a mutex";
	for (size_t j = 0; j < upto; j++) {
		const char *fn = t->frames[j].fn;

		for (size_t k = 0; fn && k < sizeof(waits) / sizeof(*waits); k++) {
			size_t len = strlen(waits[k].fn), fl = strlen(fn);

			/* "__wrap_pthread_mutex_lock", "__libc_read": the name ends the same */
			if (fl >= len && !strcmp(fn + fl - len, waits[k].fn))
				return waits[k].words;
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

static void add_code(struct strbuf *sb, const struct source *src, int line, const char *indent)
{
	const char *code = source_line(src, line);

	if (code)
		sb_addf(sb, "%s> %5d | %s\n", indent, line, code);
}

/* "held by thread 2, which took it at bank.c:58 in bank_transfer()" */
static void add_holder(struct strbuf *sb, const struct capture *c, unsigned long long mutex,
		       const struct source *srcs, size_t nsrcs)
{
	for (size_t i = 0; i < c->nholders; i++) {
		const struct holder *h = &c->holders[i];
		const struct thread *t;
		const struct source *src;

		if (h->mutex != mutex)
			continue;
		t = NULL;
		for (size_t k = 0; k < c->nthreads; k++)
			if (c->threads[k].tid == h->tid)
				t = &c->threads[k];
		src = student_file(h->where.file, srcs, nsrcs);
		if (t)
			sb_addf(sb, "  that mutex is held by thread %d", t->number);
		else
			sb_adds(sb, "  that mutex is held by a thread that has ended");
		if (src) {
			sb_addf(sb, ", which took it at %s:%d in %s()\n", src->display, h->where.line,
				h->where.fn ? h->where.fn : "?");
			add_code(sb, src, h->where.line, "  ");
		} else {
			sb_adds(sb, "\n");
		}
		return;
	}
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV: a bad pointer";
	case SIGBUS: return "SIGBUS: a bad pointer";
	case SIGFPE: return "SIGFPE: a division by zero?";
	case SIGILL: return "SIGILL";
	case SIGABRT: return "SIGABRT: abort(), or a failed assert()";
	default: return "a signal";
	}
}

/* A thread blocked on a mutex it holds itself. */
static bool holds_its_wait(const struct capture *c, const struct thread *t)
{
	for (size_t i = 0; t->waits && i < c->nholders; i++)
		if (c->holders[i].mutex == t->waits && c->holders[i].tid == t->tid)
			return true;
	return false;
}

/*
 * What t's wait for a mutex says: "deadlock" when the thread that holds
 * the mutex is blocked itself, "spin" when it was running or sleeping with
 * the mutex held (a loop that keeps the lock), NULL when the holder is not
 * known.
 */
static const char *mutex_wait_symptom(const struct capture *c, const struct thread *t)
{
	for (size_t i = 0; t->waits && i < c->nholders; i++) {
		if (c->holders[i].mutex != t->waits)
			continue;
		for (size_t k = 0; k < c->nthreads; k++)
			if (c->threads[k].tid == c->holders[i].tid)
				return c->threads[k].waits ? "deadlock" : "spin";
	}
	return NULL;
}

/* The symptom with the highest rank so far: what the threads say went wrong. */
static void note_symptom(const char **symptom, const char *s)
{
	static const char *const rank[] = { "spin", "lost-wakeup", "deadlock", "self-deadlock",
					     "crash" };
	int have = -1, now = -1;

	for (int i = 0; i < 5; i++) {
		if (*symptom && !strcmp(*symptom, rank[i]))
			have = i;
		if (s && !strcmp(s, rank[i]))
			now = i;
	}
	if (now > have)
		*symptom = rank[now];
}

/* The explanation of a symbolized capture, or NULL when no thread was in the student's code. */
static char *explain(struct capture *c, const struct source *srcs, size_t nsrcs,
		     const char **symptom)
{
	struct strbuf sb = STRBUF_INIT;
	bool unknown_holder = false, running = false;

	qsort(c->threads, c->nthreads, sizeof(*c->threads), by_tid);
	for (size_t i = 0; i < c->nthreads; i++)
		c->threads[i].number = (int)i + 1;
	for (size_t i = 0; i < c->nthreads; i++) {
		const struct thread *t = &c->threads[i];

		for (size_t j = 0; j < t->nframes; j++) {
			const struct source *src = student_file(t->frames[j].file, srcs, nsrcs);

			if (!src)
				continue;
			if (c->crash && t->tid == c->crash_tid) {
				sb_addf(&sb, "thread %d crashed (%s)", t->number,
					signal_name(c->crash));
				note_symptom(symptom, "crash");
			} else {
				const char *words = waiting_for(t, j), *mutex = NULL;

				sb_addf(&sb, "thread %d %s", t->number, words);
				if (strstr(words, "a mutex")) {
					mutex = mutex_wait_symptom(c, t);
					unknown_holder |= !mutex;
				}
				running |= strstr(words, "was running") != NULL;
				note_symptom(symptom, holds_its_wait(c, t) ? "self-deadlock" : mutex ? mutex :
					     strstr(words, "condition variable") ? "lost-wakeup" :
					     strstr(words, "was running") ? "spin" : NULL);
			}
			sb_addf(&sb, " at %s:%d in %s()\n", src->display, t->frames[j].line,
				t->frames[j].fn ? t->frames[j].fn : "?");
			add_code(&sb, src, t->frames[j].line, "");
			if (t->waits && !c->crash)
				add_holder(&sb, c, t->waits, srcs, nsrcs);
			break;
		}
	}
	/* A wait for a mutex whose holder is not known: beside a loop, the loop holds it. */
	if (unknown_holder)
		note_symptom(symptom, running ? "spin" : "deadlock");
	return sb.len ? sb_detach(&sb) : NULL;
}

/* Whether a frame is the test's ("suite/test": Criterion's suite_test_impl). */
static bool has_test_function(const struct capture *c, const char *test)
{
	char *fn = xstrfmt("%s_impl", test), *slash = strchr(fn, '/');
	bool found = false;

	if (slash)
		*slash = '_';
	for (size_t i = 0; i < c->nthreads && !found; i++)
		for (size_t j = 0; j < c->threads[i].nframes && !found; j++)
			found = c->threads[i].frames[j].fn && !strcmp(c->threads[i].frames[j].fn, fn);
	free(fn);
	return found;
}

char *stacks_explain_text(const char *text, const char *binary, const char *test,
			  const struct source *srcs, size_t nsrcs, const char **symptom)
{
	struct capture *c = xcalloc(1, sizeof(*c));
	char *out = NULL;

	parse_capture(text, c);
	if (test && c->test && strcmp(test, c->test))
		goto out;
	fix_offsets(c);
	if (binary)
		symbolize(c, binary);
	if (!test || c->test || has_test_function(c, test))
		out = explain(c, srcs, nsrcs, symptom);
out:
	capture_release(c);
	free(c);
	return out;
}

char *stacks_explain(const char *dir, const char *binary, const char *name,
		     const struct source *srcs, size_t nsrcs, const char **symptom)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *out = NULL;

	while (d && !out && (e = readdir(d))) {
		struct strbuf text = STRBUF_INIT;
		char *path;

		if (strncmp(e->d_name, "stacks.", 7))
			continue;
		path = xstrfmt("%s/%s", dir, e->d_name);
		if (!read_file_untrusted(path, &text, 1 << 20))
			out = stacks_explain_text(sb_str(&text), binary, name, srcs, nsrcs, symptom);
		sb_release(&text);
		free(path);
	}
	if (d)
		closedir(d);
	return out;
}
