/* The kit's Criterion main: per-test time limits and a report the grader can trust. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/internal/ordered-set.h>
#include <criterion/output.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "handshake.h"
#include "worker.h"

/* ---- in a worker: around each test ---- */

/*
 * Criterion's table of tests, as the linker gathered it: a worker, which
 * does not run main(), finds each test's own fixtures here.
 */
extern struct criterion_test *__start_cr_tst[] __attribute__((weak));
extern struct criterion_test *__stop_cr_tst[] __attribute__((weak));

/* The current test's fields as its source declared them, before the runner's changes. */
static const struct criterion_test_extra_data *declared(void)
{
	const struct criterion_test *cur = criterion_current_test;

	for (struct criterion_test **t = __start_cr_tst; t < __stop_cr_tst; t++)
		if (*t && !strcmp((*t)->name, cur->name) && !strcmp((*t)->category, cur->category))
			return (*t)->data;
	return NULL;
}

/*
 * Criterion ends a test at its limit with a signal that the test's own
 * process handles, and code under test that blocks it would run forever,
 * taking the whole stage's results with it.  So a thread of the worker,
 * with every signal blocked, kills the process a little after the limit:
 * the runner then reports the test as killed by SIGKILL, which the grader
 * counts as timed out.
 */
#define WATCHDOG_GRACE 1.0	/* seconds after the limit, for Criterion's own timer */

static struct timespec watchdog_at;

static void *watchdog(void *unused)
{
	(void)unused;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &watchdog_at, NULL) == EINTR)
		;
	kill(getpid(), SIGKILL);
	return NULL;
}

