/*
 * hostile_check: the C half of tests/hostile.sh (expect.json, results, processes).
 *
 *   hostile_check plan EXPECT MODE KIT [CGROUP]
 *	Checks EXPECT (tests/hostile/<name>/expect.json) and prints one line of
 *	tab-separated fields for MODE (bwrap-root, bwrap-user, fallback-root,
 *	fallback-user): stage, detectors, timeout scale, the run's time limit in
 *	seconds (what the grader's limits add up to), the checks a known problem
 *	may fail (comma-separated), "alone" when it must not run beside other
 *	entries (or "-"), "--admit-any-call" when the entry tests the layers
 *	after admission (or "-"), then "run", "skip" or "known" and why.
 *	CGROUP is the grader's --sandbox-info "resources:" line in MODE: an
 *	entry that "needs_cgroup" is known where it says "no cgroup".
 *   hostile_check verdict EXPECT RESULTS MODE
 *	Checks the grader's results.json: the sandbox MODE names, a score no
 *	higher than max_score ("full": the stage's), the reason (if any) in some
 *	text of the report.  Prints "SCORE/MAX", or one line per problem, each
 *	starting with the check's name ("score: ..."), and exits 1.
 *   hostile_check procs PREFIX MARKER
 *	Lists the processes whose working directory or program is below PREFIX
 *	(a run's scratch space) or whose environment has the entry MARKER (the
 *	run's own, which every descendant inherits): whatever the submission
 *	started.  Kills them, and exits 1 if there were any.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* Seconds of the grader's limits that no stage outgrows: compiling, linking, detectors. */
#define COMPILE_LIMIT 120
#define LINK_LIMIT 120
#define DETECTOR_LIMIT 60
#define STAGE_SLACK 30

static const char *const modes[] = { "bwrap-root", "bwrap-user", "fallback-root", "fallback-user" };

static json_t *load(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);

	if (!j)
		fprintf(stderr, "hostile_check: cannot read %s: line %d: %s\n", path, err.line, err.text);
	return j;
}

static bool is_mode(const char *s, bool star)
{
	if (star && !strcmp(s, "*"))
		return true;
	for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++)
		if (!strcmp(s, modes[i]))
			return true;
	return false;
}

/* ---- expect.json ---- */

/* Says what is wrong with an expect.json, or returns 0. */
static int check_expect(json_t *e, const char *path)
{
	static const char *const keys[] = {
		"stage", "max_score", "about", "reason", "absent", "detectors", "timeout_scale",
		"unsafe_in", "known_in", "known_checks", "kill_all", "alone", "admit_any_call",
		"needs_cgroup",
	};
	static const char *const checks[] = {
		"sandbox", "score", "reason", "absent", "exit", "leak", "files", "canary", "network", "time",
	};
	const char *key;
	json_t *v;
	size_t i;

	v = json_object_get(e, "max_score");
	if (!json_is_object(e) || !json_is_string(json_object_get(e, "stage")) ||
	    !(json_is_integer(v) || (json_is_string(v) && !strcmp(json_string_value(v), "full"))) ||
	    !json_is_string(json_object_get(e, "about"))) {
		fprintf(stderr, "%s: needs \"stage\", \"max_score\" (points or \"full\") and "
			"\"about\"\n", path);
		return -1;
	}
	json_object_foreach(e, key, v) {
		bool known = false;

		for (i = 0; i < sizeof(keys) / sizeof(*keys); i++)
			known |= !strcmp(key, keys[i]);
		if (!known) {
			fprintf(stderr, "%s: unknown key \"%s\"\n", path, key);
			return -1;
		}
	}
	json_array_foreach(json_object_get(e, "unsafe_in"), i, v) {
		if (!json_is_string(v) || !is_mode(json_string_value(v), false)) {
			fprintf(stderr, "%s: unsafe_in lists an unknown mode\n", path);
			return -1;
		}
	}
	json_array_foreach(json_object_get(e, "known_checks"), i, v) {
		bool known = false;

		for (size_t k = 0; k < sizeof(checks) / sizeof(*checks); k++)
			known |= json_is_string(v) && !strcmp(json_string_value(v), checks[k]);
		if (!known) {
			fprintf(stderr, "%s: known_checks lists an unknown check\n", path);
			return -1;
		}
	}
	json_object_foreach(json_object_get(e, "known_in"), key, v) {
		if (!is_mode(key, true) || !json_is_string(v)) {
			fprintf(stderr, "%s: known_in: \"%s\" is not a mode with a reason\n", path, key);
			return -1;
		}
	}
	return 0;
}

