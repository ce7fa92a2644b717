/* Containing student code: bubblewrap, or a fallback of users, sessions and limits. */
#define _GNU_SOURCE
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

const char *sandbox_mode_name(enum sandbox_mode mode)
{
	switch (mode) {
	case SANDBOX_BWRAP: return "bwrap";
	case SANDBOX_FALLBACK: return "fallback";
	default: return "none";
	}
}

static bool mount_namespace_works(void);

/* PATH=... for student code and the compiler: the grader's search path, or the usual one. */
static char *default_path(void)
{
	const char *path = getenv("PATH");

	return xstrfmt("PATH=%s", path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
}

/*
 * As root, student code runs as a user of its own, with no home and no
 * files: it can read and write only what anyone may.  Not a shared user
 * such as nobody: the process limit counts per user, so a fork bomb in one
 * submission would starve another graded at the same time.  A uid made
 * from our pid is one no other grader running now has.
 */
#define SANDBOX_UID_BASE 1700000000u

static void choose_user(struct sandbox *sb)
{
	if (geteuid() != 0)
		return;
	sb->switch_user = true;
	sb->uid = (uid_t)(SANDBOX_UID_BASE + (unsigned)getpid());
	sb->gid = (gid_t)(SANDBOX_UID_BASE + (unsigned)getpid());
}

/* Does bubblewrap run here, with the namespaces the sandbox uses? */
static bool bwrap_works(const struct sandbox *sb)
{
	static const char *const probe[] = { "true", NULL };
	struct child c = CHILD_INIT;
	char *path = find_in_path("bwrap");
	bool ok;

	if (!path)
		return false;
	free(path);
	sandbox_argv(sb, &c.args, probe, "/");
	c.timeout = 30;
	sandbox_child(sb, &c);
	ok = !child_run(&c) && child_ok(&c);
	child_release(&c);
	return ok;
}

/* How many processes (threads included) this user has now. */
static unsigned long count_processes(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	unsigned long n = 0;

	while (d && (e = readdir(d))) {
		char *path;
		struct stat st;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		path = xstrfmt("/proc/%s/task", e->d_name);
		if (!stat(path, &st) && st.st_uid == uid)
			n += st.st_nlink > 2 ? st.st_nlink - 2 : 1;
		free(path);
	}
	if (d)
		closedir(d);
	return n;
}

/* The sandbox whose group child.c empties (one grading, one sandbox). */
static const struct sandbox *with_group;

/* child.c's cleanup hook: async-signal-safe. */
static void end_group(bool interrupted)
{
	if (!with_group)
		return;
	if (interrupted)
		cgroup_cap_end(&with_group->cgroup);
	else
		cgroup_cap_kill_all(&with_group->cgroup);
}

/* A grader that dies (die(): exit) removes its group too. */
static void end_group_at_exit(void)
{
	end_group(true);
}

static int choose_mode(struct sandbox *sb, const char *want, struct strbuf *err);

/*
 * The number in environment variable `name`, from `least` to `most`, or
 * `fallback` when it is not set.  Returns false (err says why) for another.
 */
static bool env_number(const char *name, unsigned long least, unsigned long most,
		       unsigned long fallback, unsigned long *value, struct strbuf *err)
{
	const char *s = getenv(name);
	char *end;

	*value = fallback;
	if (!s || !*s)
		return true;
	errno = 0;
	*value = strtoul(s, &end, 10);
	if (errno || *end || *s < '0' || *s > '9' || *value < least || *value > most) {
		sb_addf(err, "%s takes a whole number from %lu to %lu, not '%s'", name, least, most, s);
		return false;
	}
	return true;
}

int sandbox_init(struct sandbox *sb, const char *want, struct strbuf *err)
{
	const char *cgroup = getenv("RACECOURSE_CGROUP");
	unsigned long mib, processes;
	static bool registered;

	memset(sb, 0, sizeof(*sb));
	if (!strcmp(want, "none"))
		return 0;
	if (!env_number("RACECOURSE_CGROUP_MEMORY", 64, 1UL << 30, CGROUP_MEMORY >> 20, &mib, err) ||
	    !env_number("RACECOURSE_CGROUP_PROCESSES", 32, 1UL << 22, CGROUP_PROCESSES, &processes,
			err))
		return -1;
	/* First, so that even the probes below run in it. */
	if (cgroup_cap_init_here(&sb->cgroup, cgroup && *cgroup ? cgroup : "auto", mib << 20,
				 processes)) {
		sb_adds(err, sb->cgroup.why_off);
		cgroup_cap_release(&sb->cgroup);
		return -1;
	}
	with_group = sb;
	child_set_cleanup(end_group);
	if (!registered)
		atexit(end_group_at_exit);
	registered = true;
	if (choose_mode(sb, want, err)) {
		sandbox_release(sb);
		return -1;
	}
	return 0;
}

static int choose_mode(struct sandbox *sb, const char *want, struct strbuf *err)
{
	choose_user(sb);
	/*
	 * RLIMIT_NPROC counts every process of the user.  The sandbox's own
	 * user has none but the submission's; an ordinary user also has a
	 * session's worth, which must keep running.
	 */
	sb->max_processes = SANDBOX_PROCESSES;
	sb->path_env = default_path();
	if (seccomp_filter_make(&sb->filter)) {
		sb_adds(err, "cannot build the system-call filter (libseccomp)");
		return -1;
	}
	if (!sb->switch_user && geteuid() != 0)
		sb->max_processes += count_processes(geteuid());
	if (!strcmp(want, "fallback")) {
		sb->mode = SANDBOX_FALLBACK;
		sb->private_mounts = mount_namespace_works();
		return 0;
	}
	if (strcmp(want, "auto") && strcmp(want, "bwrap")) {
		sb_addf(err, "--sandbox takes auto, bwrap, fallback or none, not '%s'", want);
		return -1;
	}
	sb->mode = SANDBOX_BWRAP;
	if (bwrap_works(sb))
		return 0;
	if (!strcmp(want, "bwrap")) {
		sb_adds(err, "bubblewrap does not work here (is the package 'bubblewrap' installed, "
			"and are user namespaces allowed?): use --sandbox fallback");
		return -1;
	}
	sb->mode = SANDBOX_FALLBACK;
	sb->private_mounts = mount_namespace_works();
	return 0;
}

/* Can a child of ours, as root, have a mount namespace of its own? */
static bool mount_namespace_works(void)
{
	static const char *const probe[] = { "true", NULL };
	struct sandbox trial = { .mode = SANDBOX_FALLBACK, .private_mounts = true };
	struct child c = CHILD_INIT;
	bool ok;

	if (geteuid() != 0)
		return false;
	choose_user(&trial);
	strvec_pushv(&c.args, probe);
	c.timeout = 30;
	sandbox_child(&trial, &c);
	ok = !child_run(&c) && child_ok(&c);
	child_release(&c);
	return ok;
}

bool sandbox_at_process_limit(const struct sandbox *sb)
{
	unsigned long n;

	if (sb->mode == SANDBOX_NONE || !sb->max_processes)
		return false;
	if (cgroup_cap_at_process_limit(&sb->cgroup))
		return true;
	n = count_processes(sb->switch_user ? sb->uid : geteuid());
	/* Some of a bomb's processes are always between exit and the next fork. */
	return n + n / 16 >= sb->max_processes;
}

void sandbox_counts(const struct sandbox *sb, struct sandbox_counts *n)
{
	n->oom_kills = cgroup_cap_oom_kills(&sb->cgroup);
	n->refused_forks = cgroup_cap_refused_forks(&sb->cgroup);
}

/* Appends `note` (taken) to *problem, after "; " if there is one. */
static void add_note(char **problem, char *note)
{
	char *both = *problem ? xstrfmt("%s; %s", *problem, note) : NULL;

	if (both) {
		free(*problem);
		free(note);
		*problem = both;
	} else {
		*problem = note;
	}
}

void sandbox_note_limits(const struct sandbox *sb, const struct sandbox_counts *before,
			 char **problem)
{
	struct sandbox_counts now;
	unsigned long mib = sb->cgroup.memory >> 20;

	sandbox_counts(sb, &now);
	if (now.oom_kills > before->oom_kills)
		add_note(problem, xstrfmt("the code ran out of memory (limit %lu %s for all its "
					  "processes together): the system killed %lu of them, so "
					  "what they were running failed or timed out",
					  mib % 1024 ? mib : mib / 1024, mib % 1024 ? "MiB" : "GiB",
					  now.oom_kills - before->oom_kills));
	if (now.refused_forks > before->refused_forks)
		add_note(problem, xstrfmt("the code reached the process limit (%lu processes and "
					  "threads for all its processes together): %lu of its "
					  "fork() or pthread_create() calls failed",
					  sb->cgroup.processes,
					  now.refused_forks - before->refused_forks));
}

char *sandbox_describe_resources(const struct sandbox *sb)
{
	if (sb->mode == SANDBOX_NONE)
		return xstrdup("no cgroup (--sandbox none): no limits but the time limits");
	return cgroup_cap_describe(&sb->cgroup);
}

void sandbox_release(struct sandbox *sb)
{
	if (with_group == sb) {
		child_set_cleanup(NULL);
		with_group = NULL;
	}
	cgroup_cap_release(&sb->cgroup);
	for (size_t i = 0; i < sb->nhidden; i++)
		free(sb->hidden[i]);
	free(sb->hidden);
	free(sb->debug_full);
	free(sb->debug_lean);
	free(sb->path_env);
	seccomp_filter_release(&sb->filter);
	memset(sb, 0, sizeof(*sb));
}

/* Is path `inner` the directory `outer` or below it? */
static bool is_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);

	return !strncmp(inner, outer, n) && (inner[n] == '/' || !inner[n]);
}