static void start_watchdog(double limit)
{
	int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
	sigset_t all, old;
	pthread_t thread;
	double at;

	if (limit <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &watchdog_at);
	at = (double)watchdog_at.tv_sec + watchdog_at.tv_nsec / 1e9 + limit + WATCHDOG_GRACE;
	watchdog_at.tv_sec = (time_t)at;
	watchdog_at.tv_nsec = (long)((at - (double)(time_t)at) * 1e9);
	/* libc's own, not a test's -Wl,--wrap=pthread_create that counts the student's threads */
	*(void **)&create = dlsym(RTLD_DEFAULT, "pthread_create");
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (create && !create(&thread, NULL, watchdog, NULL))
		pthread_detach(thread);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* A worker proves that its test ended: see handshake.h. */
static char run_key[HANDSHAKE_KEY_MAX + 1];
static int pending_code;	/* the test's status, made and the key wiped as it starts */
static int finished_code;	/* the status to exit with, once the test is over */

/*
 * Proof that the test's body returned, rather than being left by a jump:
 * Criterion's criterion_abort_test() (which code under test can find in
 * plain C, by walking the loaded libraries' symbol tables) longjmps out of
 * the body to where Criterion runs the teardown, and a test with no failed
 * assertion then counts as passed.  The tests are linked with
 * --wrap=criterion_internal_test_main, --wrap=criterion_send_assert and
 * --wrap=cri_assert_node_send (build.c), so that the body is called from
 * here, and a failed assertion (the only honest way out of a body by a
 * jump) is seen.
 */
struct cri_assert_node;
static void (*test_body)(void);
static bool body_returned, assertion_failed;

void __real_criterion_internal_test_main(void (*fn)(void));
void __wrap_criterion_internal_test_main(void (*fn)(void));
void __real_criterion_send_assert(struct criterion_assert_stats *stats);
void __wrap_criterion_send_assert(struct criterion_assert_stats *stats);
void __real_cri_assert_node_send(const char *file, size_t line, struct cri_assert_node *tree);
void __wrap_cri_assert_node_send(const char *file, size_t line, struct cri_assert_node *tree);

static void body(void)
{
	test_body();
	body_returned = true;
}

/* A parameterized test's body, which Criterion calls with its parameter. */
static void body_with(void *param)
{
	((void (*)(void *))test_body)(param);
	body_returned = true;
}

void __wrap_criterion_internal_test_main(void (*fn)(void))
{
	test_body = fn;
	body_returned = false;
	__real_criterion_internal_test_main(criterion_current_test->data->param_
					    ? (void (*)(void))body_with : body);
}

void __wrap_criterion_send_assert(struct criterion_assert_stats *stats)
{
	if (stats && !stats->passed)
		assertion_failed = true;
	__real_criterion_send_assert(stats);
}

/* Criterion's newer assertions (cr_assert(eq(...))) send only their failures, so. */
void __wrap_cri_assert_node_send(const char *file, size_t line, struct cri_assert_node *tree)
{
	assertion_failed = true;
	__real_cri_assert_node_send(file, line, tree);
}

/*
 * Every test's .init, set by the runner: the test's status is made and the
 * key wiped before any code under test runs; then the watchdog, then the
 * test's own .init.
 */
static void test_started(void)
{
	const struct criterion_test_extra_data *own = declared();

	if (run_key[0])
		pending_code = handshake_code(run_key, criterion_current_test->category,
					      criterion_current_test->name);
	explicit_bzero(run_key, sizeof(run_key));
	start_watchdog(criterion_current_test->data->timeout);
	if (own && own->init)
		own->init();
}

/*
 * Every test's .fini, set by the runner when the grader gave a key:
 * Criterion calls it after the test's body, whether its assertions held or
 * not, and never when the body ends the process.  It runs the test's own
 * .fini first, so that code under test that a .fini calls cannot end the
 * process unnoticed either.
 */
static void test_finished(void)
{
	const struct criterion_test_extra_data *own = declared();

	if (own && own->fini)
		own->fini();
	/* A body left by a jump without a failed assertion did not finish. */
	if (body_returned || assertion_failed)
		finished_code = pending_code;
}

/* The worker's last act, after Criterion has reported the test's end. */
static void exit_with_handshake(void)
{
	if (finished_code) {
		fflush(NULL);
		_exit(finished_code);
	}
}

/* Takes the key out of a worker's environment, and wipes it there, before the test runs. */
static void worker_take_key(void)
{
	char *key = getenv(HANDSHAKE_ENV);

	if (!key || !*key || strlen(key) > HANDSHAKE_KEY_MAX)
		return;
	strcpy(run_key, key);
	/* unsetenv() leaves the string where it was: on the initial stack */
	explicit_bzero(key, strlen(key));
	unsetenv(HANDSHAKE_ENV);
	atexit(exit_with_handshake);
}

/*
 * In the runner: the key from the grader's descriptor (handshake.h), for
 * its workers, whose environment it becomes, not the runner's own block
 * on its initial stack.  A worker ending early with a test's code proves
 * nothing by itself (Criterion counts that test as failed unless it
 * reported its end); the runner, which judges them all, is out of the
 * workers' reach: not dumpable, so that no process of its user may trace
 * it, read its memory or open its descriptors through /proc.
 */
static void runner_take_key(void)
{
	char key[HANDSHAKE_KEY_MAX + 1];

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (handshake_read_key(key))
		setenv(HANDSHAKE_ENV, key, 1);
	explicit_bzero(key, sizeof(key));
}

/*
 * Prepares every test before any runs.  Criterion's --timeout only lowers a
 * time limit that a test declares; a test that declares none may run
 * forever.  The grader therefore passes the stage's limit in
 * RACECOURSE_TEST_TIMEOUT and every test without a limit of its own gets
 * it.  Every test also gets test_started() as its .init and, with a key,
 * test_finished() as its .fini: the workers see these fields as the runner
 * set them.
 */
static void prepare_tests(struct criterion_test_set *set)
{
	const char *env = getenv("RACECOURSE_TEST_TIMEOUT");
	double limit = env ? strtod(env, NULL) : 0;
	bool handshake = getenv(HANDSHAKE_ENV) != NULL;

	FOREACH_SET(struct criterion_suite_set *s, set->suites) {
		FOREACH_SET(struct criterion_test *t, s->tests) {
			if (limit > 0 && t->data->timeout <= 0)
				t->data->timeout = limit;
			/* Without the table, a worker could not run the test's own fixtures. */
			if (!__start_cr_tst)
				continue;
			t->data->init = test_started;
			if (handshake)
				t->data->fini = test_finished;
		}
	}
}

static const char *status_of(const struct criterion_test_stats *t)
{
	if (t->crashed || t->timed_out)
		return "ERRORED";
	switch (t->test_status) {
	case CR_STATUS_PASSED: return "PASSED";
	case CR_STATUS_SKIPPED: return "SKIPPED";
	default: return "FAILED";
	}
}

/* The failed assertions' messages, oldest first (Criterion keeps them newest first). */
static json_t *messages_of(const struct criterion_test_stats *t)
{
	json_t *messages = json_array();

	for (const struct criterion_assert_stats *a = t->asserts; a; a = a->next) {
		json_t *m;

		if (a->passed)
			continue;
		m = json_sprintf("%s:%u: %s", a->file ? a->file : "?", a->line,
				 a->message ? a->message : "");
		/* A message that is not UTF-8 (student output) still gets reported. */
		json_array_insert_new(messages, 0, m ? m : json_string("(a message that is not UTF-8)"));
	}
	return messages;
}

/*
 * The report: the shape of Criterion's --json report (test_suites[], each
 * with tests[] of name, status, messages), plus how each test ended.  It is
 * written with jansson because Criterion 2.4.1's own JSON report does not
 * escape quotes in assertion messages, so one message quoting the student's
 * output would make the whole report unreadable.
 */
static int report_fd = -1;

static void write_report(FILE *out, struct criterion_global_stats *stats)
{
	json_t *suites = json_array(), *report;

	for (struct criterion_suite_stats *s = stats->suites; s; s = s->next) {
		json_t *tests = json_array();

		for (struct criterion_test_stats *t = s->tests; t; t = t->next) {
			json_array_append_new(tests, json_pack("{s:s, s:s, s:o, s:i, s:i, s:i, s:b, s:b, s:f}",
				"name", t->test->name,
				"status", status_of(t),
				"messages", messages_of(t),
				"assertions", t->passed_asserts + t->failed_asserts,
				"signal", t->signal,
				"exit_code", t->exit_code,
				"timed_out", t->timed_out,
				"crashed", t->crashed,
				"elapsed", (double)t->elapsed_time));
		}
		json_array_append_new(suites, json_pack("{s:s, s:o}", "name", s->suite->name,
							"tests", tests));
	}
	report = json_pack("{s:s, s:I, s:o}", "id", "racecourse runner (Criterion 2.4)",
				   "tests", (json_int_t)stats->nb_tests, "test_suites", suites);
	if (report_fd >= 0)
		json_dumpfd(report, report_fd, JSON_INDENT(1));
	else
		json_dumpf(report, out, JSON_INDENT(1));
	json_decref(report);
}

/* ---- in a worker: /proc files of a process that is not dumpable ---- */

#define TASK_FDS 64	/* threads whose syscall file stays open, per worker */
#define TASK_FD_MIN 64	/* out of the way of the descriptors tests count on */

static struct {
	int tid, fd;
} task_fds[TASK_FDS];
static int ntask_fds;
static pthread_mutex_t task_fds_lock = PTHREAD_MUTEX_INITIALIZER;

static int open_task_syscall(int tid)
{
	char path[64];
	int fd, high;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	high = fcntl(fd, F_DUPFD_CLOEXEC, TASK_FD_MIN);
	close(fd);
	return high;
}

/* The worker's main thread's file, opened while the worker is still dumpable. */
static void keep_main_task_syscall(void)
{
	int fd = open_task_syscall((int)getpid());

	if (fd >= 0) {
		task_fds[0].tid = (int)getpid();
		task_fds[0].fd = fd;
		ntask_fds = 1;
	}
}

/*
 * Another thread's file: the open needs the worker dumpable, for as long
 * as the open takes (docs/security.md says what that window leaves).
 */
static int task_syscall_fd(int tid)
{
	int fd = -1;

	pthread_mutex_lock(&task_fds_lock);
	for (int i = 0; i < ntask_fds && fd < 0; i++)
		if (task_fds[i].tid == tid)
			fd = task_fds[i].fd;
	if (fd < 0 && ntask_fds < TASK_FDS) {
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		fd = open_task_syscall(tid);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		if (fd >= 0) {
			task_fds[ntask_fds].tid = tid;
			task_fds[ntask_fds++].fd = fd;
		}
	}
	pthread_mutex_unlock(&task_fds_lock);
	return fd;
}

ssize_t worker_task_syscall(int tid, char *buf, size_t size)
{
	int fd = task_syscall_fd(tid);
	ssize_t got;

	if (fd < 0 || size == 0)
		return -1;
	/* a seq_file read again from offset 0 is made again: the thread's state now */
	got = pread(fd, buf, size - 1, 0);
	if (got < 0)
		return -1;
	buf[got] = '\0';
	return got;
}

/*
 * A constructor, because Criterion's workers run the test before main: this
 * runs first in the runner (which marks the workers it will start) and in
 * each worker, where it puts the worker out of its user's reach, takes the
 * run's key and arms the stack capture.
 */
__attribute__((constructor)) static void prepare_worker(void)
{
	const char *dir = getenv("RACECOURSE_DIAG_DIR"), *limit = getenv("RACECOURSE_TEST_TIMEOUT");

	/* The runner marks its workers, and only they run tests. */
	if (!getenv("RACECOURSE_WORKER")) {
		runner_take_key();
		setenv("RACECOURSE_WORKER", "1", 1);
		return;
	}
	/*
	 * exec() made the worker dumpable again: a process of its user (one the
	 * code under test forks, or a daemon left by an earlier test) could
	 * then write its memory, its code included, through /proc/PID/mem,
	 * which is no ptrace call for the system-call filter to refuse: a `ret`
	 * written over the hooks on failed assertions turned a stub into a
	 * pass (tests/hostile/proc-mem-poke).  Not dumpable, its /proc files
	 * are root's.
	 */
	keep_main_task_syscall();
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	worker_take_key();
	if (dir && *dir)
		capture_arm(dir, limit ? strtod(limit, NULL) : 0);
}

int main(int argc, char *argv[])
{
	struct criterion_test_set *tests;
	int result = 0;

	tests = criterion_initialize();

	/*
	 * The grader asks for the report with --output=racecourse:FILE, and
	 * may hand the runner a descriptor for it instead (RACECOURSE_REPORT_FD):
	 * then it moves out of the tests' reach, since the workers that run
	 * the student's code are started with close-on-exec descriptors closed.
	 */
	const char *fd = getenv("RACECOURSE_REPORT_FD");

	if (fd && *fd) {
		int given = atoi(fd);

		report_fd = fcntl(given, F_DUPFD_CLOEXEC, 10);
		close(given);
		unsetenv("RACECOURSE_REPORT_FD");
	}
	criterion_register_output_provider("racecourse", write_report);
	if (criterion_handle_args(argc, argv, true)) {
		prepare_tests(tests);
		result = !criterion_run_all_tests(tests);
	}
	criterion_finalize(tests);
	return result;
}
