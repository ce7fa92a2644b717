/* Unit tests of the child supervisor: limits, process groups, decoding. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "child.h"
#include "sandbox.h"

static void run(struct child *c, const char *script, double timeout)
{
	strvec_pushv(&c->args, (const char *[]){ "sh", "-c", script, NULL });
	c->timeout = timeout;
	cr_assert_eq(child_run(c), 0, "could not start sh: %s", strerror(c->start_errno));
}

/* True when no process of the group is left. */
static bool group_gone(pid_t pgid)
{
	return kill(-pgid, 0) < 0;
}

Test(child, exit_status_and_output)
{
	struct child c = CHILD_INIT;
	char *how;

	run(&c, "echo out; echo err >&2; exit 3", 0);
	cr_assert_eq(child_exit_code(&c), 3);
	cr_assert_not(child_ok(&c));
	cr_assert_str_eq(sb_str(&c.out), "out\nerr\n");
	how = child_describe(&c);
	cr_assert_str_eq(how, "exited with status 3");
	free(how);
	child_release(&c);
}

Test(child, killed_by_a_signal)
{
	struct child c = CHILD_INIT;
	char *how;

	run(&c, "kill -SEGV $$", 0);
	cr_assert_eq(child_exit_code(&c), 128 + SIGSEGV);
	how = child_describe(&c);
	cr_assert_str_eq(how, "killed by SIGSEGV");
	free(how);
	child_release(&c);
}

Test(child, ignoring_sigterm_does_not_outlive_the_limit)
{
	struct child c = CHILD_INIT;
	char *how;
	double t0 = now();

	run(&c, "trap '' TERM; while :; do :; done", 0.3);
	cr_assert(c.timed_out);
	cr_assert(WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGKILL,
		  "it ignored SIGTERM, so SIGKILL ended it");
	/* The limit plus the grace, with room for a loaded machine. */
	cr_assert_lt(now() - t0, 0.3 + CHILD_KILL_GRACE + 5);
	how = child_describe(&c);
	cr_assert_str_eq(how, "timed out after 0.3 s");
	free(how);
	child_release(&c);
}

Test(child, bubblewrap_passes_on_a_signal_as_128_plus_it)
{
	struct child c = CHILD_INIT;
	char *how;

	c.status = 139 << 8;	/* exited with status 139 */
	cr_assert_eq(child_signal(&c), 0);
	how = child_describe(&c);
	cr_assert_str_eq(how, "exited with status 139");
	free(how);
	c.exit_is_signal = true;
	cr_assert_eq(child_signal(&c), SIGSEGV);
	how = child_describe(&c);
	cr_assert_str_eq(how, "killed by SIGSEGV");
	free(how);
	c.status = 3 << 8;
	cr_assert_eq(child_signal(&c), 0);
}

Test(child, a_forked_grandchild_that_hangs_is_killed)
{
	struct child c = CHILD_INIT;
	pid_t pgid;

	/* The grandchild keeps the output pipe open and would hang a naive reader. */
	run(&c, "sh -c 'trap \"\" TERM; while :; do :; done' & echo $$", 10);
	cr_assert_not(c.timed_out, "waited for the grandchild instead of the child");
	cr_assert_eq(child_exit_code(&c), 0);
	pgid = (pid_t)atoi(sb_str(&c.out));
	cr_assert_gt(pgid, 1);
	cr_assert(group_gone(pgid), "the grandchild outlived its parent");
	child_release(&c);
}

Test(child, a_hung_group_is_gone_after_the_limit)
{
	struct child c = CHILD_INIT;
	const char *argv[] = { "sh", "-c", "sh -c 'while :; do :; done' & wait", NULL };
	pid_t pgid;

	strvec_pushv(&c.args, argv);
	c.timeout = 0.3;
	cr_assert_eq(child_start(&c), 0);
	pgid = c.pid;
	child_finish(&c);
	cr_assert(c.timed_out);
	cr_assert(group_gone(pgid), "a process of the child's group is still alive");
	child_release(&c);
}

Test(child, output_beyond_the_cap_is_counted_not_kept)
{
	struct child c = CHILD_INIT;

	c.out_cap = 1000;
	run(&c, "head -c 100000 /dev/zero | tr '\\0' x", 10);
	cr_assert_eq(c.out.len, 1000);
	cr_assert_eq(c.out_dropped, 99000);
	child_release(&c);
}

Test(child, a_missing_program_cannot_be_started)
{
	struct child c = CHILD_INIT;
	const char *argv[] = { "racecourse-no-such-program", NULL };
	char *how;

	strvec_pushv(&c.args, argv);
	cr_assert_eq(child_run(&c), -1);
	cr_assert_neq(c.start_errno, 0);
	cr_assert_eq(child_exit_code(&c), 127);
	how = child_describe(&c);
	cr_assert(strstr(how, "could not be started"), "%s", how);
	free(how);
	child_release(&c);
}

Test(child, several_children_at_once_each_with_its_own_limit)
{
	struct child a = CHILD_INIT, b = CHILD_INIT;
	const char *hang[] = { "sh", "-c", "while :; do :; done", NULL };
	const char *quick[] = { "sh", "-c", "echo done", NULL };
	struct child *both[] = { &a, &b };

	strvec_pushv(&a.args, hang);
	a.timeout = 0.3;
	strvec_pushv(&b.args, quick);
	b.timeout = 30;
	cr_assert_eq(child_start(&a), 0);
	cr_assert_eq(child_start(&b), 0);
	child_finish_all(both, 2);
	cr_assert(a.timed_out);
	cr_assert_not(b.timed_out);
	cr_assert(child_ok(&b));
	cr_assert_str_eq(sb_str(&b.out), "done\n");
	child_release(&a);
	child_release(&b);
}