static bool listed(json_t *list, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

/* What the grader's limits add up to for this entry, in seconds. */
static long run_limit(json_t *e, const char *kit, double scale, bool detectors)
{
	char path[PATH_MAX];
	json_t *m;
	double timeout = 5, stage;
	size_t ntests;

	snprintf(path, sizeof(path), "%s/assignments/%s/manifest.json", kit,
		 json_string_value(json_object_get(e, "stage")));
	m = load(path);
	if (!m)
		return -1;
	if (json_is_number(json_object_get(m, "test_timeout")))
		timeout = json_number_value(json_object_get(m, "test_timeout"));
	ntests = json_array_size(json_object_get(m, "tests"));
	json_decref(m);
	stage = timeout * (double)ntests + STAGE_SLACK;
	if (detectors && stage < DETECTOR_LIMIT)
		stage = DETECTOR_LIMIT;
	return (long)(scale * (COMPILE_LIMIT + LINK_LIMIT + stage) + 0.999);
}

/* The checks a known problem may fail: known_checks, or the verdict's own. */
static void print_checks(json_t *e)
{
	json_t *list = json_object_get(e, "known_checks"), *v;
	size_t i;

	if (!json_array_size(list)) {
		fputs("score,reason", stdout);
		return;
	}
	json_array_foreach(list, i, v)
		printf("%s%s", i ? "," : "", json_string_value(v));
}

static int plan(const char *expect, const char *mode, const char *kit, const char *cgroup)
{
	json_t *e = load(expect), *known;
	const char *det, *action = "run", *why = "";
	double scale;
	long limit;

	if (!e || check_expect(e, expect))
		return 2;
	if (!is_mode(mode, false)) {
		fprintf(stderr, "hostile_check: unknown mode %s\n", mode);
		return 2;
	}
	det = json_string_value(json_object_get(e, "detectors"));
	det = det ? det : "none";
	scale = json_is_number(json_object_get(e, "timeout_scale")) ?
		json_number_value(json_object_get(e, "timeout_scale")) : 0.5;
	limit = run_limit(e, kit, scale, strcmp(det, "none"));
	if (limit < 0)
		return 2;
	known = json_object_get(e, "known_in");
	if (listed(json_object_get(e, "unsafe_in"), mode)) {
		action = "skip";
		why = json_is_true(json_object_get(e, "kill_all")) ?
			"it reaches kill(-1, SIGKILL), which as the grader's own user kills the grader "
			"and that user's other processes: nothing but namespaces or another user can "
			"prevent that" : "unsafe in this mode";
	} else if (json_is_true(json_object_get(e, "needs_cgroup")) && cgroup &&
		   strstr(cgroup, "no cgroup")) {
		/* The grader said why, and the instructor's guide says what to do. */
		action = "known";
		why = cgroup;
	} else if (json_object_get(known, mode) || json_object_get(known, "*")) {
		action = "known";
		why = json_string_value(json_object_get(known, mode) ? json_object_get(known, mode)
								      : json_object_get(known, "*"));
	}
	printf("%s\t%s\t%g\t%ld\t", json_string_value(json_object_get(e, "stage")), det, scale, limit);
	print_checks(e);
	printf("\t%s\t%s\t%s\t%s\n", json_is_true(json_object_get(e, "alone")) ? "alone" : "-",
	       json_is_true(json_object_get(e, "admit_any_call")) ? "--admit-any-call" : "-", action, why);
	json_decref(e);
	return 0;
}

/* ---- the grader's results.json ---- */

/* Does any string in the document contain `needle`? */
static bool mentions(json_t *j, const char *needle)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_string(j))
		return strstr(json_string_value(j), needle) != NULL;
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (mentions(v, needle))
				return true;
	}
	if (json_is_object(j)) {
		json_object_foreach(j, key, v)
			if (mentions(v, needle))
				return true;
	}
	return false;
}

