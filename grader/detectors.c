/* The detectors over a stage's scenarios: Helgrind and DRD, ThreadSanitizer and AddressSanitizer. */
#define _GNU_SOURCE
#include "detectors.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tests/lib/scenario.h"
#include "build.h"
#include "channels.h"
#include "hglocks.h"
#include "tsan.h"
#include "vgxml.h"

/* valgrind's own log: the child's give_fd[] slot, and so its descriptor number. */
#define VALGRIND_LOG_SLOT 2
#define VALGRIND_LOG_FD "6"

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
 * The scenarios end themselves, as stuck, half-way through a detector's
 * time limit (scenario.h): a deadlock then costs half of it, not all.
 */
static char *scenario_deadline_env(const struct grade_options *o)
{
	return xstrfmt(SCENARIO_SECONDS_ENV "=%g", grade_limit(o, DETECTOR_TIMEOUT) / 2);
}

/* A detector's run: its report is XML, or with `text_log` valgrind's text log. */
static void detector_setup(struct detector_run *d, const struct grade_options *o, const char *dir,
			   const char *tool, unsigned flag, bool text_log)
{
	struct strvec argv = STRVEC_INIT;

	d->tool = tool;
	d->flag = flag;
	d->xml = xstrfmt("%s.%s.%s", dir, tool, text_log ? "log" : "xml");
	strvec_pushv(&argv, (const char *[]){ "valgrind",
		     flag == TOOL_HELGRIND ? "--tool=helgrind" : "--tool=drd", "-q", NULL });
	/*
	 * Its own messages on a descriptor that valgrind moves out of the
	 * client's reach, not on the output the client shares.
	 */
	d->log_fd = text_log ? -1 : memfd_create("racecourse-valgrind-log", MFD_CLOEXEC);
	if (text_log) {
		strvec_push(&argv, "--log-fd=3");
	} else {
		strvec_pushv(&argv, (const char *[]){ "--xml=yes", "--xml-fd=3", NULL });
		if (d->log_fd >= 0)
			strvec_push(&argv, "--log-fd=" VALGRIND_LOG_FD);
	}
	strvec_push(&argv, "--num-callers=30");
	/* A process the student's code forks must not write into this report. */
	strvec_push(&argv, "--child-silent-after-fork=yes");
	/* DRD skips stack variables unless asked; a thread's &i lives there. */
	if (flag == TOOL_DRD)
		strvec_push(&argv, "--check-stack-var=yes");
	strvec_push(&argv, "./" SCENARIOS_BIN);
	d->child = (struct child)CHILD_INIT;
	sandbox_argv_valgrind(o->sandbox, &d->child.args, argv.v, dir);
	strvec_clear(&argv);
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

/*
 * How AddressSanitizer ends a program at an error it cannot go on from (a
 * SEGV, a stack overflow): the code's own exit() rarely picks it.  At the
 * other errors it reports and goes on; ThreadSanitizer would also use its
 * exit code for a normal exit after a report, so its stays 0.
 */
#define SANITIZER_DIED_STATUS 86

/* AddressSanitizer first: its memory errors say where the block was allocated. */
static const struct sanitizer sanitizers[] = {
	{ TOOL_ASAN, "AddressSanitizer", "./" SCENARIOS_ASAN_BIN, "asan",
	  "ASAN_OPTIONS=halt_on_error=0 exitcode=" XSTR(SANITIZER_DIED_STATUS) " detect_leaks=0 "
	  "hard_rss_limit_mb=1024 "
	  "allocator_may_return_null=1 detect_stack_use_after_return=1" },
	{ TOOL_TSAN, "ThreadSanitizer", "./" SCENARIOS_TSAN_BIN, "tsan",
	  "TSAN_OPTIONS=halt_on_error=0 exitcode=0 detect_deadlocks=1 second_deadlock_stack=1 "
	  "hard_rss_limit_mb=1024 allocator_may_return_null=1 atexit_sleep_ms=0" },
};

/* Whether AddressSanitizer ended the scenarios itself, at an error it cannot go on from. */
static bool sanitizer_died(const struct sanitizer_run *t)
{
	const struct child *c = &t->child;

	return t->san->flag == TOOL_ASAN && !c->start_errno && !c->timed_out &&
	       WIFEXITED(c->status) && WEXITSTATUS(c->status) == SANITIZER_DIED_STATUS;
}

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
	t->child = (struct child)CHILD_INIT;
	sandbox_argv(o->sandbox, &t->child.args, argv, dir);
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
	if (!scenarios_finished(&t->child, t->key_env)) {
		if (sanitizer_died(t))
			sb_addf(note, "%s stopped the scenarios at the memory error it reported above, "
				"so it could not check the rest. ", t->san->name);
		else
			scenarios_note(note, &t->child, t->san->name, NULL, true);
	}
	if (t->san->flag == TOOL_TSAN) {
		res->t_tsan = t->child.elapsed;
		res->cpu_tsan = t->child.cpu;
	} else {
		res->t_asan = t->child.elapsed;
		res->cpu_asan = t->child.cpu;
	}
	child_release(&t->child);
	free(t->options);
	free(t->seed);
	free(t->key_env);
	free(t->deadline_env);
}

/* ---- the detectors of a stage, together ---- */

void detectors_start(struct detectors *ds, const struct grade_options *o, const struct stage *st,
		     const char *dir, struct child **running, size_t *n)
{
	ds->ndets = ds->nsans = 0;
	if (!st->race_free_points)
		return;
	for (size_t i = 0; i < sizeof(sanitizers) / sizeof(*sanitizers); i++) {
		struct sanitizer_run *t = &ds->sans[ds->nsans];

		if (!(o->tools & sanitizers[i].flag))
			continue;
		sanitizer_setup(t, &sanitizers[i], o, dir);
		if (!child_start(&t->child))
			running[(*n)++] = &t->child;
		ds->nsans++;
	}
	if (o->tools & TOOL_HELGRIND)
		detector_setup(&ds->dets[ds->ndets++], o, dir, "helgrind", TOOL_HELGRIND, false);
	if (o->tools & TOOL_DRD)
		detector_setup(&ds->dets[ds->ndets++], o, dir, "drd", TOOL_DRD, false);
	for (size_t i = 0; i < ds->ndets; i++)
		if (ds->dets[i].child.pass_fd >= 0 && !child_start(&ds->dets[i].child))
			running[(*n)++] = &ds->dets[i].child;
}

void detectors_collect(struct detectors *ds, struct stage_result *res, const struct grade_options *o,
		       const char *dir, const char *helper_dir, struct strbuf *note)
{
	for (size_t i = 0; i < ds->ndets; i++) {
		if (ds->dets[i].flag == TOOL_HELGRIND) {
			res->t_helgrind = ds->dets[i].child.elapsed;
			res->cpu_helgrind = ds->dets[i].child.cpu;
		} else {
			res->t_drd = ds->dets[i].child.elapsed;
			res->cpu_drd = ds->dets[i].child.cpu;
		}
		detector_collect(res, &ds->dets[i], helper_dir, note);
	}
	if (ds->ndets)
		add_locks_held(res, o, dir);
	for (size_t i = 0; i < ds->nsans; i++)
		sanitizer_collect(res, &ds->sans[i], dir, helper_dir, note);
	ds->ndets = ds->nsans = 0;
}