void sandbox_hide(struct sandbox *sb, const char *dir)
{
	size_t k = 0;

	if (!dir || !strcmp(dir, "/") || !is_dir(dir))
		return;
	/* One mount covers what is below it: keep the outermost directories only. */
	for (size_t i = 0; i < sb->nhidden; i++)
		if (is_within(dir, sb->hidden[i]))
			return;
	for (size_t i = 0; i < sb->nhidden; i++) {
		if (is_within(sb->hidden[i], dir))
			free(sb->hidden[i]);
		else
			sb->hidden[k++] = sb->hidden[i];
	}
	sb->nhidden = k;
	ALLOC_GROW(sb->hidden, sb->nhidden + 1, sb->hidden_alloc);
	sb->hidden[sb->nhidden++] = xstrdup(dir);
}

void sandbox_hide_home(struct sandbox *sb, const char *const *tools)
{
	const char *home = getenv("HOME");
	char *real = home && *home ? real_path(home) : NULL;

	for (size_t i = 0; real && tools[i]; i++) {
		char *path = find_in_path(tools[i]);
		char *tool = path ? real_path(path) : NULL;

		/* A compiler of your own in ~/.local/bin must stay in sight. */
		if (tool && is_within(tool, real)) {
			free(real);
			real = NULL;
		}
		free(tool);
		free(path);
	}
	if (real)
		sandbox_hide(sb, real);
	free(real);
}

