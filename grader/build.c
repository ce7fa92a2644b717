/* Building a stage: the student's object, the test binary, the scenarios. */
#define _GNU_SOURCE
#include "build.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "symcheck.h"

/*
 * How a binary's objects are built: plain, for the tests and valgrind's
 * tools, or under a sanitizer, which instruments every object.
 */
struct variant {
	const char *suffix;	/* of the objects' names, before ".o" */
	const char *flag;	/* for the compiler and the linker, or NULL */
	const char *flag2;	/* one more, or NULL */
};

static const struct variant plain = { "", NULL, NULL };
static const struct variant thread_sanitizer = { ".tsan", "-fsanitize=thread", NULL };
/* Goes on after an error, as TSan does: one run reports them all. */
static const struct variant address_sanitizer = { ".asan", "-fsanitize=address",
						   "-fsanitize-recover=address" };


static void push_variant(struct strvec *a, const struct variant *v)
{
	if (v->flag)
		strvec_push(a, v->flag);
	if (v->flag2)
		strvec_push(a, v->flag2);
}

static void push_compiler(struct strvec *a, const struct grade_options *o, const char *include)
{
	static const char *const cflags[] = { BUILD_CFLAGS };

	strvec_push(a, o->cc);
	for (size_t i = 0; i < sizeof(cflags) / sizeof(*cflags); i++)
		strvec_push(a, cflags[i]);
	strvec_push_nodup(a, xstrfmt("-I%s", include));
}

static const char *const perturb_wraps[] = {
	"-Wl,--wrap=pthread_mutex_lock", "-Wl,--wrap=pthread_mutex_unlock",
	"-Wl,--wrap=pthread_rwlock_rdlock", "-Wl,--wrap=pthread_rwlock_wrlock",
	"-Wl,--wrap=pthread_rwlock_unlock", "-Wl,--wrap=pthread_cond_wait",
	"-Wl,--wrap=pthread_cond_timedwait", "-Wl,--wrap=pthread_mutex_trylock",
};

/* tests/lib/faults_mem.c's, in every build of the scenarios (scenario.h) */
static const char *const mem_wraps[] = {
	"-Wl,--wrap=malloc", "-Wl,--wrap=calloc", "-Wl,--wrap=realloc",
	"-Wl,--wrap=free", "-Wl,--wrap=strdup", "-Wl,--wrap=strndup",
};

/* tests/lib/late_start.c's, in AddressSanitizer's build of the scenarios */
static const char *const late_start_wraps[] = {
	"-Wl,--wrap=pthread_join", "-Wl,--wrap=pthread_exit",
};


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

/* A compiler's or linker's run, its command line already in c->args. */
static void compiler_child(struct child *c, const char *dir, const struct grade_options *o)
{
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

		sb_addf(sb, "%s: the compiler %s\n", c->args.v[0], how);
		free(how);
	}
}

/* ---- the kit's own objects, compiled once ---- */

/*
 * The kit's test sources are the same for every submission, and compiling
 * them (Criterion's headers are heavy) was most of a stage's build.  They
 * are compiled once into the kit's build/kit-objects/ (or, where the kit is
 * read-only, the stage's scratch folder) and only linked per submission.
 * An object is fresh when it is newer than its source and than everything
 * it may depend on: the stage's and tests/lib's headers, and the grader
 * itself, whose flags it was compiled with.
 */
struct kit_objects {
	const struct grade_options *o;
	const struct stage *st;
	char *dir;		/* where the objects go */
	struct timespec newest;	/* of what every object depends on */
	struct child *compiles[32];
	char *tmp[32], *obj[32];	/* each compile's output, renamed to its object once done */
	size_t n;
};

static bool newer(struct timespec a, struct timespec b)
{
	return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

static void newest_header(const char *dir, struct timespec *newest)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char *path;
		struct stat sb;

		if (len < 3 || strcmp(e->d_name + len - 2, ".h"))
			continue;
		path = xstrfmt("%s/%s", dir, e->d_name);
		if (!stat(path, &sb) && newer(sb.st_mtim, *newest))
			*newest = sb.st_mtim;
		free(path);
	}
	if (d)
		closedir(d);
}