static int verdict(const char *expect, const char *results, const char *mode)
{
	json_t *e = load(expect), *r = load(results);
	const char *reason, *sandbox;
	json_t *v;
	size_t i;
	char want[16];
	double score, max, full;
	int bad = 0;

	if (!e || !r || check_expect(e, expect))
		return 2;
	snprintf(want, sizeof(want), "%.*s", (int)strcspn(mode, "-"), mode);
	sandbox = json_string_value(json_object_get(json_object_get(r, "extra_data"), "sandbox"));
	if (!sandbox || strcmp(sandbox, want)) {
		printf("sandbox: the grader ran in sandbox mode %s, not %s\n",
		       sandbox ? sandbox : "(none said)", want);
		bad = 1;
	}
	score = json_number_value(json_object_get(r, "score"));
	full = json_number_value(json_object_get(r, "max_score"));
	max = json_is_string(json_object_get(e, "max_score")) ? full :
		json_number_value(json_object_get(e, "max_score"));
	if (!json_is_number(json_object_get(r, "score")) || score > max) {
		printf("score: scored %g, more than the %g its honest tests allow\n", score, max);
		bad = 1;
	}
	reason = json_string_value(json_object_get(e, "reason"));
	if (reason && !mentions(r, reason)) {
		printf("reason: the report does not say \"%s\"\n", reason);
		bad = 1;
	}
	/* Words the report must not say: what student code printed, quoted as a tool's. */
	json_array_foreach(json_object_get(e, "absent"), i, v) {
		if (json_is_string(v) && mentions(r, json_string_value(v))) {
			printf("absent: the report says \"%s\"\n", json_string_value(v));
			bad = 1;
		}
	}
	if (!bad)
		printf("%g/%g\n", score, full);
	json_decref(e);
	json_decref(r);
	return bad;
}

/* ---- processes left behind ---- */

static bool below(const char *link, const char *prefix)
{
	char target[PATH_MAX];
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	size_t len = strlen(prefix);

	if (n <= 0)
		return false;
	target[n] = '\0';
	return !strncmp(target, prefix, len) && (target[len] == '/' || !target[len]);
}

/* Has the process the environment entry `marker`? */
static bool marked(pid_t pid, const char *marker)
{
	static char env[1 << 16];
	char path[64];
	size_t n, len = strlen(marker);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(env, 1, sizeof(env) - 1, f);
	fclose(f);
	env[n] = '\0';
	for (size_t i = 0; i < n; i += strlen(env + i) + 1)
		if (!strncmp(env + i, marker, len) && !env[i + len])
			return true;
	return false;
}

/*
 * One pass over /proc: stops every process of the run (so none forks while
 * we look) and returns how many.  On the first pass they are listed.
 */
static int sweep(const char *prefix, const char *marker, pid_t *pids, int max, bool list)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)) && n < max) {
		char cwd[64], exe[64], comm[64], name[32] = "?";
		pid_t pid = (pid_t)atoi(de->d_name);
		FILE *f;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(cwd, sizeof(cwd), "/proc/%d/cwd", (int)pid);
		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
		if (!below(cwd, prefix) && !below(exe, prefix) && !marked(pid, marker))
			continue;
		kill(pid, SIGSTOP);
		pids[n++] = pid;
		if (!list || n > 20)
			continue;
		snprintf(comm, sizeof(comm), "/proc/%d/comm", (int)pid);
		f = fopen(comm, "r");
		if (f && fgets(name, sizeof(name), f))
			name[strcspn(name, "\n")] = '\0';
		if (f)
			fclose(f);
		printf("leak: left running: pid %d (%s)\n", (int)pid, name);
	}
	if (d)
		closedir(d);
	return n;
}

static int procs(const char *prefix, const char *marker)
{
	static pid_t pids[8192];
	int n, found, rounds = 0;

	found = n = sweep(prefix, marker, pids, 8192, true);
	if (found > 20)
		printf("leak: and so on, %d processes in all\n", found);
	/* Stopped ones cannot fork: kill them all, until a pass finds none. */
	while (n > 0 && rounds++ < 100) {
		for (int i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		n = sweep(prefix, marker, pids, 8192, false);
	}
	if (n > 0)
		printf("leak: %d processes could not be killed\n", n);
	return found > 0;
}

int main(int argc, char **argv)
{
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "plan"))
		return plan(argv[2], argv[3], argv[4], argc == 6 ? argv[5] : NULL);
	if (argc == 5 && !strcmp(argv[1], "verdict"))
		return verdict(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "procs"))
		return procs(argv[2], argv[3]);
	fprintf(stderr, "usage: hostile_check plan EXPECT MODE KIT [CGROUP] | verdict EXPECT RESULTS MODE | "
		"procs PREFIX MARKER\n");
	return 2;
}