/* A sandbox whose user (ours) may have `max` processes. */
static struct sandbox own_user_may_have(unsigned long max)
{
	return (struct sandbox){ .mode = SANDBOX_FALLBACK, .max_processes = max };
}

Test(child, a_fork_bomb_is_named_as_such)
{
	/* This process alone is at a limit of 1: all a bomb could do. */
	struct sandbox sb = own_user_may_have(1);
	struct child c = CHILD_INIT;
	char *how;

	sandbox_child(&sb, &c);
	run(&c, "exec sleep 30", 0.5);
	cr_assert(c.timed_out);
	cr_assert(c.at_process_limit);
	how = child_describe(&c);
	cr_assert(strstr(how, "process limit"), "%s", how);
	free(how);
	child_release(&c);
}

/* A sandbox whose user (ours) may have as many processes as we may now. */
static struct sandbox own_user_as_now(void)
{
	struct rlimit now;

	cr_assert_eq(getrlimit(RLIMIT_NPROC, &now), 0);
	return own_user_may_have(now.rlim_max == RLIM_INFINITY ? 1UL << 20 : now.rlim_max);
}

Test(child, an_ordinary_timeout_is_not_a_fork_bomb)
{
	struct sandbox sb = own_user_as_now();
	struct child c = CHILD_INIT;
	char *how;

	sandbox_child(&sb, &c);
	run(&c, "exec sleep 30", 0.5);
	cr_assert(c.timed_out);
	cr_assert_not(c.at_process_limit);
	how = child_describe(&c);
	cr_assert_str_eq(how, "timed out after 0.5 s");
	free(how);
	child_release(&c);
}

Test(child, student_code_gets_a_temporary_folder_it_may_use)
{
	struct sandbox sb = own_user_as_now();
	struct child plain = CHILD_INIT, boxed = CHILD_INIT;

	setenv("TMPDIR", "/root/racecourse-unreachable", 1);
	run(&plain, "echo $TMPDIR", 0);
	cr_assert_str_eq(sb_str(&plain.out), "/root/racecourse-unreachable\n");
	sandbox_child(&sb, &boxed);
	run(&boxed, "echo $TMPDIR", 0);
	cr_assert_str_eq(sb_str(&boxed.out), "/tmp\n");
	child_release(&plain);
	child_release(&boxed);
	unsetenv("TMPDIR");
}

Test(child, descriptors_not_handed_over_are_closed)
{
	struct child c = CHILD_INIT;
	int leak = open("/dev/null", O_RDONLY);	/* not close-on-exec */
	char *script;

	cr_assert_geq(leak, 3);
	script = xstrfmt("ls /proc/self/fd/%d 2>/dev/null && echo leaked; true", leak);
	run(&c, script, 10);
	cr_assert_str_eq(sb_str(&c.out), "", "the child had fd %d: %s", leak, sb_str(&c.out));
	free(script);
	close(leak);
	child_release(&c);
}

Test(child, handed_descriptors_arrive_at_their_numbers)
{
	struct child c = CHILD_INIT;
	int p[2], q[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(pipe(q), 0);
	cr_assert_eq(write(p[1], "three", 5), 5);
	cr_assert_eq(write(q[1], "four", 4), 4);
	close(p[1]);
	close(q[1]);
	/* Crossed on purpose: each must land where it was asked for. */
	c.pass_fd = p[0];
	c.give_fd[0] = q[0];
	run(&c, "cat <&3; echo; cat <&4; echo; ls /proc/self/fd/5 2>/dev/null || echo none", 10);
	cr_assert_str_eq(sb_str(&c.out), "three\nfour\nnone\n");
	cr_assert_eq(c.give_fd[0], -1, "child_start() closes the given descriptors");
	close(p[0]);
	child_release(&c);
}

Test(child, the_sandbox_gives_an_environment_of_its_own)
{
	struct sandbox sb = own_user_as_now();
	struct child c = CHILD_INIT;
	const char *env[] = { "RACECOURSE_KIT_VAR=1", NULL };

	setenv("RACECOURSE_INSTRUCTOR_SECRET", "x", 1);
	c.env = env;
	c.dir = "/";
	sandbox_child(&sb, &c);
	run(&c, "env | sort", 10);
	cr_assert_null(strstr(sb_str(&c.out), "RACECOURSE_INSTRUCTOR_SECRET"), "%s", sb_str(&c.out));
	cr_assert(strstr(sb_str(&c.out), "RACECOURSE_KIT_VAR=1\n"), "%s", sb_str(&c.out));
	cr_assert(strstr(sb_str(&c.out), "LANG=C\n"), "%s", sb_str(&c.out));
	cr_assert(strstr(sb_str(&c.out), "HOME=/\n"), "%s", sb_str(&c.out));
	child_release(&c);
	unsetenv("RACECOURSE_INSTRUCTOR_SECRET");
}

Test(child, the_filter_refuses_namespaces_and_tracing)
{
	struct sandbox sb = own_user_as_now();
	struct child c = CHILD_INIT;

	cr_assert_eq(seccomp_filter_make(&sb.filter), 0);
	sandbox_child(&sb, &c);
	/* unshare(1) and a traced program: both need calls the filter refuses. */
	run(&c, "unshare --user true 2>/dev/null && echo unshared; "
		"timeout 5 gdb -nx -batch -ex run --args true 2>&1 | grep -q 'exited normally' "
		"&& echo traced; true", 30);
	cr_assert_str_eq(sb_str(&c.out), "", "%s", sb_str(&c.out));
	child_release(&c);
	seccomp_filter_release(&sb.filter);
}