static void kit_objects_init(struct kit_objects *k, const struct grade_options *o,
			     const struct stage *st, const char *scratch)
{
	char *lib = xstrfmt("%s/tests/lib", o->kit);
	struct stat sb;

	memset(k, 0, sizeof(*k));
	k->o = o;
	k->st = st;
	k->dir = xstrfmt("%s/build/kit-objects/%s", o->kit, st->name);
	if (mkdir_p(k->dir) || access(k->dir, W_OK)) {
		free(k->dir);
		k->dir = xstrfmt("%s/kit-objects", scratch);
		mkdir_p(k->dir);
	}
	newest_header(st->include_dir, &k->newest);
	newest_header(st->tests_dir, &k->newest);
	newest_header(lib, &k->newest);
	if (!stat("/proc/self/exe", &sb) && newer(sb.st_mtim, k->newest))
		k->newest = sb.st_mtim;
	free(lib);
}

/* The object of a kit source, started compiling unless it is fresh. */
static char *kit_object(struct kit_objects *k, const char *src, const struct variant *v)
{
	char *base = xstrdup(base_name(src)), *obj, *tmp;
	struct stat so, ss;
	struct child *c;

	base[strcspn(base, ".")] = '\0';
	/* tests/lib's files are shared by the stages, but built with each one's header */
	obj = xstrfmt("%s/%s%s%s.o", k->dir, strstr(src, "/tests/lib/") ? "lib-" : "", base,
		      v->suffix);
	free(base);
	if (!stat(obj, &so) && !stat(src, &ss) && !newer(ss.st_mtim, so.st_mtim) &&
	    !newer(k->newest, so.st_mtim))
		return obj;
	/* Both test binaries link the visible tests: one compile of each. */
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->obj[i], obj))
			return obj;
	if (k->n == sizeof(k->compiles) / sizeof(*k->compiles))
		die("a stage has more than %zu kit sources", k->n);
	/* Written aside, then renamed: graders running at once may share the folder. */
	tmp = xstrfmt("%s.%d.tmp", obj, (int)getpid());
	c = xcalloc(1, sizeof(*c));
	*c = (struct child)CHILD_INIT;
	push_compiler(&c->args, k->o, k->st->include_dir);
	strvec_pushf(&c->args, "-I%s/tests/lib", k->o->kit);
	push_variant(&c->args, v);
	strvec_pushv(&c->args, (const char *[]){ "-c", src, "-o", tmp, NULL });
	compiler_child(c, k->dir, k->o);
	if (child_start(c)) {
		child_release(c);
		free(c);
		free(tmp);
		return obj;	/* the link says what is missing */
	}
	k->compiles[k->n] = c;
	k->tmp[k->n] = tmp;
	k->obj[k->n++] = xstrdup(obj);
	return obj;
}

/* Waits for the compiles; a kit source that does not compile is the kit's fault. */
static int kit_objects_finish(struct kit_objects *k, struct strbuf *diag)
{
	int rc = 0;

	child_finish_all(k->compiles, k->n);
	for (size_t i = 0; i < k->n; i++) {
		struct child *c = k->compiles[i];

		if (!child_ok(c) || rename(k->tmp[i], k->obj[i])) {
			/* "... -c SRC -o TMP" */
			sb_addf(diag, "the kit's own %s did not compile:\n", c->args.v[c->args.n - 3]);
			add_output(diag, c);
			remove(k->tmp[i]);
			rc = -1;
		}
		child_release(c);
		free(c);
		free(k->tmp[i]);
		free(k->obj[i]);
	}
	k->n = 0;
	return rc;
}

static void kit_objects_release(struct kit_objects *k)
{
	free(k->dir);
}

static void push_perturbation(struct strvec *a, struct kit_objects *k, const char *lib,
			      const struct variant *v)
{
	char *src = xstrfmt("%s/perturb.c", lib);

	strvec_push_nodup(a, kit_object(k, src, v));
	free(src);
	for (size_t i = 0; i < sizeof(perturb_wraps) / sizeof(*perturb_wraps); i++)
		strvec_push(a, perturb_wraps[i]);
	if (v == &address_sanitizer) {
		/* its memory errors show when a thread runs after its creator moved on */
		src = xstrfmt("%s/late_start.c", lib);
		strvec_push_nodup(a, kit_object(k, src, v));
		free(src);
		for (size_t i = 0; i < sizeof(late_start_wraps) / sizeof(*late_start_wraps); i++)
			strvec_push(a, late_start_wraps[i]);
	}
}

