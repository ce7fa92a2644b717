/* Unit tests of the cgroup cap: parsing /proc/self files, choosing v1 or v2, naming, and a real group. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox_cgroup.h"

/* ---- parsing ---- */

/* This machine's kind: v1 hierarchies and a v2 one beside them (hybrid). */
static const char hybrid_cgroup[] =
	"9:name=systemd:/\n8:pids:/\n6:freezer:/\n4:memory:/process_api/1fc7\n"
	"2:cpuacct:/\n1:cpu,cpuacct:/\n0::/\n";
static const char hybrid_mounts[] =
	"30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
/* A systemd host: v2 alone, with optional fields before the dash. */
static const char systemd_cgroup[] = "0::/user.slice/user-1000.slice/session-3.scope\n";
static const char systemd_mounts[] =
	"25 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n";

Test(cgroup, self_path_v1_and_v2)
{
	char *p;

	cr_assert_str_eq(p = cgroup_self_path(hybrid_cgroup, "memory"), "/process_api/1fc7");
	free(p);
	cr_assert_str_eq(p = cgroup_self_path(hybrid_cgroup, "pids"), "/");
	free(p);
	/* "cpu,cpuacct" holds cpuacct; "cpuacct" alone is not "cpu". */
	cr_assert_str_eq(p = cgroup_self_path("2:cpuacct:/a\n1:cpu,cpuacct:/b\n", "cpu"), "/b");
	free(p);
	cr_assert_str_eq(p = cgroup_self_path(hybrid_cgroup, NULL), "/");
	free(p);
	cr_assert_str_eq(p = cgroup_self_path(systemd_cgroup, NULL),
			 "/user.slice/user-1000.slice/session-3.scope");
	free(p);
	cr_assert_null(cgroup_self_path(systemd_cgroup, "memory"));
	cr_assert_null(cgroup_self_path("4:memory:/x\n", NULL), "no v2 line");
	cr_assert_null(cgroup_self_path("", "memory"));
	cr_assert_null(cgroup_self_path("garbage without colons\n", "memory"));
}

Test(cgroup, mount_points)
{
	char *p;

	cr_assert_str_eq(p = cgroup_mount_point(hybrid_mounts, "memory"), "/sys/fs/cgroup/memory");
	free(p);
	cr_assert_str_eq(p = cgroup_mount_point(hybrid_mounts, NULL), "/sys/fs/cgroup/unified");
	free(p);
	cr_assert_null(cgroup_mount_point(hybrid_mounts, "freezer"));
	cr_assert_str_eq(p = cgroup_mount_point(systemd_mounts, NULL), "/sys/fs/cgroup");
	free(p);
	cr_assert_null(cgroup_mount_point(systemd_mounts, "memory"), "ext4 is not a cgroup");
	/* mountinfo escapes a space as \040 */
	cr_assert_str_eq(p = cgroup_mount_point("1 0 0:1 / /a\\040b rw - cgroup2 none rw\n", NULL),
			 "/a b");
	free(p);
	cr_assert_null(cgroup_mount_point("1 0 0:1 / /x rw cgroup2 no dash\n", NULL));
}

Test(cgroup, words_and_names)
{
	cr_assert(cgroup_has_word("cpu memory pids\n", "pids"));
	cr_assert(cgroup_has_word("rw,memory", "memory"));
	cr_assert_not(cgroup_has_word("cpuacct", "cpu"));
	cr_assert_not(cgroup_has_word("", "memory"));
	cr_assert_eq(cgroup_owner("racecourse-1234"), 1234);
	cr_assert_eq(cgroup_owner("racecourse-0"), 0);
	cr_assert_eq(cgroup_owner("racecourse-"), 0);
	cr_assert_eq(cgroup_owner("racecourse-12x"), 0);
	cr_assert_eq(cgroup_owner("racecourse-99999999999999999999"), 0);
	cr_assert_eq(cgroup_owner("other-12"), 0);
	cr_assert_str_eq(cgroup_kind_name(CGROUP_V2), "cgroup v2");
}

