/* A memory and process cap per grading: a cgroup (v2, or v1's memory and pids hierarchies). */
#define _GNU_SOURCE
#include "sandbox_cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- parsing /proc/self/cgroup and /proc/self/mountinfo ---- */

bool cgroup_has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		size_t len;

		p += strspn(p, " \t\n,");
		len = strcspn(p, " \t\n,");
		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
	}
	return false;
}

/* The line of `text` that starts at p, without its newline (malloc'd). */
static char *line_at(const char *p)
{
	return xstrndup(p, strcspn(p, "\n"));
}

char *cgroup_self_path(const char *self_cgroup, const char *controller)
{
	/* Lines "ID:CONTROLLERS:PATH"; v2's is "0::PATH". */
	for (const char *p = self_cgroup; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "") {
		char *line = line_at(p), *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
		char *path = NULL;

		if (b) {
			*b = '\0';
			if (controller ? cgroup_has_word(a + 1, controller) : !strcmp(line, "0:") && !a[1])
				path = xstrdup(b + 1);
		}
		free(line);
		if (path)
			return path;
	}
	return NULL;
}

/* mountinfo writes a space as \040, a tab \011, a newline \012, a backslash \134. */
static char *unescape(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), *q = out;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3') {
			*q++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			*q++ = s[i];
		}
	}
	*q = '\0';
	return out;
}

/*
 * The mount of the v1 hierarchy with `controller` (v2 with NULL): its
 * mount point and the group its root is (not "/" when a container was
 * given a group as its whole hierarchy).  Returns false when none.
 */
static bool find_mount(const char *mountinfo, const char *controller, char **point, char **root)
{
	/* "ID PARENT MAJ:MIN ROOT POINT OPTIONS [TAGS...] - FSTYPE SOURCE SUPER-OPTIONS" */
	for (const char *p = mountinfo; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "") {
		char *line = line_at(p), *field[5], *dash = strstr(line, " - "), *save = NULL;
		char *fstype, *super;
		int n = 0;
		bool match = false;

		if (!dash) {
			free(line);
			continue;
		}
		*dash = '\0';
		for (char *f = strtok_r(line, " ", &save); f && n < 5; f = strtok_r(NULL, " ", &save))
			field[n++] = f;
		fstype = strtok_r(dash + 3, " ", &save);
		(void)strtok_r(NULL, " ", &save);	/* the source */
		super = strtok_r(NULL, " ", &save);
		if (n == 5 && fstype) {
			if (controller)
				match = !strcmp(fstype, "cgroup") && super && cgroup_has_word(super, controller);
			else
				match = !strcmp(fstype, "cgroup2");
		}
		if (match) {
			*point = unescape(field[4], strlen(field[4]));
			*root = unescape(field[3], strlen(field[3]));
		}
		free(line);
		if (match)
			return true;
	}
	return false;
}

char *cgroup_mount_point(const char *mountinfo, const char *controller)
{
	char *point, *root;

	if (!find_mount(mountinfo, controller, &point, &root))
		return NULL;
	free(root);
	return point;
}

/*
 * The directory of this process's own group in the hierarchy with
 * `controller` (v2 with NULL), or NULL.
 */
static char *own_group(const char *mountinfo, const char *self_cgroup, const char *controller)
{
	char *point, *root, *path = cgroup_self_path(self_cgroup, controller), *dir = NULL;
	const char *rel;
	size_t n;

	if (!path || !find_mount(mountinfo, controller, &point, &root)) {
		free(path);
		return NULL;
	}
	/* The group relative to what is mounted: a container's root may be a group. */
	rel = path;
	n = strlen(root);
	if (strcmp(root, "/") && !strncmp(path, root, n) && (path[n] == '/' || !path[n]))
		rel = path + n;
	if (*rel == '/')
		rel++;
	/* "/.." or "(deleted)": a group that is not there to write in. */
	if (!strstr(rel, ".."))
		dir = *rel ? xstrfmt("%s/%s", point, rel) : xstrdup(point);
	free(point);
	free(root);
	free(path);
	return dir;
}

pid_t cgroup_owner(const char *name)
{
	const char *prefix = "racecourse-";
	char *end;
	long pid;

	if (strncmp(name, prefix, strlen(prefix)))
		return 0;
	name += strlen(prefix);
	if (*name < '1' || *name > '9')
		return 0;
	pid = strtol(name, &end, 10);
	return *end || pid <= 0 || pid > 1L << 30 ? 0 : (pid_t)pid;
}