/*
 * gold, where binutils still has it: it links a test binary in less than
 * half the time of the default ld, and each stage links two per submission.
 */
static void push_linker(struct strvec *a)
{
	static int has_gold = -1;

	if (has_gold < 0) {
		char *path = find_in_path("ld.gold");

		has_gold = path != NULL;
		free(path);
	}
	if (has_gold)
		strvec_push(a, "-fuse-ld=gold");
}

/* The libraries the test programs link with, as found by build_find_libraries(). */
static bool have_criterion_archives;

/* Whether file is in one of dirs, a list separated by ':'. */
static bool in_dirs(const char *dirs, const char *file)
{
	char *copy = xstrdup(dirs), *save = NULL;
	bool found = false;

	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *path = xstrfmt("%s/%s", d, file);

		found = !access(path, R_OK);
		free(path);
	}
	free(copy);
	return found;
}

const char *build_find_libraries(const char *cc)
{
	static const char *const needed[][2] = {
		{ "libcriterion.so", "Criterion is not installed: install the Debian package "
				     "'libcriterion-dev'" },
		{ "libjansson.so", "jansson is not installed: install the Debian package "
				   "'libjansson-dev'" },
	};
	static const char *const archives[] = { "libcriterion.a", "libboxfort.a", "libffi.a",
						"libprotobuf-nanopb.a" };
	const char *argv[] = { cc, "-print-search-dirs", NULL };
	const char *missing = NULL;
	struct child c = CHILD_INIT;
	char *dirs;

	strvec_pushv(&c.args, argv);
	c.timeout = 30;
	if (child_run(&c) || !child_ok(&c)) {
		child_release(&c);
		return "the C compiler did not say where its libraries are (cc -print-search-dirs)";
	}
	/* "libraries: =/usr/lib/gcc/x86_64-linux-gnu/12/:/usr/lib/x86_64-linux-gnu/:..." */
	dirs = strstr(sb_str(&c.out), "libraries: =");
	if (dirs) {
		dirs += strlen("libraries: =");
		dirs[strcspn(dirs, "\n")] = '\0';
	}
	for (size_t i = 0; i < sizeof(needed) / sizeof(*needed) && !missing; i++)
		if (!dirs || !in_dirs(dirs, needed[i][0]))
			missing = needed[i][1];
	have_criterion_archives = dirs != NULL;
	for (size_t i = 0; i < sizeof(archives) / sizeof(*archives) && dirs; i++)
		have_criterion_archives &= in_dirs(dirs, archives[i]);
	child_release(&c);
	return missing;
}

/*
 * Criterion, from its static archives where the system has them (Debian's
 * libcriterion-dev, with libnanopb-dev for the protocol its processes
 * speak).  Each test runs in a process of its own, started with exec, and
 * the shared library brings 22 more to load in every one (libgit2 with its
 * TLS, SSH and Kerberos): static, a test's process takes about half the
 * processor time (docs/authoring.md has the figures).  libgit2 is left
 * out: tests/lib/no_libgit2.c stands in for it.
 */
static void push_criterion(struct strvec *a)
{
	if (have_criterion_archives) {
		strvec_push(a, "-Wl,-Bstatic");
		strvec_push(a, "-lcriterion");
		strvec_push(a, "-lboxfort");
		strvec_push(a, "-lffi");
		strvec_push(a, "-lprotobuf-nanopb");
		strvec_push(a, "-Wl,-Bdynamic");
		strvec_push(a, "-lnanomsg");
	} else {
		strvec_push(a, "-lcriterion");
	}
}

/* The student's objects, one list per variant they were compiled in. */
struct student_objects {
	struct strvec plain, tsan, asan;
};

static struct strvec *objects_of(struct student_objects *so, const struct variant *v)
{
	return v == &thread_sanitizer ? &so->tsan : v == &address_sanitizer ? &so->asan
									 : &so->plain;
}