static uid_t chown_uid;
static gid_t chown_gid;

static int chown_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return lchown(path, chown_uid, chown_gid);
}

int sandbox_prepare(const struct sandbox *sb, const char *dir)
{
	if (!sb->switch_user)
		return 0;
	chown_uid = sb->uid;
	chown_gid = sb->gid;
	return nftw(dir, chown_one, 16, FTW_PHYS);
}

/*
 * The programs the grader linked into dir (NAME.bin), read-only for what
 * runs there: the tests run beside the detectors, in the same folder, and
 * code under test that swapped a program of its own for the scenarios
 * before valgrind or a sanitizer's run started it would choose what they
 * see.  A file bound over itself cannot be written, renamed or removed.
 */
static void push_programs_read_only(struct strvec *out, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char *path;
		struct stat st;

		if (len < 5 || strcmp(e->d_name + len - 4, ".bin"))
			continue;
		path = xstrfmt("%s/%s", dir, e->d_name);
		if (!lstat(path, &st) && S_ISREG(st.st_mode))
			strvec_pushv(out, (const char *[]){ "--ro-bind", path, path, NULL });
		free(path);
	}
	if (d)
		closedir(d);
}

/* SANDBOX_TMPFS_SIZE, spelled out for bubblewrap's --size. */
#define TMPFS_SIZE XSTR(SANDBOX_TMPFS_BYTES)

