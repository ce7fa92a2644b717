/* Grading one stage: stage the files, build, run tests and detectors, score. */
#define _GNU_SOURCE
#include "grade.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tests/lib/handshake.h"
#include "../tests/lib/scenario.h"
#include "build.h"
#include "hglocks.h"
#include "child.h"
#include "stacks.h"
#include "tsan.h"

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

/* A fresh key for one run's handshake: HANDSHAKE_ENV=<32 hex digits>. */
static char *handshake_env(void)
{
	unsigned char bytes[16];
	char hex[2 * sizeof(bytes) + 1];

	/* A guessable key would be no key: without the kernel's randomness, stop. */
	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
		die("cannot get random bytes for the run's key: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
	return xstrfmt("%s=%s", HANDSHAKE_ENV, hex);
}

/* The key of an env entry that handshake_env() made. */
static const char *handshake_key(const char *env)
{
	return env + strlen(HANDSHAKE_ENV) + 1;
}

/*
 * The key on a descriptor, never in an environment, where it would stay in
 * /proc/PID/environ and on the initial stack whatever the program then
 * unset: a pipe that holds it, for the child as its fd HANDSHAKE_FD (with
 * HANDSHAKE_FD_ENV), which the kit's code reads and closes before any
 * student code runs.  Returns the read end, close-on-exec, or -1.
 */
static int handshake_fd(const char *key_env)
{
	const char *key = handshake_key(key_env);
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -1;
	if (write(p[1], key, strlen(key)) != (ssize_t)strlen(key)) {
		close(p[0]);
		p[0] = -1;
	}
	close(p[1]);
	return p[0];
}

/* valgrind's own log: the child's give_fd[] slot, and so its descriptor number. */
#define VALGRIND_LOG_SLOT 2
#define VALGRIND_LOG_FD "6"

/* How the child finds the key: HANDSHAKE_FD_ENV=HANDSHAKE_FD. */
#define KEY_FD_ENV HANDSHAKE_FD_ENV "=4"

/*
 * Whether the scenarios ran to their end: scenario_main.c exits with the
 * code of its key then, and the code under test could only have made it
 * end otherwise.
 */
static bool scenarios_finished(const struct child *c, const char *key_env)
{
	/* The code is below 126: never a start failure's 127 nor 128 + a signal. */
	return !c->timed_out &&
	       child_exit_code(c) == handshake_code(handshake_key(key_env), "scenarios", NULL);
}

/* The first line of out that begins with prefix, or NULL.  Sets *len to its length. */
static const char *line_starting(const char *out, const char *prefix, int *len)
{
	size_t n = strlen(prefix);

	for (const char *line = out; line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (!strncmp(line, prefix, n)) {
			*len = (int)strcspn(line, "\n");
			return line;
		}
	}
	return NULL;
}

/*
 * The line in which valgrind says that it failed itself (an assertion of
 * the tool, a fatal error at startup, an option it refused), or NULL: then
 * the scenarios' early end is not the code's doing.  Read from the tool's
 * own channel, never from the output the code under test shares: `log` is
 * what valgrind wrote to its --log-fd, which it keeps out of the client's
 * reach; `started` says whether it began its report, and only when it did
 * not may a "valgrind: " line of the output (its launcher's) be its.  Sets
 * *len to the line's length.
 */
static const char *tool_failure(const struct child *c, const char *log, bool started, int *len)
{
	static const char *const marks[] = {
		"Assertion '", "Fatal error at startup", "the 'impossible' happened",
	};

	for (size_t i = 0; log && i < sizeof(marks) / sizeof(*marks); i++) {
		const char *hit = strstr(log, marks[i]), *start;

		if (!hit)
			continue;
		for (start = hit; start > log && start[-1] != '\n'; start--)
			;
		*len = (int)strcspn(start, "\n");
		return start;
	}
	return started ? NULL : line_starting(c->out.buf, "valgrind: ", len);
}

/* Why scenarios that did not finish could not be vouched for, in note. */
static void scenarios_note(struct strbuf *note, const struct child *c, const char *tool,
			   const char *log, bool started)
{
	const char *failure;
	char *how;
	int len;

	if (c->timed_out && c->at_process_limit) {
		sb_addf(note, "%s stopped the scenarios at the time limit of %g s, when the code had "
			"reached the process limit: a fork bomb? ", tool, c->timeout);
		return;
	}
	if (c->timed_out) {
		sb_addf(note, "%s stopped the scenarios at the time limit of %g s: they never "
			"finished, a deadlock? ", tool, c->timeout);
		return;
	}
	/* Until the tool began its report, all the output is bubblewrap's and the tool's. */
	if (!c->start_errno && c->exit_is_signal && !started &&
	    (failure = line_starting(c->out.buf, "bwrap: ", &len))) {
		sb_addf(note, "The sandbox could not start %s (\"%.*s\"): a problem of this machine, "
			"not of the code, but %s could not check it. ", tool, len, failure, tool);
		return;
	}
	if (!c->start_errno && (failure = tool_failure(c, log, started, &len))) {
		sb_addf(note, "%s itself failed (it said \"%.*s\"), so it could not check it all: "
			"code that corrupts memory (a block freed twice, a write past its end) can do "
			"that to it, as can a problem of the tool. ", tool, len, failure);
		return;
	}
	if (!c->start_errno && WIFEXITED(c->status) && WEXITSTATUS(c->status) == SCENARIO_STUCK_STATUS) {
		sb_addf(note, "The scenarios' threads under %s had not ended half-way through its time "
			"limit of %g s: a deadlock, or a wait that nothing ends? ", tool, c->timeout);
		return;
	}
	if (!c->start_errno && WIFEXITED(c->status) && !child_signal(c)) {
		sb_addf(note, "The scenarios under %s ended (status %d) before they all ran: the "
			"code must not call exit(), _exit() or exec*(), so %s could not check "
			"them. ", tool, WEXITSTATUS(c->status), tool);
		return;
	}
	how = child_describe(c);
	sb_addf(note, "The scenarios under %s ended (%s), so it could not check them all. ", tool,
		how);
	free(how);
}

/*
 * A file for a report, beside the stage's scratch directory rather than in
 * it: student code cannot reach it by path (the sandbox does not show it,
 * and the fallback's user may not open it), and gets only the descriptor
 * that the writer was handed, which valgrind and the kit's runner keep from
 * the code they run.  Returns the descriptor, or -1 with errno set.
 */
#define REPORT_MAX (64 << 20)	/* bytes of a report read: far more than any honest one */

static int open_report(const char *path)
{
	return open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

/*
 * The scenarios end themselves, as stuck, half-way through a detector's
 * time limit (scenario.h): a deadlock then costs half of it, not all.
 */
static char *scenario_deadline_env(const struct grade_options *o)
{
	return xstrfmt(SCENARIO_SECONDS_ENV "=%g", grade_limit(o, DETECTOR_TIMEOUT) / 2);
}

struct detector_run {
	const char *tool;	/* "helgrind" or "drd" */
	unsigned flag;
	struct child child;
	const char *argv[14];
	const char **sandboxed;
	char *xml;		/* where its report goes */
	char *key_env;		/* the handshake's key */
	char *deadline_env;
	const char *env[3];
	int log_fd;		/* valgrind's own messages (--log-fd), a memory file, or -1 */
};

/* A detector's run: its report is XML, or with `text_log` valgrind's text log. */
static void detector_setup(struct detector_run *d, const struct grade_options *o, const char *dir,
			   const char *tool, unsigned flag, bool text_log)
{
	const char **a = d->argv;

	d->tool = tool;
	d->flag = flag;
	d->xml = xstrfmt("%s.%s.%s", dir, tool, text_log ? "log" : "xml");
	*a++ = "valgrind";
	*a++ = flag == TOOL_HELGRIND ? "--tool=helgrind" : "--tool=drd";
	*a++ = "-q";
	/*
	 * Its own messages on a descriptor that valgrind moves out of the
	 * client's reach, not on the output the client shares.
	 */
	d->log_fd = text_log ? -1 : memfd_create("racecourse-valgrind-log", MFD_CLOEXEC);
	if (text_log) {
		*a++ = "--log-fd=3";
	} else {
		*a++ = "--xml=yes";
		*a++ = "--xml-fd=3";
		if (d->log_fd >= 0)
			*a++ = "--log-fd=" VALGRIND_LOG_FD;
	}
	*a++ = "--num-callers=30";
	/* A process the student's code forks must not write into this report. */
	*a++ = "--child-silent-after-fork=yes";
	/* DRD skips stack variables unless asked; a thread's &i lives there. */
	if (flag == TOOL_DRD)
		*a++ = "--check-stack-var=yes";
	*a++ = "./" SCENARIOS_BIN;
	*a = NULL;
	d->sandboxed = sandbox_argv_valgrind(o->sandbox, d->argv, dir);
	d->child = (struct child)CHILD_INIT;
	d->child.argv = d->sandboxed;
	d->child.dir = dir;
	d->child.timeout = grade_limit(o, DETECTOR_TIMEOUT);
	d->child.out_cap = 256 * 1024;
	d->child.pass_fd = open_report(d->xml);
	d->key_env = handshake_env();
	d->env[0] = KEY_FD_ENV;
	d->child.give_fd[0] = handshake_fd(d->key_env);
	if (d->log_fd >= 0)
		d->child.give_fd[VALGRIND_LOG_SLOT] = fcntl(d->log_fd, F_DUPFD_CLOEXEC, 0);
	d->deadline_env = scenario_deadline_env(o);
	d->env[1] = d->deadline_env;
	d->env[2] = NULL;
	d->child.env = d->env;
	sandbox_child(o->sandbox, &d->child);
}

static void detector_release(struct detector_run *d)
{
	free(d->deadline_env);
	if (d->child.pass_fd >= 0)
		close(d->child.pass_fd);
	if (d->log_fd >= 0)
		close(d->log_fd);
	child_release(&d->child);
	sandbox_free_argv(d->sandboxed);
	free(d->xml);
	free(d->key_env);
}

/* Reads what one detector reported and says why it could not vouch, if so. */
static void detector_collect(struct stage_result *res, struct detector_run *d,
			     const char *helper_dir, struct strbuf *note)
{
	const char *name = d->flag == TOOL_HELGRIND ? "Helgrind" : "DRD";
	struct vg_report r = { 0 };
	struct strbuf err = STRBUF_INIT, xml = STRBUF_INIT, log = STRBUF_INIT;
	bool started;

	/* By the descriptor: whatever student code renamed over the file's name. */
	if (d->child.pass_fd < 0)
		sb_addf(note, "%s could not be given a report file. ", name);
	else if (read_fd(d->child.pass_fd, &xml, REPORT_MAX) ||
		 vgxml_parse(&r, xml.buf, xml.len, &err))
		sb_addf(note, "%s's report could not be read (%s). ", name,
			err.len ? sb_str(&err) : strerror(errno));
	else
		findings_add_report(&res->findings, &r, d->flag, res->srcs, res->nsrcs, helper_dir);
	started = xml.len > 0;
	sb_release(&xml);
	if (d->log_fd >= 0 && read_fd(d->log_fd, &log, REPORT_MAX))
		sb_release(&log);
	if (!scenarios_finished(&d->child, d->key_env))
		scenarios_note(note, &d->child, name, log.len ? log.buf : NULL, started);
	else if (r.truncated || !r.tool)
		sb_addf(note, "%s's report ended early. ", name);
	sb_release(&log);
	vg_report_release(&r);
	sb_release(&err);
	detector_release(d);
}

/*
 * Helgrind's XML leaves out the locks each thread held at a race's
 * accesses; its text log has them.  When Helgrind found races, one more
 * run of it with a text log gives their sites the locks (see hglocks.h).
 * Only the sites it finds again get them: a race's two threads may meet
 * differently in this run.
 */
static void add_locks_held(struct stage_result *res, const struct grade_options *o, const char *dir)
{
	struct detector_run d;
	struct strbuf log = STRBUF_INIT;
	bool races = false;

	for (size_t i = 0; i < res->findings.n; i++)
		if (res->findings.v[i].kind == FINDING_RACE &&
		    (res->findings.v[i].tools & TOOL_HELGRIND))
			races = true;
	if (!races)
		return;
	detector_setup(&d, o, dir, "helgrind", TOOL_HELGRIND, true);
	if (d.child.pass_fd >= 0 && !child_run(&d.child) &&
	    scenarios_finished(&d.child, d.key_env) && !read_fd(d.child.pass_fd, &log, REPORT_MAX)) {
		struct hg_locks locks;

		hglocks_parse(&locks, log.buf);
		hglocks_apply(&locks, &res->findings);
		hglocks_release(&locks);
	}
	res->t_helgrind += d.child.elapsed;
	res->cpu_helgrind += d.child.cpu;
	sb_release(&log);
	detector_release(&d);
}

/*
 * The scenarios built under a sanitizer, run natively: far quicker than
 * under valgrind, and witnesses of the native code, which valgrind's tools
 * do not run (code that behaves otherwise under valgrind is caught here).
 * ThreadSanitizer sees races and lock-order inversions, AddressSanitizer
 * memory used after free or out of bounds; fast mode runs TSan alone.
 * Each writes its reports to DIR/<log>.PID, which tsan_add_report() reads
 * into the same findings.  Neither can run under a cap of the address
 * space (their shadow memory is terabytes of it): a cap of the resident
 * memory takes its place.
 */
struct sanitizer {
	unsigned flag;
	const char *name, *binary, *log;
	const char *options;	/* the variable, then the options but log_path */
};

/* AddressSanitizer first: its memory errors say where the block was allocated. */
static const struct sanitizer sanitizers[] = {
	{ TOOL_ASAN, "AddressSanitizer", "./" SCENARIOS_ASAN_BIN, "asan",
	  "ASAN_OPTIONS=halt_on_error=0 exitcode=0 detect_leaks=0 hard_rss_limit_mb=1024 "
	  "allocator_may_return_null=1 detect_stack_use_after_return=0" },
	{ TOOL_TSAN, "ThreadSanitizer", "./" SCENARIOS_TSAN_BIN, "tsan",
	  "TSAN_OPTIONS=halt_on_error=0 exitcode=0 detect_deadlocks=1 second_deadlock_stack=1 "
	  "hard_rss_limit_mb=1024 allocator_may_return_null=1 atexit_sleep_ms=0" },
};

struct sanitizer_run {
	const struct sanitizer *san;
	struct child child;
	const char **sandboxed;
	char *options, *seed, *key_env, *deadline_env;
	const char *env[5];
};

static void sanitizer_setup(struct sanitizer_run *t, const struct sanitizer *san,
			    const struct grade_options *o, const char *dir)
{
	const char *argv[] = { san->binary, NULL };

	t->san = san;
	t->options = xstrfmt("%s log_path=%s/%s", san->options, dir, san->log);
	t->seed = xstrfmt("RACECOURSE_SEED=%lu", o->seed);
	t->key_env = handshake_env();
	t->env[0] = t->options;
	t->env[1] = t->seed;
	t->env[2] = KEY_FD_ENV;
	t->deadline_env = scenario_deadline_env(o);
	t->env[3] = t->deadline_env;
	t->env[4] = NULL;
	t->sandboxed = sandbox_argv(o->sandbox, argv, dir);
	t->child = (struct child)CHILD_INIT;
	t->child.argv = t->sandboxed;
	t->child.dir = dir;
	t->child.env = t->env;
	t->child.no_memory_limit = true;
	t->child.timeout = grade_limit(o, DETECTOR_TIMEOUT);
	t->child.out_cap = 256 * 1024;
	t->child.give_fd[0] = handshake_fd(t->key_env);
	sandbox_child(o->sandbox, &t->child);
}

static void sanitizer_collect(struct stage_result *res, struct sanitizer_run *t, const char *dir,
			      const char *helper_dir, struct strbuf *note)
{
	size_t prefix = strlen(t->san->log);
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		struct strbuf text = STRBUF_INIT;
		char *path;

		if (strncmp(e->d_name, t->san->log, prefix) || e->d_name[prefix] != '.')
			continue;
		path = xstrfmt("%s/%s", dir, e->d_name);
		if (!read_file_untrusted(path, &text, 4 << 20))
			tsan_add_report(&res->findings, sb_str(&text), text.len, res->srcs, res->nsrcs,
					helper_dir);
		sb_release(&text);
		free(path);
	}
	if (d)
		closedir(d);
	if (!scenarios_finished(&t->child, t->key_env))
		scenarios_note(note, &t->child, t->san->name, NULL, true);
	if (t->san->flag == TOOL_TSAN) {
		res->t_tsan = t->child.elapsed;
		res->cpu_tsan = t->child.cpu;
	} else {
		res->t_asan = t->child.elapsed;
		res->cpu_asan = t->child.cpu;
	}
	child_release(&t->child);
	sandbox_free_argv(t->sandboxed);
	free(t->options);
	free(t->seed);
	free(t->key_env);
	free(t->deadline_env);
}

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

/* Runs the tests and the detectors at the same time: they are independent. */
static void run_stage(const struct grade_options *o, struct stage_result *res, const char *dir)
{
	const struct stage *st = &res->stage;
	struct detector_run dets[2];
	struct child tests = CHILD_INIT;
	struct child *running[5];
	size_t n = 0, ndets = 0;
	char *report = xstrfmt("%s.report.json", dir);
	char *helper_dir = xstrfmt("%s/tests/lib", o->kit);
	char *timeout_env = xstrfmt("RACECOURSE_TEST_TIMEOUT=%g", st->test_timeout * o->timeout_scale);
	char *seed_env = xstrfmt("RACECOURSE_SEED=%lu", o->seed);
	char *diag = xstrfmt("%s/diag", dir), *diag_env = xstrfmt("RACECOURSE_DIAG_DIR=%s", diag);
	char *binary = xstrfmt("%s/tests.bin", dir);
	struct stat built;
	char *key_env = handshake_env();
	const char *env[] = { seed_env, timeout_env, diag_env, KEY_FD_ENV, "RACECOURSE_REPORT_FD=3",
			      NULL };
	const char *argv[] = { "./tests.bin", "--output=racecourse:/dev/null", "--jobs", "2",
			       "--always-succeed", "--ascii", NULL };
	const char **sandboxed = sandbox_argv(o->sandbox, argv, dir);
	struct strbuf err = STRBUF_INIT, note = STRBUF_INIT, text = STRBUF_INIT;

	if (stat(binary, &built))
		memset(&built, 0, sizeof(built));
	tests.argv = sandboxed;
	tests.dir = dir;
	tests.env = env;
	tests.pass_fd = open_report(report);
	tests.give_fd[0] = handshake_fd(key_env);
	sandbox_child(o->sandbox, &tests);
	/* Every test could run to its limit; the stage's limit covers that. */
	tests.timeout = grade_limit(o, st->test_timeout * (double)st->ntests + 30);
	if (tests.pass_fd >= 0 && !child_start(&tests))
		running[n++] = &tests;

	struct sanitizer_run sans[2];
	size_t nsans = 0;

	for (size_t i = 0; i < sizeof(sanitizers) / sizeof(*sanitizers); i++) {
		if (!st->race_free_points || !(o->tools & sanitizers[i].flag))
			continue;
		sanitizer_setup(&sans[nsans], &sanitizers[i], o, dir);
		if (!child_start(&sans[nsans].child))
			running[n++] = &sans[nsans].child;
		nsans++;
	}
	if (st->race_free_points && (o->tools & TOOL_VALGRIND)) {
		if (o->tools & TOOL_HELGRIND)
			detector_setup(&dets[ndets++], o, dir, "helgrind", TOOL_HELGRIND, false);
		if (o->tools & TOOL_DRD)
			detector_setup(&dets[ndets++], o, dir, "drd", TOOL_DRD, false);
		for (size_t i = 0; i < ndets; i++)
			if (dets[i].child.pass_fd >= 0 && !child_start(&dets[i].child))
				running[n++] = &dets[i].child;
	}
	progress(o, st->name, ndets || nsans ? "running the tests and the detectors..."
					     : "running the tests...");
	child_finish_all(running, n);
	progress_done(o);

	res->t_tests = tests.elapsed;
	res->cpu_tests = tests.cpu;
	/* By the descriptor: whatever student code renamed over the file's name. */
	if (tests.pass_fd >= 0 && read_fd(tests.pass_fd, &text, REPORT_MAX))
		sb_addf(&err, "the test report is unreadable (%s)", strerror(errno));
	else if (tests.pass_fd < 0)
		sb_adds(&err, "the test report could not be created");
	else if (!child_ok(&tests) && !tests.start_errno) {
		/*
		 * The runner writes its report last and then exits 0
		 * (--always-succeed): a report beside a runner that did not is
		 * one it may not have written.
		 */
		char *how = child_describe(&tests);

		sb_addf(&err, "the test runner %s, so its report is not trusted", how);
		free(how);
	}
	if (!err.len && !crreport_parse(st, text.buf, text.len, st->test_timeout * o->timeout_scale,
					handshake_key(key_env), res->tests, &err)) {
		/* Messages name the kit's test files: show them from the kit's root. */
		char *prefix = xstrfmt("%s/", o->kit);

		for (size_t i = 0; i < st->ntests; i++) {
			char *m = res->tests[i].message;

			if (m) {
				res->tests[i].message = replace_all(m, prefix, "");
				free(m);
			}
			if (res->tests[i].status == TEST_TIMED_OUT ||
			    res->tests[i].status == TEST_CRASHED)
				explain_stuck(&res->tests[i], diag, binary, &built, res);
		}
		free(prefix);
	} else {
		char *how = child_describe(&tests);

		/* No report, no points: a test never passes by default. */
		if (runner_out_of_processes(&tests))
			res->problem = xstrfmt("no test results: the test runner could not start a "
					       "test's process, since the code had reached the process "
					       "limit (a fork bomb?); the runner %s", how);
		else
			res->problem = xstrfmt("no test results: %s; the test runner %s", sb_str(&err),
					       how);
		for (size_t i = 0; i < st->ntests; i++)
			res->tests[i].message = xstrdup("not run: the test runner gave no result");
		free(how);
	}
	for (size_t i = 0; i < ndets; i++) {
		if (dets[i].flag == TOOL_HELGRIND) {
			res->t_helgrind = dets[i].child.elapsed;
			res->cpu_helgrind = dets[i].child.cpu;
		} else {
			res->t_drd = dets[i].child.elapsed;
			res->cpu_drd = dets[i].child.cpu;
		}
		detector_collect(res, &dets[i], helper_dir, &note);
	}
	if (ndets)
		add_locks_held(res, o, dir);
	for (size_t i = 0; i < nsans; i++)
		sanitizer_collect(res, &sans[i], dir, helper_dir, &note);
	if (st->race_free_points && !o->tools)
		sb_adds(&note, "The detectors were turned off for this run. ");
	if (note.len) {
		note.buf[--note.len] = '\0';	/* the last space */
		res->detector_note = sb_detach(&note);
	}
	if (tests.pass_fd >= 0)
		close(tests.pass_fd);
	child_release(&tests);
	sandbox_free_argv(sandboxed);
	sb_release(&err);
	sb_release(&note);
	sb_release(&text);
	free(helper_dir);
	free(report);
	free(timeout_env);
	free(seed_env);
	free(diag);
	free(diag_env);
	free(binary);
	free(key_env);
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