/* ---- async-signal-safe file work: the child's hook and the interrupt use it ---- */

/* dir + "/" + name into buf; false when it does not fit. */
static bool join(char *buf, size_t size, const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);

	if (a + 1 + b + 1 > size)
		return false;
	memcpy(buf, dir, a);
	buf[a] = '/';
	memcpy(buf + a + 1, name, b + 1);
	return true;
}

/* Writes `text` to dir/name.  Returns 0, or -1 with errno set. */
static int put(const char *dir, const char *name, const char *text)
{
	char path[CGROUP_PATH_MAX + 64];
	size_t len = strlen(text);
	ssize_t n;
	int fd;

	if (!join(path, sizeof(path), dir, name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	n = write(fd, text, len);
	if (n != (ssize_t)len) {
		int e = n < 0 ? errno : EIO;

		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

/* Reads at most size - 1 bytes of dir/name into buf.  Returns the length, or -1. */
static ssize_t get(const char *dir, const char *name, char *buf, size_t size)
{
	char path[CGROUP_PATH_MAX + 64];
	ssize_t n, len = 0;
	int fd;

	if (!join(path, sizeof(path), dir, name) || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while ((size_t)len + 1 < size && (n = read(fd, buf + len, size - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/* The decimal digits of v, into buf (at least 24 bytes). */
static void format_ulong(char *buf, unsigned long v)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*buf++ = digits[--n];
	*buf = '\0';
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Sends SIGKILL (or, with sig 0, nothing) to every process listed in
 * dir/cgroup.procs.  Returns how many are listed.
 */
static int kill_listed(const char *dir, int sig)
{
	char buf[8192];
	int n = 0;

	if (get(dir, "cgroup.procs", buf, sizeof(buf)) <= 0)
		return 0;
	for (char *p = buf; *p;) {
		long pid = 0;

		while (*p >= '0' && *p <= '9')
			pid = pid * 10 + (*p++ - '0');
		if (pid > 1 && (!sig || !kill((pid_t)pid, sig)))
			n++;
		while (*p && (*p < '0' || *p > '9'))
			p++;
	}
	return n;
}

static bool is_empty(const char *dir)
{
	char buf[16];

	return get(dir, "cgroup.procs", buf, sizeof(buf)) <= 0;
}

/*
 * Kills what is in the group with directories dir[] (kind as cg's):
 * cgroup.kill in one step where v2 has it; otherwise frozen (v2's
 * cgroup.freeze, v1's freezer), every listed process killed, thawed so
 * that they can die, and again until the group is empty.
 */
static int kill_group(enum cgroup_kind kind, const char (*dir)[CGROUP_PATH_MAX])
{
	const char *freezer = kind == CGROUP_V1 ? dir[2] : dir[0];
	const char *state = kind == CGROUP_V1 ? "freezer.state" : "cgroup.freeze";
	const char *frozen = kind == CGROUP_V1 ? "FROZEN" : "1", *thawed = kind == CGROUP_V1 ? "THAWED" : "0";
	int killed = 0;

	if (kind == CGROUP_NONE || !dir[0][0])
		return 0;
	if (is_empty(dir[0]) && (kind == CGROUP_V2 || !dir[1][0] || is_empty(dir[1])))
		return 0;
	if (kind == CGROUP_V2) {
		killed = kill_listed(dir[0], 0);
		put(dir[0], "cgroup.kill", "1");
	}
	for (int round = 0; round < 2000; round++) {
		bool frozen_now = *freezer && !put(freezer, state, frozen);
		int n = kill_listed(dir[0], SIGKILL);

		/* v1's groups hold the same processes: the pids group is for one the other missed. */
		if (!n && kind == CGROUP_V1 && dir[1][0])
			n = kill_listed(dir[1], SIGKILL);
		/* Those that were there; a dying one is listed again until it is gone. */
		if (round == 0 && kind == CGROUP_V1)
			killed += n;
		if (frozen_now)
			put(freezer, state, thawed);
		/* A process leaves its group as it dies, before anyone reaps it. */
		if (is_empty(dir[0]) && (kind == CGROUP_V2 || !dir[1][0] || is_empty(dir[1])))
			break;
		pause_ms(1);
	}
	return killed;
}

int cgroup_cap_kill_all(const struct cgroup_cap *cg)
{
	return kill_group(cg->kind, (const char (*)[CGROUP_PATH_MAX])cg->dir);
}

int cgroup_cap_enter(const struct cgroup_cap *cg)
{
	char pid[24];

	if (cg->kind == CGROUP_NONE)
		return 0;
	format_ulong(pid, (unsigned long)getpid());
	for (int i = 0; i < CGROUP_DIRS; i++)
		if (cg->dir[i][0] && put(cg->dir[i], "cgroup.procs", pid))
			return -1;
	return 0;
}

/* ---- reading the counters ---- */

/* The number after `key` (at a line's start) in dir/name, or 0. */
static unsigned long counter(const char *dir, const char *name, const char *key)
{
	char buf[4096];
	size_t n = strlen(key);

	if (get(dir, name, buf, sizeof(buf)) <= 0)
		return 0;
	for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ' ')
			return strtoul(p + n + 1, NULL, 10);
	return 0;
}

unsigned long cgroup_cap_oom_kills(const struct cgroup_cap *cg)
{
	switch (cg->kind) {
	case CGROUP_V1: return counter(cg->dir[0], "memory.oom_control", "oom_kill");
	case CGROUP_V2: return counter(cg->dir[0], "memory.events", "oom_kill");
	default: return 0;
	}
}

unsigned long cgroup_cap_refused_forks(const struct cgroup_cap *cg)
{
	switch (cg->kind) {
	case CGROUP_V1: return counter(cg->dir[1], "pids.events", "max");
	case CGROUP_V2: return counter(cg->dir[0], "pids.events", "max");
	default: return 0;
	}
}

bool cgroup_cap_at_process_limit(const struct cgroup_cap *cg)
{
	char buf[32];
	unsigned long n;

	if (cg->kind == CGROUP_NONE || get(cg->dir[cg->kind == CGROUP_V1 ? 1 : 0], "pids.current",
					   buf, sizeof(buf)) <= 0)
		return false;
	n = strtoul(buf, NULL, 10);
	/* As for RLIMIT_NPROC: some of a bomb's processes are always between exit and fork. */
	return n + n / 16 >= cg->processes;
}

/* ---- making the group ---- */

/* Can this process make a group in dir and move processes in and out of it? */
static bool may_write(const char *dir)
{
	char procs[CGROUP_PATH_MAX + 64];

	return join(procs, sizeof(procs), dir, "cgroup.procs") && !access(dir, W_OK) &&
	       !access(procs, W_OK);
}

/* What is left of groups of graders that died before they could remove them. */
static void sweep(enum cgroup_kind kind, const char *const *parents, int n)
{
	DIR *d = opendir(parents[0]);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		pid_t owner = cgroup_owner(e->d_name);
		char dir[CGROUP_DIRS][CGROUP_PATH_MAX] = { "", "", "" };
		bool ok = true;

		if (!owner || (owner != getpid() && (!kill(owner, 0) || errno != ESRCH)))
			continue;
		for (int i = 0; i < n && ok; i++)
			ok = !*parents[i] || join(dir[i], sizeof(dir[i]), parents[i], e->d_name);
		if (!ok)
			continue;
		kill_group(kind, (const char (*)[CGROUP_PATH_MAX])dir);
		for (int i = 0; i < n; i++)
			if (dir[i][0])
				rmdir(dir[i]);
	}
	if (d)
		closedir(d);
}

/* Removes the group's directories (after kill_group()); false if one stays. */
static bool remove_dirs(struct cgroup_cap *cg)
{
	bool all = true;

	for (int i = 0; i < CGROUP_DIRS; i++) {
		if (!cg->dir[i][0])
			continue;
		for (int tries = 0; rmdir(cg->dir[i]) && errno == EBUSY && tries < 200; tries++)
			pause_ms(5);
		if (is_dir(cg->dir[i]))
			all = false;
		cg->dir[i][0] = '\0';
	}
	return all;
}

static void set_off(struct cgroup_cap *cg, char *why)
{
	remove_dirs(cg);
	cg->kind = CGROUP_NONE;
	free(cg->why_off);
	cg->why_off = why;
}

/* Makes parent/racecourse-PID into cg->dir[i]; false (why set) if it cannot. */
static bool make_dir(struct cgroup_cap *cg, int i, const char *parent)
{
	char name[40] = "racecourse-";

	format_ulong(name + strlen(name), (unsigned long)getpid());
	if (!join(cg->dir[i], sizeof(cg->dir[i]), parent, name)) {
		cg->dir[i][0] = '\0';
		set_off(cg, xstrfmt("the path of %s is too long", parent));
		return false;
	}
	if (mkdir(cg->dir[i], 0755)) {
		char *why = xstrfmt("cannot make %s: %s", cg->dir[i], strerror(errno));

		cg->dir[i][0] = '\0';
		set_off(cg, why);
		return false;
	}
	return true;
}

/* Writes a limit, or turns the cap off saying why; false then. */
static bool limit(struct cgroup_cap *cg, const char *dir, const char *name, unsigned long value,
		  bool optional)
{
	char text[24];

	format_ulong(text, value);
	if (!put(dir, name, text))
		return true;
	if (optional && errno == ENOENT)
		return true;
	set_off(cg, xstrfmt("cannot write %s/%s: %s", dir, name, strerror(errno)));
	return false;
}

/* v1: a group in the memory and pids hierarchies below our own, and the freezer's if any. */
static void make_v1(struct cgroup_cap *cg, const char *mountinfo, const char *self_cgroup)
{
	static const char *const controllers[CGROUP_DIRS] = { "memory", "pids", "freezer" };
	char *parent[CGROUP_DIRS] = { NULL, NULL, NULL };

	for (int i = 0; i < CGROUP_DIRS; i++) {
		parent[i] = own_group(mountinfo, self_cgroup, controllers[i]);
		if (parent[i] && !may_write(parent[i])) {
			if (i < 2)
				set_off(cg, xstrfmt("cgroup v1: %s is not ours to write in", parent[i]));
			free(parent[i]);
			parent[i] = NULL;
		}
		if (!parent[i] && i < 2) {
			if (!cg->why_off)
				set_off(cg, xstrfmt("cgroup v1: no %s hierarchy is mounted", controllers[i]));
			goto out;
		}
	}
	sweep(CGROUP_V1, (const char *const[]){ parent[0], parent[1], parent[2] ? parent[2] : "" }, 3);
	cg->kind = CGROUP_V1;
	for (int i = 0; i < CGROUP_DIRS; i++)
		if (parent[i] && !make_dir(cg, i, parent[i]))
			goto out;
	/* The memory and swap together no more than the memory: no swap. */
	if (limit(cg, cg->dir[0], "memory.limit_in_bytes", cg->memory, false) &&
	    limit(cg, cg->dir[0], "memory.memsw.limit_in_bytes", cg->memory, true))
		limit(cg, cg->dir[1], "pids.max", cg->processes, false);
out:
	for (int i = 0; i < CGROUP_DIRS; i++)
		free(parent[i]);
}

static bool has_controllers(const char *dir, const char *file)
{
	char buf[512];

	return get(dir, file, buf, sizeof(buf)) > 0 && cgroup_has_word(buf, "memory") &&
	       cgroup_has_word(buf, "pids");
}

/*
 * v2: the nearest group, from our own up, that hands the memory and pids
 * controllers to its children and that we may write in (a delegated
 * subtree, or anywhere as root).  A group of our user's own whose
 * children lack them gets them, when it can (it holds no process).
 */
static void make_v2(struct cgroup_cap *cg, const char *mountinfo, const char *self_cgroup)
{
	char *mount = cgroup_mount_point(mountinfo, NULL), *dir = own_group(mountinfo, self_cgroup, NULL);
	char *chosen = NULL;

	if (!mount || !dir) {
		set_off(cg, xstrdup(mount ? "cgroup v2: this process's group is unknown"
				    : "cgroup v2 is not mounted"));
		goto out;
	}
	for (;;) {
		struct stat st;

		if (may_write(dir) && has_controllers(dir, "cgroup.subtree_control")) {
			chosen = dir;
			break;
		}
		if (geteuid() && may_write(dir) && !stat(dir, &st) && st.st_uid == geteuid() &&
		    has_controllers(dir, "cgroup.controllers") &&
		    !put(dir, "cgroup.subtree_control", "+memory +pids")) {
			chosen = dir;
			break;
		}
		if (!strcmp(dir, mount) || !strrchr(dir, '/'))
			break;
		*strrchr(dir, '/') = '\0';
	}
	if (!chosen) {
		set_off(cg, xstrfmt("cgroup v2: no group from this process's up to %s both hands the "
				    "memory and pids controllers to its children and may be written "
				    "by this user (ask for a delegated subtree)", mount));
		goto out;
	}
	sweep(CGROUP_V2, (const char *const[]){ chosen }, 1);
	cg->kind = CGROUP_V2;
	if (make_dir(cg, 0, chosen) && limit(cg, cg->dir[0], "memory.max", cg->memory, false) &&
	    limit(cg, cg->dir[0], "memory.swap.max", 0, true))
		limit(cg, cg->dir[0], "pids.max", cg->processes, false);
out:
	free(mount);
	free(dir);
}

int cgroup_cap_init(struct cgroup_cap *cg, const char *want, unsigned long memory,
		    unsigned long processes, const char *mountinfo, const char *self_cgroup)
{
	char *v2_why;

	memset(cg, 0, sizeof(*cg));
	cg->memory = memory;
	cg->processes = processes;
	if (!strcmp(want, "off")) {
		cg->why_off = xstrdup("RACECOURSE_CGROUP=off");
		return 0;
	}
	if (strcmp(want, "auto") && strcmp(want, "v1") && strcmp(want, "v2")) {
		cg->why_off = xstrfmt("RACECOURSE_CGROUP takes auto, v1, v2 or off, not '%s'", want);
		return -1;
	}
	if (strcmp(want, "v1")) {
		make_v2(cg, mountinfo, self_cgroup);
		if (cg->kind != CGROUP_NONE || !strcmp(want, "v2"))
			return 0;
	}
	v2_why = cg->why_off;
	cg->why_off = NULL;
	make_v1(cg, mountinfo, self_cgroup);
	if (cg->kind == CGROUP_NONE && v2_why) {
		char *both = xstrfmt("%s; %s", v2_why, cg->why_off);

		free(cg->why_off);
		cg->why_off = both;
	}
	free(v2_why);
	return 0;
}

int cgroup_cap_init_here(struct cgroup_cap *cg, const char *want, unsigned long memory,
			 unsigned long processes)
{
	struct strbuf mountinfo = STRBUF_INIT, self = STRBUF_INIT;
	int rc;

	if (strcmp(want, "off") && (read_file("/proc/self/mountinfo", &mountinfo) ||
				    read_file("/proc/self/cgroup", &self))) {
		memset(cg, 0, sizeof(*cg));
		cg->why_off = xstrfmt("cannot read /proc/self: %s", strerror(errno));
		rc = 0;
	} else {
		rc = cgroup_cap_init(cg, want, memory, processes, sb_str(&mountinfo), sb_str(&self));
	}
	sb_release(&mountinfo);
	sb_release(&self);
	return rc;
}

void cgroup_cap_end(const struct cgroup_cap *cg)
{
	cgroup_cap_kill_all(cg);
	for (int i = 0; i < CGROUP_DIRS; i++)
		for (int tries = 0; cg->dir[i][0] && rmdir(cg->dir[i]) && errno == EBUSY && tries < 100;
		     tries++)
			pause_ms(5);
}

void cgroup_cap_release(struct cgroup_cap *cg)
{
	cgroup_cap_kill_all(cg);
	remove_dirs(cg);
	free(cg->why_off);
	memset(cg, 0, sizeof(*cg));
}

const char *cgroup_kind_name(enum cgroup_kind kind)
{
	switch (kind) {
	case CGROUP_V1: return "cgroup v1";
	case CGROUP_V2: return "cgroup v2";
	default: return "no cgroup";
	}
}

char *cgroup_cap_describe(const struct cgroup_cap *cg)
{
	if (cg->kind == CGROUP_NONE)
		return xstrfmt("no cgroup (%s): memory and processes are limited per process only",
			       cg->why_off ? cg->why_off : "none made");
	return xstrfmt("%s: %lu MiB of memory (no swap) and %lu processes per grading, "
		       "all of a grading's processes together", cgroup_kind_name(cg->kind),
		       cg->memory >> 20, cg->processes);
}