/*
 * A test binary, linked with the kit's runner: the stage's tests, or with
 * `hidden` those and its hidden tests, in a binary of their own that runs
 * the suite HIDDEN_SUITE alone (the visible tests' files may hold helpers
 * the hidden tests use): so the code the visible tests run holds none of
 * the hidden tests' strings to find.
 */
static void tests_args(struct strvec *t, struct kit_objects *k, const char *lib,
		       struct student_objects *so, const char *dir, bool hidden)
{
	const struct grade_options *o = k->o;
	const struct stage *st = k->st;
	char *src;

	push_compiler(t, o, st->include_dir);
	push_linker(t);
	for (size_t i = 0; i < st->ntest_sources; i++)
		strvec_push_nodup(t, kit_object(k, st->test_sources[i], &plain));
	for (size_t i = 0; hidden && i < st->nhidden_sources; i++)
		strvec_push_nodup(t, kit_object(k, st->hidden_sources[i], &plain));
	for (size_t i = 0; i < st->nlib_sources; i++)
		strvec_push_nodup(t, kit_object(k, st->lib_sources[i], &plain));
	src = xstrfmt("%s/runner.c", lib);
	strvec_push_nodup(t, kit_object(k, src, &plain));
	free(src);
	src = xstrfmt("%s/capture.c", lib);
	strvec_push_nodup(t, kit_object(k, src, &plain));
	free(src);
	src = xstrfmt("%s/no_libgit2.c", lib);
	strvec_push_nodup(t, kit_object(k, src, &plain));
	free(src);
	if (st->perturb)
		push_perturbation(t, k, lib, &plain);
	for (size_t i = 0; i < so->plain.n; i++)
		strvec_push(t, so->plain.v[i]);
	for (size_t i = 0; i < st->nldflags; i++)
		strvec_push(t, st->ldflags[i]);
	/* runner.c's proof that a test's body returned (not left by a jump) */
	strvec_push(t, "-Wl,--wrap=criterion_internal_test_main");
	strvec_push(t, "-Wl,--wrap=criterion_send_assert");
	strvec_push(t, "-Wl,--wrap=cri_assert_node_send");
	strvec_push(t, "-o");
	if (hidden)
		strvec_push_nodup(t, xstrfmt("%s" HIDDEN_DIR_SUFFIX "/" HIDDEN_TESTS_BIN, dir));
	else
		strvec_push(t, TESTS_BIN);
	push_criterion(t);
	strvec_push(t, "-ljansson");
}

/*
 * A scenarios binary: plain for valgrind's tools, or every object under a
 * sanitizer, which, unlike valgrind's tools, sees a race (TSan) or a use
 * after another thread's free (ASan) only when the accesses interleave in
 * that run: so it runs with the schedule perturbation, which shakes the
 * interleavings.
 */
static void scenarios_args(struct strvec *s, struct kit_objects *k, const char *lib,
			   struct student_objects *so, const struct variant *v, const char *out)
{
	const struct stage *st = k->st;
	struct strvec *objs = objects_of(so, v);
	char *src;

	push_compiler(s, k->o, st->include_dir);
	push_linker(s);
	for (size_t i = 0; i < st->nscenario_sources; i++)
		strvec_push_nodup(s, kit_object(k, st->scenario_sources[i], v));
	src = xstrfmt("%s/scenario_main.c", lib);
	strvec_push_nodup(s, kit_object(k, src, v));
	free(src);
	/* scenario_fail_create_at(), and mem_fail_at() of faults_mem.h */
	strvec_push(s, "-Wl,--wrap=pthread_create");
	src = xstrfmt("%s/faults_mem.c", lib);
	strvec_push_nodup(s, kit_object(k, src, v));
	free(src);
	for (size_t i = 0; i < sizeof(mem_wraps) / sizeof(*mem_wraps); i++)
		strvec_push(s, mem_wraps[i]);
	if (v->flag) {
		push_variant(s, v);
		push_perturbation(s, k, lib, v);
	}
	for (size_t i = 0; i < objs->n; i++)
		strvec_push(s, objs->v[i]);
	strvec_push(s, "-o");
	strvec_push(s, out);
}