/* ---- choosing, on a fake hierarchy (plain files, so writing a limit fails) ---- */

static char *fake;

static void make_fake(void)
{
	char tmpl[] = "/tmp/racecourse-cgroup-test.XXXXXX";

	cr_assert_not_null(mkdtemp(tmpl));
	fake = strdup(tmpl);
}

static void drop_fake(void)
{
	char *cmd = NULL;

	if (fake && asprintf(&cmd, "rm -rf '%s'", fake) > 0 && system(cmd)) {
		/* left in /tmp */
	}
	free(cmd);
	free(fake);
}

/* A group directory of the fake hierarchy, with `file` holding `text`. */
static void fake_group(const char *dir, const char *file, const char *text)
{
	char *path = NULL, *cmd = NULL;
	FILE *f;

	cr_assert(asprintf(&cmd, "mkdir -p '%s/%s'", fake, dir) > 0 && !system(cmd));
	cr_assert(asprintf(&path, "%s/%s/%s", fake, dir, file) > 0);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	free(path);
	free(cmd);
}

/* mountinfo for the fake tree: v1's memory (at mem/), pids (mem/ from /box) and v2 (v2/). */
static char *fake_mounts(bool memory, bool pids, bool v2)
{
	char *m = NULL;

	cr_assert(asprintf(&m, "%s%s%s%s%s%s%s%s%s",
			   memory ? "34 30 0:31 / " : "", memory ? fake : "",
			   memory ? "/mem rw - cgroup cgroup rw,memory\n" : "",
			   pids ? "38 30 0:35 /box " : "", pids ? fake : "",
			   pids ? "/pids rw - cgroup cgroup rw,pids\n" : "",
			   v2 ? "40 30 0:37 / " : "", v2 ? fake : "",
			   v2 ? "/v2 rw - cgroup2 cgroup2 rw\n" : "") > 0);
	return m;
}

Test(cgroup, v2_takes_the_nearest_group_that_hands_both_controllers, .init = make_fake,
     .fini = drop_fake)
{
	struct cgroup_cap cg;
	char *mounts = fake_mounts(false, false, true), *want = NULL;

	fake_group("v2", "cgroup.subtree_control", "cpu memory pids\n");
	fake_group("v2", "cgroup.procs", "");
	fake_group("v2/a", "cgroup.subtree_control", "memory\n");	/* no pids */
	fake_group("v2/a", "cgroup.procs", "");
	fake_group("v2/a/b", "cgroup.subtree_control", "memory pids\n");
	fake_group("v2/a/b", "cgroup.procs", "");
	fake_group("v2/a/b/c", "cgroup.subtree_control", "");
	fake_group("v2/a/b/c", "cgroup.procs", "1\n");
	cr_assert_eq(cgroup_cap_init(&cg, "v2", 1UL << 30, 256, mounts, "0::/a/b/c\n"), 0);
	/* It chose a/b: the limit is written there, and a fake file system has none. */
	cr_assert(asprintf(&want, "cannot write %s/v2/a/b/racecourse-%d/memory.max", fake,
			   (int)getpid()) > 0);
	cr_assert_eq(cg.kind, CGROUP_NONE);
	cr_assert_not_null(strstr(cg.why_off, want), "%s", cg.why_off);
	cr_assert(access(strstr(want, fake), F_OK) && errno == ENOENT, "the group was not removed");
	cgroup_cap_release(&cg);
	free(want);
	free(mounts);
}

