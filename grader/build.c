/* Building a stage: the student's object, the test binary, the scenarios. */
#include "build.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "symcheck.h"

/* A growable argv, owning the strings made for it. */
struct args {
	const char **v;
	size_t n, alloc;
	char **owned;
	size_t nowned, owned_alloc;
};

static void args_push(struct args *a, const char *s)
{
	ALLOC_GROW(a->v, a->n + 2, a->alloc);
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void args_push_owned(struct args *a, char *s)
{
	ALLOC_GROW(a->owned, a->nowned + 1, a->owned_alloc);
	a->owned[a->nowned++] = s;
	args_push(a, s);
}

static void args_release(struct args *a)
{
	for (size_t i = 0; i < a->nowned; i++)
		free(a->owned[i]);
	free(a->owned);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static void push_compiler(struct args *a, const struct grade_options *o, const char *include)
{
	static const char *const cflags[] = { BUILD_CFLAGS };

	args_push(a, o->cc);
	for (size_t i = 0; i < sizeof(cflags) / sizeof(*cflags); i++)
		args_push(a, cflags[i]);
	args_push_owned(a, xstrfmt("-I%s", include));
}

static const char *const perturb_wraps[] = {
	"-Wl,--wrap=pthread_mutex_lock", "-Wl,--wrap=pthread_mutex_unlock",
	"-Wl,--wrap=pthread_rwlock_rdlock", "-Wl,--wrap=pthread_rwlock_wrlock",
	"-Wl,--wrap=pthread_rwlock_unlock", "-Wl,--wrap=pthread_cond_wait",
};

static void push_perturbation(struct args *a, const char *lib)
{
	args_push_owned(a, xstrfmt("%s/perturb.c", lib));
	for (size_t i = 0; i < sizeof(perturb_wraps) / sizeof(*perturb_wraps); i++)
		args_push(a, perturb_wraps[i]);
}

/* Copies the stage's public headers, and nothing else of the kit, to `to`. */
static int copy_headers(const char *from, const char *to, struct strbuf *diag)
{
	DIR *d = opendir(from);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		sb_addf(diag, "cannot open %s: %s\n", from, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) && !rc) {
		size_t len = strlen(e->d_name);
		char *src, *dst;

		if (len < 3 || strcmp(e->d_name + len - 2, ".h"))
			continue;
		src = xstrfmt("%s/%s", from, e->d_name);
		dst = xstrfmt("%s/%s", to, e->d_name);
		if (copy_file(src, dst)) {
			sb_addf(diag, "cannot copy %s: %s\n", src, strerror(errno));
			rc = -1;
		}
		free(src);
		free(dst);
	}
	closedir(d);
	return rc;
}

static void compiler_child(struct child *c, struct args *a, const char *dir,
			   const struct grade_options *o)
{
	c->argv = a->v;
	c->dir = dir;
	c->timeout = grade_limit(o, 120);
	c->out_cap = 64 * 1024;
}

/* Keeps what the compiler said, and how it ended when that was not normal. */
static void add_output(struct strbuf *sb, const struct child *c)
{
	sb_add(sb, sb_str(&c->out), c->out.len);
	if (c->out_dropped)
		sb_addf(sb, "[... %zu more bytes of compiler output not shown]\n", c->out_dropped);
	if (c->timed_out || c->start_errno || child_exit_code(c) > 128) {
		char *how = child_describe(c);

		sb_addf(sb, "%s: the compiler %s\n", c->argv[0], how);
		free(how);
	}
}

/* The test binary and the scenarios binary, linked at the same time. */
static int link_binaries(const struct grade_options *o, const struct stage *st, const char *dir,
			 const char *include, struct args *objs, struct args *tsan_objs,
			 struct strbuf *diag)
{
	struct args t = { 0 }, s = { 0 };
	struct child tc = CHILD_INIT, sc = CHILD_INIT;
	struct child *running[2];
	size_t n = 0;
	char *lib = xstrfmt("%s/tests/lib", o->kit);
	int rc = 0;

	push_compiler(&t, o, include);
	args_push_owned(&t, xstrfmt("-I%s", lib));
	for (size_t i = 0; i < st->ntest_sources; i++)
		args_push(&t, st->test_sources[i]);
	for (size_t i = 0; i < st->nhidden_sources; i++)
		args_push(&t, st->hidden_sources[i]);
	args_push_owned(&t, xstrfmt("%s/runner.c", lib));
	if (st->perturb)
		push_perturbation(&t, lib);
	for (size_t i = 0; i < objs->n; i++)
		args_push(&t, objs->v[i]);
	for (size_t i = 0; i < st->nldflags; i++)
		args_push(&t, st->ldflags[i]);
	args_push(&t, "-o");
	args_push(&t, "tests.bin");
	args_push(&t, "-lcriterion");
	args_push(&t, "-ljansson");
	compiler_child(&tc, &t, dir, o);
	if (!child_start(&tc))
		running[n++] = &tc;

	if (st->nscenario_sources) {
		/* Fast mode: the scenarios, and the student's code, under ThreadSanitizer. */
		struct args *scenario_objs = tsan_objs ? tsan_objs : objs;

		push_compiler(&s, o, include);
		args_push_owned(&s, xstrfmt("-I%s", lib));
		for (size_t i = 0; i < st->nscenario_sources; i++)
			args_push(&s, st->scenario_sources[i]);
		args_push_owned(&s, xstrfmt("%s/scenario_main.c", lib));
		/*
		 * ThreadSanitizer, unlike valgrind's tools, sees a race only
		 * when the accesses interleave in that run: shake the schedule.
		 */
		if (tsan_objs) {
			args_push(&s, "-fsanitize=thread");
			push_perturbation(&s, lib);
		}
		for (size_t i = 0; i < scenario_objs->n; i++)
			args_push(&s, scenario_objs->v[i]);
		args_push(&s, "-o");
		args_push(&s, "scenarios.bin");
		compiler_child(&sc, &s, dir, o);
		if (!child_start(&sc))
			running[n++] = &sc;
	}
	child_finish_all(running, n);

	/*
	 * The kit's files always compile, so what fails here is the student's:
	 * a missing or misdeclared function, or a symbol defined twice.
	 */
	if (!child_ok(&tc)) {
		add_output(diag, &tc);
		rc = -1;
	} else if (st->nscenario_sources && !child_ok(&sc)) {
		add_output(diag, &sc);
		rc = -1;
	}
	child_release(&tc);
	child_release(&sc);
	args_release(&t);
	args_release(&s);
	free(lib);
	return rc;
}

/*
 * Compiles one student file to DIR/NAME.o (or NAME.tsan.o with
 * -fsanitize=thread), in the sandbox, where the kit is hidden: an #include
 * of a solution finds nothing.  Adds the object to objs.  Returns 0, or -1
 * when it did not compile (the compiler's words are in diag).
 */
static int compile_student(const struct grade_options *o, const struct source *src, const char *dir,
			   const char *include, const char *sanitizer, struct args *objs,
			   struct strbuf *diag)
{
	struct child c = CHILD_INIT;
	struct args a = { 0 };
	char *obj = xstrfmt("%s/%s%s.o", dir, src->name, sanitizer ? ".tsan" : "");
	const char **sandboxed;
	bool ok;

	push_compiler(&a, o, include);
	if (sanitizer)
		args_push(&a, sanitizer);
	args_push(&a, "-c");
	args_push(&a, src->staged);
	args_push(&a, "-o");
	args_push(&a, obj);
	sandboxed = sandbox_argv(o->sandbox, a.v, dir);
	compiler_child(&c, &a, dir, o);
	c.argv = sandboxed;
	c.sandbox = o->sandbox;
	child_run(&c);
	/* The same warnings twice would say nothing new. */
	if (!sanitizer || !child_ok(&c))
		add_output(diag, &c);
	sandbox_free_argv(sandboxed);
	ok = child_ok(&c);
	child_release(&c);
	args_release(&a);
	args_push_owned(objs, obj);
	return ok ? 0 : -1;
}

int build_stage(const struct grade_options *o, const struct stage *st, const char *dir,
		const struct source *srcs, size_t nsrcs, char **diagnostics)
{
	char *include = xstrfmt("%s/include", dir);
	struct strbuf diag = STRBUF_INIT, err = STRBUF_INIT;
	struct args objs = { 0 }, tsan_objs = { 0 };
	bool fast = o->fast && st->nscenario_sources;
	int rc = -1;

	if (mkdir_p(include)) {
		sb_addf(&diag, "cannot create %s: %s\n", include, strerror(errno));
		goto out;
	}
	if (copy_headers(st->include_dir, include, &diag))
		goto out;
	for (size_t i = 0; i < nsrcs; i++) {
		if (compile_student(o, &srcs[i], dir, include, NULL, &objs, &diag))
			goto out;
		if (symcheck_object(o, st, objs.v[objs.n - 1], srcs[i].display, &err)) {
			sb_addf(&diag, "%s\n", sb_str(&err));
			goto out;
		}
		if (fast && compile_student(o, &srcs[i], dir, include, "-fsanitize=thread", &tsan_objs,
					    &diag))
			goto out;
	}
	rc = link_binaries(o, st, dir, include, &objs, fast ? &tsan_objs : NULL, &diag);
out:
	*diagnostics = diag.len ? sb_detach(&diag) : NULL;
	sb_release(&diag);
	sb_release(&err);
	args_release(&objs);
	args_release(&tsan_objs);
	free(include);
	return rc;
}