/* Whether the stage's scenarios are built for valgrind's tools, for TSan. */
static bool wants_valgrind(const struct grade_options *o, const struct stage *st)
{
	return st->nscenario_sources && (o->tools & TOOL_VALGRIND);
}

static bool wants_tsan(const struct grade_options *o, const struct stage *st)
{
	return st->nscenario_sources && (o->tools & TOOL_TSAN);
}

static bool wants_asan(const struct grade_options *o, const struct stage *st)
{
	return st->nscenario_sources && (o->tools & TOOL_ASAN);
}

/* The binaries, linked at the same time. */
static int link_binaries(const struct grade_options *o, const struct stage *st, const char *dir,
			 struct student_objects *so, struct strbuf *diag)
{
	struct child c[5] = { CHILD_INIT, CHILD_INIT, CHILD_INIT, CHILD_INIT, CHILD_INIT };
	struct child *running[5];
	struct kit_objects k;
	size_t n = 0, nbin = 0;
	char *lib = xstrfmt("%s/tests/lib", o->kit);
	int rc = 0;

	kit_objects_init(&k, o, st, dir);
	tests_args(&c[nbin++].args, &k, lib, so, dir, false);
	if (st->nhidden_sources) {
		char *hidden = xstrfmt("%s" HIDDEN_DIR_SUFFIX, dir);

		/* The grader's alone until the visible tests have run (build.h). */
		if (mkdir(hidden, 0700) && errno != EEXIST) {
			sb_addf(diag, "cannot make %s: %s\n", hidden, strerror(errno));
			rc = -1;
		}
		free(hidden);
		tests_args(&c[nbin++].args, &k, lib, so, dir, true);
	}
	if (wants_valgrind(o, st))
		scenarios_args(&c[nbin++].args, &k, lib, so, &plain, SCENARIOS_BIN);
	if (wants_tsan(o, st))
		scenarios_args(&c[nbin++].args, &k, lib, so, &thread_sanitizer, SCENARIOS_TSAN_BIN);
	if (wants_asan(o, st))
		scenarios_args(&c[nbin++].args, &k, lib, so, &address_sanitizer, SCENARIOS_ASAN_BIN);
	if (kit_objects_finish(&k, diag)) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < nbin; i++) {
		compiler_child(&c[i], dir, o);
		if (!child_start(&c[i]))
			running[n++] = &c[i];
	}
	child_finish_all(running, n);

	/*
	 * The kit's files always compile, so what fails here is the student's:
	 * a missing or misdeclared function, or a symbol defined twice.  The
	 * first failure says it; the others would say it again.
	 */
	for (size_t i = 0; i < nbin && !rc; i++)
		if (!child_ok(&c[i])) {
			add_output(diag, &c[i]);
			rc = -1;
		}
out:
	for (size_t i = 0; i < sizeof(c) / sizeof(*c); i++)
		child_release(&c[i]);
	kit_objects_release(&k);
	free(lib);
	return rc;
}

/*
 * The student's file as the preprocessor sees it without a sanitizer, for
 * the sanitizers' compiles: code that knows it is instrumented could lock
 * only then (#ifdef __SANITIZE_THREAD__, __has_builtin(__builtin___tsan_init)
 * and the like), racy where only the tests run it.  Compiled from this text,
 * every variant is the same program.  Run before the compiles, since
 * child_run() ends whatever else the grader has running.  Returns 0, or -1
 * with the compiler's words in diag.
 */
static int preprocess_plain(const struct grade_options *o, const struct source *src,
			    const char *dir, const char *include, struct strbuf *diag)
{
	struct child c = CHILD_INIT;
	struct strvec cc = STRVEC_INIT;
	int rc;

	push_compiler(&cc, o, include);
	strvec_pushv(&cc, (const char *[]){ "-E", src->staged, "-o", NULL });
	strvec_pushf(&cc, "%s/%s.i", dir, src->name);
	sandbox_argv(o->sandbox, &c.args, cc.v, dir);
	strvec_clear(&cc);
	compiler_child(&c, dir, o);
	sandbox_child(o->sandbox, &c);
	rc = child_run(&c) || !child_ok(&c) ? -1 : 0;
	if (rc)
		add_output(diag, &c);
	child_release(&c);
	return rc;
}

