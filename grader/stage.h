/* Stage discovery and manifests: what the grader knows about a stage. */
#ifndef RACECOURSE_STAGE_H
#define RACECOURSE_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The suite of the instructor's hidden tests, and theirs alone. */
#define HIDDEN_SUITE "hidden"

/* One graded test of a stage's Criterion suite. */
struct stage_test {
	char *name;		/* "suite/test", as Criterion names it */
	int points;
	int hint;		/* the hint that helps, or 0 */
	bool hidden;		/* an instructor's test: seen after the due date, in HIDDEN_SUITE */
};

/*
 * A stage, read from assignments/<name>/manifest.json.  The format is
 * described in docs/authoring.md; every path here is absolute.
 */
struct stage {
	char *name;		/* "03-race" */
	char *title;
	char *assignment_dir;	/* assignments/<name> */
	char *include_dir;	/* assignments/<name>/include: the public header */
	char *tests_dir;	/* tests/<name> */
	char **student_files;	/* bare file names, e.g. "account.c" */
	size_t nstudent_files;
	char **api;		/* the functions the student's files may define globally */
	size_t napi;
	char **imports;		/* library calls the stage allows beyond the grader's own list (imports.h) */
	size_t nimports;
	char **test_sources;	/* absolute paths */
	size_t ntest_sources;
	char **scenario_sources;	/* absolute paths; none for a stage without threads */
	size_t nscenario_sources;
	char **hidden_sources;	/* absolute paths in tests/<name>/hidden/; none in a student's kit */
	size_t nhidden_sources;
	char **lib_sources;	/* absolute paths in tests/lib: fault injection the tests link */
	size_t nlib_sources;
	char **ldflags;		/* extra link flags of the test binary */
	size_t nldflags;
	bool perturb;
	double test_timeout;	/* seconds, before TIMEOUT_SCALE */
	struct stage_test *tests;
	size_t ntests;
	int race_free_points;	/* 0 when the stage has no race-free item */
	int race_free_hint;
	int max_score;
	/*
	 * Hints by what the grader saw rather than by test: a finding's kind
	 * ("race", "lock-order", "misuse", "memory") for the race-free item,
	 * and for a test that timed out or crashed, its threads' state
	 * ("deadlock", "self-deadlock", "lost-wakeup", "spin", "crash").
	 */
	struct symptom_hint {
		char *symptom;
		int hint;
	} *symptom_hints;
	size_t nsymptom_hints;
};

/* The hint the manifest gives for `symptom`, or 0. */
int stage_symptom_hint(const struct stage *st, const char *symptom);

/*
 * Reads and checks the manifest of stage `name` in the kit at `kit`.
 * Returns 0, or -1 with a one-line reason in err.
 */
int stage_load(struct stage *st, const char *kit, const char *name, struct strbuf *err);
void stage_release(struct stage *st);

/*
 * The names of the kit's stages (directories of assignments/ that hold a
 * manifest.json), sorted.  Returns how many; *names is malloc'd, as is
 * each name.
 */
size_t stage_list(const char *kit, char ***names);

/*
 * The stage a user means by `want`: its full name, or its number alone
 * ("03").  Returns the name (malloc'd), or NULL with a one-line reason in
 * err that lists the stages.
 */
char *stage_resolve(const char *kit, const char *want, struct strbuf *err);

/*
 * The stages a comma-separated list names (each as stage_resolve() takes
 * it; NULL for all of the kit's), in the kit's order, each once.  Returns
 * how many, with *names malloc'd as each name, or 0 with a one-line reason
 * in err (a name that is no stage, a list that names none, no stages).
 */
size_t stage_select(const char *kit, const char *list, char ***names, struct strbuf *err);

/* The kit of this grader: the folder that holds grader/racecourse (malloc'd), or NULL. */
char *stage_default_kit(void);

/* Finds a stage's test by its "suite/name"; NULL when it has none such. */
const struct stage_test *stage_find_test(const struct stage *st, const char *name);

#endif