static void wrap(const struct sandbox *sb, struct strvec *out, const char *const *argv,
		 const char *dir, bool valgrind)
{
	if (sb->mode == SANDBOX_BWRAP) {
		/*
		 * The system read-only, a private /tmp (valgrind needs one),
		 * the kit and the submissions hidden under empty tmpfs, and the
		 * scratch directory the only place to write.  Its own PID
		 * namespace makes every descendant die with it.
		 */
		strvec_pushv(out, (const char *[]){ "bwrap", "--ro-bind", "/", "/",
			     "--dev", "/dev", "--proc", "/proc", NULL });
		/* Bounded: a full /tmp or /dev/shm takes the machine's memory. */
		strvec_pushv(out, (const char *[]){ "--size", TMPFS_SIZE, "--tmpfs", "/tmp",
			     "--size", TMPFS_SIZE, "--tmpfs", "/dev/shm", NULL });
		for (size_t i = 0; i < sb->nhidden; i++)
			strvec_pushv(out, (const char *[]){ "--size", "65536", "--tmpfs",
				     sb->hidden[i], NULL });
		if (strcmp(dir, "/")) {
			strvec_pushv(out, (const char *[]){ "--bind", dir, dir, NULL });
			push_programs_read_only(out, dir);
		}
		if (valgrind && sb->debug_lean)
			strvec_pushv(out, (const char *[]){ "--ro-bind", sb->debug_lean,
				     sb->debug_full, NULL });
		strvec_pushv(out, (const char *[]){ "--chdir", dir, "--unshare-pid", "--unshare-net",
			     "--unshare-ipc", "--unshare-uts", NULL });
		if (sb->switch_user || geteuid() != 0)
			strvec_push(out, "--unshare-user");
		strvec_pushv(out, (const char *[]){ "--die-with-parent", "--new-session", NULL });
		/* sandbox_child() hands the filter over as fd 5. */
		if (sb->filter.fd >= 0)
			strvec_pushv(out, (const char *[]){ "--seccomp", "5", NULL });
		strvec_push(out, "--");
	}
	strvec_pushv(out, argv);
}

void sandbox_argv(const struct sandbox *sb, struct strvec *out, const char *const *argv,
		  const char *dir)
{
	wrap(sb, out, argv, dir, false);
}

/*
 * Valgrind also reads options from ./.valgrindrc and ~/.valgrindrc, both
 * in the scratch directory, where the code under test (the tests, which
 * run beside the detectors) may write: a --suppressions file there
 * silenced every race (tests/hostile/valgrindrc-plant).  So valgrind
 * takes its command line only, and the instructor's VALGRIND_OPTS, which
 * that also turns off, are put on it, split as valgrind splits them.
 * Nor does it serve gdb (--vgdb=no): through vgdb, any process beside the
 * code under test in its sandbox could add suppressions to a running
 * valgrind (`v.clo --suppressions=...` is a dynamic option).
 */
void sandbox_argv_valgrind(const struct sandbox *sb, struct strvec *out, const char *const *argv,
			   const char *dir)
{
	struct strvec args = STRVEC_INIT;
	const char *opts = getenv("VALGRIND_OPTS");

	strvec_push(&args, argv[0]);
	strvec_pushv(&args, (const char *[]){ "--command-line-only=yes", "--vgdb=no", NULL });
	for (const char *p = opts ? opts : ""; *p;) {
		size_t n;

		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		if (n)
			strvec_push_nodup(&args, xstrndup(p, n));
		p += n;
	}
	for (size_t i = 1; argv[i]; i++)
		strvec_push(&args, argv[i]);
	wrap(sb, out, args.v, dir, true);
	strvec_clear(&args);
}

/* ---- containing one child ---- */

/*
 * Makes `dir` (absolute) and the directories above it, as far as they are
 * missing: in a fresh tmpfs, the path to the scratch directory.  In the
 * child, between fork and exec: async-signal-safe.
 */
static int make_path(const char *dir)
{
	char path[4096];
	size_t n = strlen(dir);

	if (n >= sizeof(path))
		return -1;
	memcpy(path, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i])
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
		path[i] = dir[i];
	}
	return 0;
}

/*
 * Without bubblewrap, root can still give the child a mount and a network
 * namespace of its own: the kit and the submissions hidden under empty
 * tmpfs, private /tmp, /var/tmp and /dev/shm (bounded, so that nothing is
 * left there for the next submission and it cannot fill the machine's
 * memory), and no network but a loopback that is down.  The scratch
 * directory `dir`, which may be under any of them, is then bound back
 * where it was.  Where this is refused (a container without
 * CAP_SYS_ADMIN), sandbox_init() found out up front and does not ask.
 */