/*
 * Compiles one student file to DIR/NAME.o, and to DIR/NAME.tsan.o and
 * DIR/NAME.asan.o under the sanitizers the stage needs, at the same time, in the
 * sandbox, where the kit is hidden: an #include of a solution finds
 * nothing.  Adds the objects to so.  Returns 0, or -1 when it did not
 * compile (the compiler's words, once, are in diag).
 */
static int compile_student(const struct grade_options *o, const struct stage *st,
			   const struct source *src, const char *dir, const char *include,
			   struct student_objects *so, struct strbuf *diag)
{
	const struct variant *variants[3] = { &plain };
	size_t nvariants = 1, n = 0;
	struct child c[3] = { CHILD_INIT, CHILD_INIT, CHILD_INIT };
	struct child *running[3];
	int rc = 0;

	if (wants_tsan(o, st))
		variants[nvariants++] = &thread_sanitizer;
	if (wants_asan(o, st))
		variants[nvariants++] = &address_sanitizer;
	/* The sanitizers' objects are compiled from the plain preprocessing. */
	if (nvariants > 1 && preprocess_plain(o, src, dir, include, diag))
		return -1;
	for (size_t i = 0; i < nvariants; i++) {
		const struct variant *v = variants[i];
		const char *obj = strvec_pushf(objects_of(so, v), "%s/%s%s.o", dir, src->name,
					       v->suffix);
		struct strvec cc = STRVEC_INIT;

		push_compiler(&cc, o, include);
		push_variant(&cc, v);
		strvec_push(&cc, "-c");
		if (i)
			strvec_pushf(&cc, "%s/%s.i", dir, src->name);
		else
			strvec_push(&cc, src->staged);
		strvec_pushv(&cc, (const char *[]){ "-o", obj, NULL });
		sandbox_argv(o->sandbox, &c[i].args, cc.v, dir);
		strvec_clear(&cc);
		compiler_child(&c[i], dir, o);
		sandbox_child(o->sandbox, &c[i]);
		if (!child_start(&c[i]))
			running[n++] = &c[i];
	}
	child_finish_all(running, n);
	/* The same warnings twice would say nothing new. */
	for (size_t i = 0; i < nvariants && !rc; i++)
		if (i == 0 || !child_ok(&c[i])) {
			add_output(diag, &c[i]);
			rc = child_ok(&c[i]) ? 0 : -1;
		}
	for (size_t i = 0; i < nvariants; i++)
		child_release(&c[i]);
	return rc;
}

int build_stage(const struct grade_options *o, const struct stage *st, const char *dir,
		const struct source *srcs, size_t nsrcs, char **diagnostics, char **suspicious)
{
	char *include = xstrfmt("%s/include", dir);
	struct strbuf diag = STRBUF_INIT, err = STRBUF_INIT, flags = STRBUF_INIT;
	struct student_objects so = { STRVEC_INIT, STRVEC_INIT, STRVEC_INIT };
	int rc = -1;

	if (mkdir_p(include)) {
		sb_addf(&diag, "cannot create %s: %s\n", include, strerror(errno));
		goto out;
	}
	if (copy_headers(st->include_dir, include, &diag))
		goto out;
	for (size_t i = 0; i < nsrcs; i++) {
		if (compile_student(o, st, &srcs[i], dir, include, &so, &diag))
			goto out;
		/* Admission reads the plain object; the others are built from the same source. */
		if (symcheck_object(o, st, so.plain.v[so.plain.n - 1], srcs[i].display, &err,
				    &flags)) {
			sb_addf(&diag, "%s\n", sb_str(&err));
			rc = -2;
			goto out;
		}
	}
	rc = link_binaries(o, st, dir, &so, &diag);
out:
	*diagnostics = diag.len ? sb_detach(&diag) : NULL;
	*suspicious = flags.len ? sb_detach(&flags) : NULL;
	sb_release(&diag);
	sb_release(&flags);
	sb_release(&err);
	strvec_clear(&so.plain);
	strvec_clear(&so.tsan);
	strvec_clear(&so.asan);
	free(include);
	return rc;
}
