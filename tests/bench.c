/*
 * bench: how long grading takes, and where the time goes.
 *
 * For each stage, grades the reference solution RUNS times and prints the
 * median wall time with its parts (build, tests, Helgrind, DRD, and the
 * grader's own overhead: what is left once those are taken out).  Then
 * times the plain approach, each whole Criterion suite under Helgrind and
 * then DRD with --trace-children=yes, so the ratio is visible; the same
 * grading without the sandbox (its overhead); and fast mode, ThreadSanitizer
 * instead of the two valgrind tools.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "util.h"

#define RUNS 5

struct timing {
	double total, build, tests, helgrind, drd, tsan;
};

static int compare(const void *a, const void *b)
{
	double x = ((const struct timing *)a)->total, y = ((const struct timing *)b)->total;

	return x < y ? -1 : x > y;
}

static double seconds(json_t *stage, const char *key)
{
	return json_number_value(json_object_get(json_object_get(stage, "seconds"), key));
}

/* Grades one stage of the solutions; returns the kept scratch directory. */
static char *grade(const char *stage, const char *option, const char **env, struct timing *t)
{
	char *out = xstrfmt("/tmp/racecourse-bench-%s.json", stage);
	const char *argv[] = { "grader/racecourse", "--stage", stage, "--format", "json", "--out", out,
			       "--keep", option, "solutions", NULL };
	struct child c = CHILD_INIT;
	json_t *res, *st;
	json_error_t err;
	char *keep = NULL, *p;
	double t0 = now();

	c.argv = argv;
	c.env = env;
	if (child_run(&c) || child_exit_code(&c) != 0)
		die("grading %s failed: %s", stage, sb_str(&c.out));
	t->total = now() - t0;
	res = json_load_file(out, 0, &err);
	if (!res)
		die("cannot read %s: %s", out, err.text);
	st = json_array_get(json_object_get(json_object_get(res, "extra_data"), "stages"), 0);
	t->build = seconds(st, "build");
	t->tests = seconds(st, "tests");
	t->helgrind = seconds(st, "helgrind");
	t->drd = seconds(st, "drd");
	t->tsan = seconds(st, "tsan");
	/* "racecourse: the scratch directory is DIR" */
	p = strstr(sb_str(&c.out), "directory is ");
	if (p) {
		keep = xstrdup(p + 13);
		keep[strcspn(keep, "\n")] = '\0';
	}
	json_decref(res);
	child_release(&c);
	remove(out);
	free(out);
	return keep;
}

/* Grades one stage of the solutions for its times alone. */
static void grade_and_discard(const char *stage, const char *option, const char **env,
			      struct timing *t)
{
	char *dir = grade(stage, option, env, t);

	if (dir)
		remove_tree(dir);
	free(dir);
}

/* The plain approach: the whole suite under a detector, following the workers. */
static double whole_suite(const char *dir, const char *tool)
{
	char *xml = xstrfmt("--xml-file=%s/plain-%s.%%p.xml", dir, tool + 7);
	const char *argv[] = { "valgrind", tool, "--trace-children=yes", "-q", "--xml=yes", xml,
			       "./tests.bin", "--jobs", "1", NULL };
	const char *env[] = { "RACECOURSE_TEST_TIMEOUT=120", NULL };
	struct child c = CHILD_INIT;
	double t0 = now();

	c.argv = argv;
	c.dir = dir;
	c.env = env;
	c.timeout = 600;
	child_run(&c);
	child_release(&c);
	free(xml);
	return now() - t0;
}