static int private_mounts(const struct sandbox *sb, const char *dir)
{
	static const char *const shared[] = { "/tmp", "/var/tmp", "/dev/shm" };
	int here, rc = -1;

	if (unshare(CLONE_NEWNS | CLONE_NEWNET) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	/* The child is already in `dir`; a bind needs its mount in this namespace. */
	if ((here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	for (size_t i = 0; i < sb->nhidden; i++)
		if (mount("racecourse", sb->hidden[i], "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755"))
			goto out;
	for (size_t i = 0; i < sizeof(shared) / sizeof(*shared); i++) {
		struct stat st;

		if (!lstat(shared[i], &st) && S_ISDIR(st.st_mode) &&
		    mount("racecourse", shared[i], "tmpfs", MS_NOSUID | MS_NODEV,
			  "mode=1777,size=" XSTR(SANDBOX_TMPFS_BYTES)))
			goto out;
	}
	if (dir && dir[0] == '/') {
		char from[32] = "/proc/self/fd/", digits[12], *p = from + strlen(from);
		int n = 0;

		/* snprintf is not async-signal-safe: the digits by hand. */
		for (int d = here; !n || d; d /= 10)
			digits[n++] = (char)('0' + d % 10);
		while (n)
			*p++ = digits[--n];
		*p = '\0';
		if (make_path(dir) || mount(from, dir, NULL, MS_BIND, NULL) || chdir(dir))
			goto out;
	} else if (fchdir(here)) {
		goto out;
	}
	rc = 0;
out:
	close(here);
	return rc;
}

/*
 * The child's hook between fork and exec (child.h): the grading's cgroup,
 * the fallback's mounts, then its system-call filter, which refuses mounts from then on.  Under
 * bubblewrap, bubblewrap loads the filter itself once its own namespaces
 * are made.
 */
static int contain(const struct child *c, const void *arg)
{
	const struct sandbox *sb = arg;

	/* In every mode, first: what it starts, in any session, stays in the group. */
	if (cgroup_cap_enter(&sb->cgroup))
		return -1;
	if (sb->mode != SANDBOX_FALLBACK)
		return 0;
	if (sb->switch_user && sb->private_mounts && private_mounts(sb, c->dir))
		return -1;
	return seccomp_filter_load(&sb->filter);
}

static bool at_limit(const void *arg)
{
	return sandbox_at_process_limit(arg);
}

/* The fixed environment, and the caller's entries (the kit's own variables). */
static void set_env(const struct sandbox *sb, struct child *c)
{
	static const char *const passed[] = { "VALGRIND_OPTS" };
	size_t n = 0, k = 0;
	char **env;

	while (c->env && c->env[n])
		n++;
	env = xcalloc(n + 5 + sizeof(passed) / sizeof(*passed), sizeof(*env));
	env[k++] = sb->path_env ? xstrdup(sb->path_env) : default_path();
	env[k++] = xstrdup("LANG=C");
	/*
	 * /tmp is where every sandbox lets it write: the grader's own TMPDIR
	 * may be a folder its user cannot reach, or one the sandbox hides,
	 * and valgrind gives up without a temporary folder.
	 */
	env[k++] = xstrdup("TMPDIR=/tmp");
	env[k++] = xstrfmt("HOME=%s", c->dir ? c->dir : "/tmp");
	for (size_t i = 0; i < n; i++)
		env[k++] = xstrdup(c->env[i]);
	/* The instructor's options for valgrind are for valgrind, not secrets. */
	for (size_t i = 0; i < sizeof(passed) / sizeof(*passed); i++)
		if (getenv(passed[i]))
			env[k++] = xstrfmt("%s=%s", passed[i], getenv(passed[i]));
	env[k] = NULL;
	c->env = (const char **)env;
	c->clear_env = true;
	c->own_env = true;
}

void sandbox_child(const struct sandbox *sb, struct child *c)
{
	if (sb->mode == SANDBOX_NONE)
		return;
	/* A session of its own, so it cannot reach our terminal. */
	c->new_session = true;
	child_add_limit(c, RLIMIT_CPU, SANDBOX_CPU_SECONDS);
	if (!c->no_memory_limit)
		child_add_limit(c, RLIMIT_AS, SANDBOX_ADDRESS_SPACE);
	child_add_limit(c, RLIMIT_FSIZE, SANDBOX_FILE_SIZE);
	child_add_limit(c, RLIMIT_NOFILE, SANDBOX_OPEN_FILES);
	child_add_limit(c, RLIMIT_CORE, 0);
	c->max_processes = sb->max_processes;
	c->switch_user = sb->switch_user;
	c->uid = sb->uid;
	c->gid = sb->gid;
	c->pre_exec = contain;
	c->pre_exec_arg = sb;
	c->at_limit = at_limit;
	c->at_limit_arg = sb;
	c->exit_is_signal = sb->mode == SANDBOX_BWRAP;
	if (sb->mode == SANDBOX_BWRAP && sb->filter.fd >= 0)
		c->give_fd[SANDBOX_SECCOMP_SLOT] = seccomp_filter_reopen(&sb->filter);
	set_env(sb, c);
}
