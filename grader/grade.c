/* Grading one stage: stage the files, build, run tests and detectors, score. */
#define _GNU_SOURCE
#include "grade.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "channels.h"
#include "child.h"
#include "detectors.h"
#include "stacks.h"

/* Replaces every occurrence of `from` in s with `to`; returns a new string. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	struct strbuf sb = STRBUF_INIT;
	size_t flen = strlen(from);
	const char *hit;

	while ((hit = strstr(s, from))) {
		sb_add(&sb, s, (size_t)(hit - s));
		sb_adds(&sb, to);
		s = hit + flen;
	}
	sb_adds(&sb, s);
	return sb_detach(&sb);
}

/* The compiler names the staged copies; the student knows their own paths. */
static void show_student_paths(struct stage_result *res)
{
	for (size_t i = 0; res->diagnostics && i < res->nsrcs; i++) {
		char *fixed = replace_all(res->diagnostics, res->srcs[i].staged, res->srcs[i].display);

		free(res->diagnostics);
		res->diagnostics = fixed;
	}
}

static void progress(const struct grade_options *o, const char *stage, const char *what)
{
	if (o->progress) {
		fprintf(stderr, "\r\033[K  %s: %s", stage, what);
		fflush(stderr);
	}
}

static void progress_done(const struct grade_options *o)
{
	if (o->progress) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

/* Creates dir/name: where the tests' workers leave their stacks. */
static int mkdir_p_in(const char *dir, const char *name)
{
	char *path = xstrfmt("%s/%s", dir, name);
	int rc = mkdir_p(path);

	free(path);
	return rc;
}

/* ---- running ---- */

/*
 * Criterion's runner gives up, without a report, when it cannot fork a
 * test's process; it says so last.  Code under test could print the same
 * line, but only when it has no report either.
 */
static bool runner_out_of_processes(const struct child *c)
{
	return c->at_process_limit ||
	       (c->out.buf && strstr(c->out.buf, "Could not spawn test instance: Resource "
					     "temporarily unavailable"));
}

/*
 * A test that timed out or crashed: where were its threads?  (the runner's
 * capture, if any; read with the test binary only when it is still the one
 * the grader built: the student's code could have replaced it.)
 */
static void explain_stuck(struct test_result *t, const char *diag, const char *binary,
			  const struct stat *built, const struct stage_result *res)
{
	struct stat now;
	const char *symptom = NULL;
	char *where, *m;
	int hint;

	if (stat(binary, &now) || now.st_ino != built->st_ino || now.st_dev != built->st_dev ||
	    now.st_ctim.tv_sec != built->st_ctim.tv_sec ||
	    now.st_ctim.tv_nsec != built->st_ctim.tv_nsec)
		return;
	where = stacks_explain(diag, binary, t->name, res->srcs, res->nsrcs, &symptom);
	if (!where)
		return;
	/* the hint for what the threads were doing, where the stage has one */
	hint = stage_symptom_hint(&res->stage, symptom);
	if (hint)
		t->hint = hint;
	m = xstrfmt("%s\n%s\n%s", t->message,
		    t->status == TEST_CRASHED ? "where it crashed:"
					      : "where its threads were, shortly before it was stopped:",
		    where);
	m[strlen(m) - 1] = '\0';	/* the last newline */
	free(t->message);
	t->message = m;
	free(where);
}

/* A run of a test binary: the stage's tests, or its hidden tests. */
struct test_run {
	bool hidden;
	size_t ntests;		/* the stage's tests that this binary holds */
	struct child child;
	char *binary, *report, *key_env, *argv0;
	const char *env[6];
	struct stat built;
};

/* Sets up a run of dir/name; env has the seed, the time limit and the diagnostics' folder. */
static void test_run_setup(struct test_run *t, const struct grade_options *o,
			   const struct stage *st, const char *dir, bool hidden, const char *const *env)
{
	const char *name = hidden ? HIDDEN_TESTS_BIN : TESTS_BIN;
	const char *argv[] = { NULL, "--output=racecourse:/dev/null", "--jobs", "2",
			       "--always-succeed", "--ascii", NULL, NULL };

	memset(t, 0, sizeof(*t));
	t->hidden = hidden;
	for (size_t i = 0; i < st->ntests; i++)
		t->ntests += st->tests[i].hidden == hidden;
	t->binary = xstrfmt("%s/%s", dir, name);
	t->argv0 = xstrfmt("./%s", name);
	argv[0] = t->argv0;
	if (hidden)
		argv[6] = "--filter=" HIDDEN_SUITE "/*";
	if (stat(t->binary, &t->built))
		memset(&t->built, 0, sizeof(t->built));
	t->report = xstrfmt("%s.report.json", dir);
	t->key_env = handshake_env();
	for (size_t i = 0; i < 3; i++)
		t->env[i] = env[i];
	t->env[3] = KEY_FD_ENV;
	t->env[4] = "RACECOURSE_REPORT_FD=3";
	t->env[5] = NULL;
	t->child = (struct child)CHILD_INIT;
	sandbox_argv(o->sandbox, &t->child.args, argv, dir);
	t->child.dir = dir;
	t->child.env = t->env;
	t->child.pass_fd = open_report(t->report);
	t->child.give_fd[0] = handshake_fd(t->key_env);
	sandbox_child(o->sandbox, &t->child);
	/* Every test could run to its limit; the stage's limit covers that. */
	t->child.timeout = grade_limit(o, st->test_timeout * (double)t->ntests + 30);
}

/* Reads the run's report into its tests' results; says what went wrong in res->problem. */
static void test_run_collect(struct test_run *t, const struct grade_options *o,
			     struct stage_result *res, const char *diag)
{
	const struct stage *st = &res->stage;
	struct strbuf err = STRBUF_INIT, text = STRBUF_INIT;
	const char *which = t->hidden ? "hidden test" : "test";
	char *how, *problem;

	res->t_tests += t->child.elapsed;
	res->cpu_tests += t->child.cpu;
	/* By the descriptor: whatever student code renamed over the file's name. */
	if (t->child.pass_fd >= 0 && read_fd(t->child.pass_fd, &text, REPORT_MAX))
		sb_addf(&err, "the test report is unreadable (%s)", strerror(errno));
	else if (t->child.pass_fd < 0)
		sb_adds(&err, "the test report could not be created");
	else if (!child_ok(&t->child) && !t->child.start_errno) {
		/*
		 * The runner writes its report last and then exits 0
		 * (--always-succeed): a report beside a runner that did not is
		 * one it may not have written.
		 */
		how = child_describe(&t->child);
		sb_addf(&err, "the test runner %s, so its report is not trusted", how);
		free(how);
	}
	if (!err.len && !crreport_parse(st, text.buf, text.len, st->test_timeout * o->timeout_scale,
					handshake_key(t->key_env),
					t->hidden ? CRREPORT_HIDDEN : CRREPORT_VISIBLE, res->tests, &err)) {
		/* Messages name the kit's test files: show them from the kit's root. */
		char *prefix = xstrfmt("%s/", o->kit);

		for (size_t i = 0; i < st->ntests; i++) {
			char *m = res->tests[i].message;

			if (res->tests[i].hidden != t->hidden)
				continue;
			if (m) {
				res->tests[i].message = replace_all(m, prefix, "");
				free(m);
			}
			if (res->tests[i].status == TEST_TIMED_OUT ||
			    res->tests[i].status == TEST_CRASHED)
				explain_stuck(&res->tests[i], diag, t->binary, &t->built, res);
		}
		free(prefix);
		goto out;
	}
	how = child_describe(&t->child);
	/* No report, no points: a test never passes by default. */
	if (runner_out_of_processes(&t->child))
		problem = xstrfmt("no %s results: the test runner could not start a test's process, "
				  "since the code had reached the process limit (a fork bomb?); the "
				  "runner %s", which, how);
	else
		problem = xstrfmt("no %s results: %s; the test runner %s", which, sb_str(&err), how);
	if (res->problem) {
		char *both = xstrfmt("%s; %s", res->problem, problem);

		free(res->problem);
		free(problem);
		problem = both;
	}
	res->problem = problem;
	for (size_t i = 0; i < st->ntests; i++)
		if (res->tests[i].hidden == t->hidden && res->tests[i].status == TEST_NOT_RUN &&
		    !res->tests[i].message)
			res->tests[i].message = xstrdup("not run: the test runner gave no result");
	free(how);
out:
	sb_release(&err);
	sb_release(&text);
}

static void test_run_release(struct test_run *t)
{
	if (t->child.pass_fd >= 0)
		close(t->child.pass_fd);
	child_release(&t->child);
	free(t->binary);
	free(t->report);
	free(t->key_env);
	free(t->argv0);
}

/*
 * Runs the tests and the detectors at the same time: they are independent.
 * The hidden tests, in a binary of their own, run after the others have
 * ended: nothing the code does in their processes reaches the visible
 * tests' results.
 */
static void run_stage(const struct grade_options *o, struct stage_result *res, const char *dir)
{
	const struct stage *st = &res->stage;
	struct detectors ds;
	struct test_run tests, hidden;
	struct child *running[5];
	size_t n = 0;
	char *helper_dir = xstrfmt("%s/tests/lib", o->kit);
	char *timeout_env = xstrfmt("RACECOURSE_TEST_TIMEOUT=%g", st->test_timeout * o->timeout_scale);
	char *seed_env = xstrfmt("RACECOURSE_SEED=%lu", o->seed);
	char *diag = xstrfmt("%s/diag", dir), *diag_env = xstrfmt("RACECOURSE_DIAG_DIR=%s", diag);
	const char *env[] = { seed_env, timeout_env, diag_env };
	struct strbuf note = STRBUF_INIT;

	test_run_setup(&tests, o, st, dir, false, env);
	if (tests.child.pass_fd >= 0 && !child_start(&tests.child))
		running[n++] = &tests.child;
	detectors_start(&ds, o, st, dir, running, &n);
	progress(o, st->name, ds.ndets || ds.nsans ? "running the tests and the detectors..."
						   : "running the tests...");
	child_finish_all(running, n);
	progress_done(o);
	test_run_collect(&tests, o, res, diag);
	test_run_release(&tests);

	if (st->nhidden_sources) {
		/* Beside dir, the sandbox's user's only now (build.h). */
		char *hidden_dir = xstrfmt("%s" HIDDEN_DIR_SUFFIX, dir);
		char *hidden_diag = xstrfmt("%s/diag", hidden_dir);
		char *hidden_diag_env = xstrfmt("RACECOURSE_DIAG_DIR=%s", hidden_diag);
		const char *hidden_env[] = { seed_env, timeout_env, hidden_diag_env };

		test_run_setup(&hidden, o, st, hidden_dir, true, hidden_env);
		progress(o, st->name, "running the hidden tests...");
		if (!mkdir_p_in(hidden_dir, "diag") && !sandbox_prepare(o->sandbox, hidden_dir) &&
		    hidden.child.pass_fd >= 0)
			child_run(&hidden.child);
		progress_done(o);
		test_run_collect(&hidden, o, res, hidden_diag);
		test_run_release(&hidden);
		free(hidden_dir);
		free(hidden_diag);
		free(hidden_diag_env);
	}

	detectors_collect(&ds, res, o, dir, helper_dir, &note);
	if (st->race_free_points && !o->tools)
		sb_adds(&note, "The detectors were turned off for this run. ");
	if (note.len) {
		note.buf[--note.len] = '\0';	/* the last space */
		res->detector_note = sb_detach(&note);
	}
	sb_release(&note);
	free(helper_dir);
	free(timeout_env);
	free(seed_env);
	free(diag);
	free(diag_env);
}

/* ---- scoring ---- */

/*
 * The hint for the findings, where the stage has one by kind: the rarer
 * kinds first, since a race's hint is the stage's general one.
 */
static int finding_hint(const struct stage_result *res, int fallback)
{
	static const enum finding_kind order[] = { FINDING_LOCK_ORDER, FINDING_MEMORY,
						   FINDING_MISUSE, FINDING_RACE };

	for (size_t k = 0; k < sizeof(order) / sizeof(*order); k++)
		for (size_t i = 0; i < res->findings.n; i++) {
			int hint;

			if (res->findings.v[i].kind != order[k])
				continue;
			hint = stage_symptom_hint(&res->stage, finding_kind_tag(order[k]));
			if (hint)
				return hint;
			break;
		}
	return fallback;
}

static void score_stage(struct stage_result *res)
{
	const struct stage *st = &res->stage;

	int earned = 0, possible = 0;

	res->score = 0;
	for (size_t i = 0; i < st->ntests; i++) {
		struct test_result *t = &res->tests[i];

		t->score = t->status == TEST_PASSED ? t->max_score : 0;
		res->score += t->score;
		earned += t->score;
		possible += t->max_score;
	}
	if (st->race_free_points) {
		struct test_result *t = &res->tests[st->ntests];

		if (res->state != STAGE_GRADED) {
			t->status = TEST_NOT_RUN;
		} else if (res->findings.n) {
			t->status = TEST_FAILED;
			t->message = xstrfmt("%zu finding%s in your code (below)", res->findings.n,
					     res->findings.n == 1 ? "" : "s");
			t->hint = finding_hint(res, t->hint);
		} else if (res->detector_note) {
			t->status = TEST_FAILED;
			t->message = xstrdup(res->detector_note);
		} else if (2 * earned < possible) {
			/* A stub shares nothing, so it has no race to find. */
			t->status = TEST_FAILED;
			t->message = xstrdup("no finding, but these points count once your code passes "
					     "at least half of the tests: code that does nothing has no "
					     "race to find");
		} else {
			t->status = TEST_PASSED;
		}
		t->score = t->status == TEST_PASSED ? t->max_score : 0;
		res->score += t->score;
	}
}

static void init_result(struct stage_result *res)
{
	const struct stage *st = &res->stage;

	res->ntests = st->ntests + (st->race_free_points ? 1 : 0);
	res->tests = xcalloc(res->ntests ? res->ntests : 1, sizeof(*res->tests));
	test_results_init(st, res->tests);
	if (st->race_free_points) {
		struct test_result *t = &res->tests[st->ntests];

		t->name = xstrdup(RACE_FREE_NAME);
		t->status = TEST_NOT_RUN;
		t->max_score = st->race_free_points;
		t->hint = st->race_free_hint;
	}
	res->max_score = st->max_score;
}

int grade_stage(const struct grade_options *o, const char *name, struct stage_result *res)
{
	struct strbuf err = STRBUF_INIT;
	char *dir = xstrfmt("%s/%s", o->work, name);
	double started = now();
	struct sandbox_counts caps;
	int rc = 0, built;

	memset(res, 0, sizeof(*res));
	sandbox_counts(o->sandbox, &caps);
	if (stage_load(&res->stage, o->kit, name, &err)) {
		res->state = STAGE_KIT_ERROR;
		res->problem = sb_detach(&err);
		res->stage.name = res->stage.name ? res->stage.name : xstrdup(name);
		rc = -1;
		goto out;
	}
	init_result(res);
	if (o->deadline && now() >= o->deadline) {
		res->state = STAGE_MISSING;
		res->problem = xstrdup("not graded: the run's time limit was reached before this stage");
		goto out;
	}
	if (submission_stage(&res->stage, o->sub, o->sub_display, dir, &res->srcs, &res->nsrcs,
			     &err)) {
		res->state = STAGE_MISSING;
		res->problem = sb_detach(&err);
		goto out;
	}
	if (mkdir_p_in(dir, "diag") || sandbox_prepare(o->sandbox, dir)) {
		res->state = STAGE_KIT_ERROR;
		res->problem = xstrfmt("cannot hand %s to the sandbox's user: %s", dir, strerror(errno));
		goto out;
	}
	double cpu_before = children_cpu();

	progress(o, name, "compiling...");
	built = build_stage(o, &res->stage, dir, res->srcs, res->nsrcs, &res->diagnostics,
			    &res->suspicious);
	if (built) {
		res->state = STAGE_BUILD_FAILED;
		res->refused = built == -2;
		res->problem = res->refused ?
			xstrfmt("%s was refused before linking, so it did not compile into a test "
				"program: 0 points for this stage (below: what to change)",
				res->srcs[0].display) :
			xstrfmt("%s did not compile or link: 0 points for this stage",
				res->srcs[0].display);
		for (size_t i = 0; i < res->ntests; i++)
			res->tests[i].message = xstrdup("not run: the code did not build");
	}
	res->t_build = now() - started;
	res->cpu_build = children_cpu() - cpu_before;
	res->cpu_counted = o->sandbox && o->sandbox->mode != SANDBOX_BWRAP;
	progress_done(o);
	show_student_paths(res);
	/* What the link made must be the sandbox user's too: valgrind writes there. */
	if (res->state == STAGE_GRADED && sandbox_prepare(o->sandbox, dir)) {
		res->state = STAGE_KIT_ERROR;
		res->problem = xstrfmt("cannot hand %s to the sandbox's user: %s", dir, strerror(errno));
	}
	if (res->state == STAGE_GRADED)
		run_stage(o, res, dir);
out:
	/* A process killed by the grading's memory cap is not a mystery SIGKILL. */
	sandbox_note_limits(o->sandbox, &caps, &res->problem);
	if (res->tests)
		score_stage(res);
	res->t_total = now() - started;
	sb_release(&err);
	free(dir);
	return rc;
}

void stage_result_release(struct stage_result *res)
{
	stage_release(&res->stage);
	free(res->problem);
	free(res->diagnostics);
	free(res->suspicious);
	sources_free(res->srcs, res->nsrcs);
	for (size_t i = 0; i < res->ntests; i++)
		test_result_release(&res->tests[i]);
	free(res->tests);
	findings_release(&res->findings);
	free(res->detector_note);
	memset(res, 0, sizeof(*res));
}