int main(int argc, char **argv)
{
	const char *stages[16];
	struct timing med[16], full[16], bare[16], fast[16];
	const char *full_debuginfo[] = { "RACECOURSE_FULL_DEBUGINFO=1", NULL };
	int n = 0;
	double all = 0;

	for (int i = 1; i < argc && n < 16; i++)
		stages[n++] = argv[i];
	printf("Grading the reference solutions, median of %d runs (seconds, wall):\n\n", RUNS);
	printf("%-14s %7s %7s %7s %9s %7s %9s %10s %10s\n", "stage", "total", "build", "tests",
	       "helgrind", "drd", "overhead", "plain hg", "plain drd");
	for (int i = 0; i < n; i++) {
		struct timing t[RUNS], u[RUNS], b[RUNS], f[RUNS], m;
		char *dirs[RUNS];
		double overhead, hg = 0, drd = 0, busiest;
		bool threads;

		/*
		 * Sandboxed, bare and fast runs take turns, so that whatever else
		 * the machine does falls on all alike; each keeps its median.  The
		 * sandbox's overhead is measured with valgrind reading all of
		 * libc's debug information, as it does without the sandbox.
		 */
		for (int r = 0; r < RUNS; r++) {
			dirs[r] = grade(stages[i], "--sandbox=auto", NULL, &t[r]);
			grade_and_discard(stages[i], "--sandbox=auto", full_debuginfo, &u[r]);
			grade_and_discard(stages[i], "--sandbox=none", NULL, &b[r]);
			grade_and_discard(stages[i], "--fast", NULL, &f[r]);
		}
		qsort(t, RUNS, sizeof(*t), compare);
		qsort(u, RUNS, sizeof(*u), compare);
		qsort(b, RUNS, sizeof(*b), compare);
		qsort(f, RUNS, sizeof(*f), compare);
		m = t[RUNS / 2];
		full[i] = u[RUNS / 2];
		bare[i] = b[RUNS / 2];
		fast[i] = f[RUNS / 2];
		threads = m.helgrind > 0;
		/* Tests and detectors run side by side: the longest of them is what counts. */
		busiest = m.tests;
		if (m.helgrind > busiest)
			busiest = m.helgrind;
		if (m.drd > busiest)
			busiest = m.drd;
		overhead = m.total - m.build - busiest;
		if (threads && dirs[0]) {
			char *stage_dir = xstrfmt("%s/%s", dirs[0], stages[i]);

			hg = whole_suite(stage_dir, "--tool=helgrind");
			drd = whole_suite(stage_dir, "--tool=drd");
			free(stage_dir);
		}
		for (int r = 0; r < RUNS; r++) {
			if (dirs[r])
				remove_tree(dirs[r]);
			free(dirs[r]);
		}
		med[i] = m;
		printf("%-14s %7.2f %7.2f %7.2f %9.2f %7.2f %5.2f (%2.0f%%)", stages[i], m.total, m.build,
		       m.tests, m.helgrind, m.drd, overhead, 100 * overhead / m.total);
		if (threads)
			printf(" %10.2f %10.2f   (%.1fx)\n", hg, drd, (hg + drd) / m.total);
		else
			printf(" %10s %10s\n", "-", "-");
		all += m.total;
	}
	printf("\nall stages: %.2f s (targets: one stage with both detectors <= 4 s, all six <= 20 s; "
	       "grader overhead <= 5%%)\n", all);
	printf("\nThe sandbox, and fast mode (medians of %d runs each, taking turns):\n\n", RUNS);
	printf("%-14s %9s %9s %9s   %9s %9s %9s %9s %9s\n", "stage", "sandboxed", "bare",
	       "overhead", "fast", "tsan", "hg + drd", "speed-up", "(slower)");
	for (int i = 0; i < n; i++) {
		double vg = med[i].helgrind + med[i].drd;
		double slower = med[i].helgrind > med[i].drd ? med[i].helgrind : med[i].drd;

		printf("%-14s %9.2f %9.2f %8.0f%%   %9.2f", stages[i], full[i].total, bare[i].total,
		       100 * (full[i].total - bare[i].total) / bare[i].total, fast[i].total);
		if (vg > 0 && fast[i].tsan > 0)
			printf(" %9.2f %9.2f %8.1fx %8.1fx\n", fast[i].tsan, vg, vg / fast[i].tsan,
			       slower / fast[i].tsan);
		else
			printf(" %9s %9s %9s %9s\n", "-", "-", "-", "-");
	}
	printf("\noverhead: the median sandboxed grading against the median bare one, both "
	       "with all of libc's debug information (target <= 10%%)\n"
	       "speed-up: the default's two runs of the scenarios, Helgrind's and DRD's times "
	       "added,\n  against fast mode's one under ThreadSanitizer (target >= 5x); "
	       "(slower): the slower tool's alone,\n  as the two run side by side\n");
	printf("plain: the whole Criterion suite under Helgrind, then under DRD, "
	       "--trace-children=yes; (Nx) = (plain hg + plain drd) / graded total\n");
	return 0;
}