Test(cgroup, v2_refused_says_why, .init = make_fake, .fini = drop_fake)
{
	struct cgroup_cap cg;
	char *mounts = fake_mounts(false, false, true), *d;

	fake_group("v2", "cgroup.subtree_control", "cpu\n");
	fake_group("v2", "cgroup.procs", "");
	fake_group("v2/a", "cgroup.subtree_control", "");
	fake_group("v2/a", "cgroup.procs", "1\n");
	cr_assert_eq(cgroup_cap_init(&cg, "v2", 1UL << 30, 256, mounts, "0::/a\n"), 0);
	cr_assert_eq(cg.kind, CGROUP_NONE);
	cr_assert_not_null(strstr(cg.why_off, "no group from this process's up"), "%s", cg.why_off);
	cgroup_cap_release(&cg);
	cr_assert_eq(cgroup_cap_init(&cg, "v2", 1UL << 30, 256, "", "0::/a\n"), 0);
	cr_assert_str_eq(cg.why_off, "cgroup v2 is not mounted");
	d = cgroup_cap_describe(&cg);
	cr_assert(!strncmp(d, "no cgroup (cgroup v2 is not mounted)", 36), "%s", d);
	free(d);
	cgroup_cap_release(&cg);
	free(mounts);
}

Test(cgroup, v1_below_its_own_group_and_a_containers_root, .init = make_fake, .fini = drop_fake)
{
	struct cgroup_cap cg;
	char *mounts = fake_mounts(true, true, false), *want = NULL;

	fake_group("mem/x", "cgroup.procs", "");
	/* The pids hierarchy is mounted from /box: our /box/x is its x. */
	fake_group("pids/x", "cgroup.procs", "");
	cr_assert_eq(cgroup_cap_init(&cg, "auto", 1UL << 30, 256, mounts,
				     "4:memory:/x\n8:pids:/box/x\n0::/\n"), 0);
	cr_assert(asprintf(&want, "cannot write %s/mem/x/racecourse-%d/memory.limit_in_bytes", fake,
			   (int)getpid()) > 0);
	cr_assert_eq(cg.kind, CGROUP_NONE);
	/* auto tried v2 first and says so too */
	cr_assert_not_null(strstr(cg.why_off, "cgroup v2 is not mounted; "), "%s", cg.why_off);
	cr_assert_not_null(strstr(cg.why_off, want), "%s", cg.why_off);
	cgroup_cap_release(&cg);
	free(want);
	free(mounts);
}

Test(cgroup, v1_without_pids_says_why, .init = make_fake, .fini = drop_fake)
{
	struct cgroup_cap cg;
	char *mounts = fake_mounts(true, false, false);

	fake_group("mem/x", "cgroup.procs", "");
	cr_assert_eq(cgroup_cap_init(&cg, "v1", 1UL << 30, 256, mounts, "4:memory:/x\n0::/\n"), 0);
	cr_assert_eq(cg.kind, CGROUP_NONE);
	cr_assert_str_eq(cg.why_off, "cgroup v1: no pids hierarchy is mounted");
	cgroup_cap_release(&cg);
	free(mounts);
}

Test(cgroup, sweeps_groups_of_dead_graders_only, .init = make_fake, .fini = drop_fake)
{
	struct cgroup_cap cg;
	char *mounts = fake_mounts(true, true, false), *dead = NULL, *alive = NULL;

	fake_group("mem/x", "cgroup.procs", "");
	fake_group("pids/x", "cgroup.procs", "");
	/* pid_max is at most 2^22: no such process */
	cr_assert(asprintf(&dead, "%s/mem/x/racecourse-99999999", fake) > 0 && !mkdir(dead, 0755));
	cr_assert(asprintf(&alive, "%s/mem/x/racecourse-%d", fake, (int)getppid()) > 0 &&
		  !mkdir(alive, 0755));
	cgroup_cap_init(&cg, "v1", 1UL << 30, 256, mounts, "4:memory:/x\n8:pids:/box/x\n");
	cr_assert(access(dead, F_OK) && errno == ENOENT, "a dead grader's group is left");
	cr_assert_not(access(alive, F_OK), "a live grader's group was removed");
	cgroup_cap_release(&cg);
	free(dead);
	free(alive);
	free(mounts);
}

Test(cgroup, unknown_wish)
{
	struct cgroup_cap cg;

	cr_assert_eq(cgroup_cap_init(&cg, "v3", 1UL << 30, 256, hybrid_mounts, hybrid_cgroup), -1);
	cr_assert_not_null(strstr(cg.why_off, "not 'v3'"));
	cgroup_cap_release(&cg);
	cr_assert_eq(cgroup_cap_init(&cg, "off", 1UL << 30, 256, "", ""), 0);
	cr_assert_eq(cg.kind, CGROUP_NONE);
	cr_assert_eq(cgroup_cap_enter(&cg), 0, "entering no group is a no-op");
	cgroup_cap_release(&cg);
}

/* ---- a real group, where this user may make one (root here) ---- */

static void real_group(struct cgroup_cap *cg, unsigned long memory)
{
	cgroup_cap_init_here(cg, "auto", memory, 64);
	if (cg->kind == CGROUP_NONE) {
		cgroup_cap_release(cg);
		cr_skip_test("no cgroup here");
	}
}

/* Starts a child in the group that runs `fn`. */
static pid_t start_in(const struct cgroup_cap *cg, void (*fn)(void))
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (cgroup_cap_enter(cg))
			_exit(99);
		fn();
		_exit(0);
	}
	return pid;
}

/* The write end of a pipe the daemon below writes to once it has left its session. */
static int escaped_fd = -1;

/*
 * A daemon that leaves its session and its parent, as student code may.
 * Both end by themselves in 30 s (SIGALRM), should the group not hold them.
 */
static void escape(void)
{
	alarm(30);
	if (fork() == 0) {
		setsid();
		signal(SIGTERM, SIG_IGN);
		alarm(30);
		if (write(escaped_fd, "x", 1) != 1)
			_exit(98);
		close(escaped_fd);
		for (;;)
			pause();
	}
	close(escaped_fd);
	for (;;)
		pause();
}

Test(cgroup, real_group_holds_and_ends_what_escaped)
{
	struct cgroup_cap cg;
	char dir[CGROUP_PATH_MAX], procs[CGROUP_PATH_MAX + 16], buf[256];
	pid_t pid;
	int status, n = 0;
	FILE *f;

	int ready[2];
	char c;

	real_group(&cg, 256UL << 20);
	strcpy(dir, cg.dir[0]);
	cr_assert_eq(pipe(ready), 0);
	escaped_fd = ready[1];
	pid = start_in(&cg, escape);
	close(ready[1]);
	/* the daemon has left its session: it and the child are both alive now */
	cr_assert_eq(read(ready[0], &c, 1), 1, "the daemon never started");
	close(ready[0]);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	/* Both the child and the daemon it made are in the group. */
	cr_assert_not_null(f = fopen(procs, "r"));
	while (fgets(buf, sizeof(buf), f))
		n++;
	fclose(f);
	cr_assert_eq(n, 2, "the group holds %d processes, not the child and its daemon", n);
	cr_assert_eq(cgroup_cap_kill_all(&cg), 2);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	cgroup_cap_release(&cg);
	cr_assert(access(dir, F_OK) && errno == ENOENT, "the group is left: %s", dir);
}

static void touch_too_much(void)
{
	size_t n = 128UL << 20;
	volatile char *p = malloc(n);

	for (size_t i = 0; p && i < n; i += 4096)
		p[i] = 1;
}

Test(cgroup, real_group_counts_its_oom_kills)
{
	struct cgroup_cap cg;
	pid_t pid;
	int status;

	real_group(&cg, 64UL << 20);
	cr_assert_eq(cgroup_cap_oom_kills(&cg), 0);
	pid = start_in(&cg, touch_too_much);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		  "128 MiB touched under a 64 MiB cap, and it was not killed (status 0x%x)", status);
	cr_assert_eq(cgroup_cap_oom_kills(&cg), 1);
	cgroup_cap_release(&cg);
}
