/* Running child processes: start, supervise with limits, wait, decode. */
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reaper.h"

extern char **environ;

/* ---- SIGCHLD self-pipe: lets poll() wake up when any child exits ---- */

static int sigchld_pipe[2] = { -1, -1 };

static void on_sigchld(int sig)
{
	int saved = errno;

	(void)sig;
	if (write(sigchld_pipe[1], "x", 1) < 0) {
		/* The pipe is full: a wake-up is already pending. */
	}
	errno = saved;
}

/*
 * Once per process: a process forked from one that had set it up (a
 * batch's worker) makes a pipe of its own, or the two would steal each
 * other's wake-ups.
 */
static void sigchld_setup(void)
{
	static pid_t done;
	struct sigaction sa;

	if (done == getpid())
		return;
	done = getpid();
	for (int i = 0; i < 2; i++)
		if (sigchld_pipe[i] >= 0)
			close(sigchld_pipe[i]);
	if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK))
		die("cannot create a pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	/* Ctrl-C ends every child running; their orphans come back to us. */
	reaper_setup();
}

static void sigchld_drain(void)
{
	char buf[64];

	while (read(sigchld_pipe[0], buf, sizeof(buf)) > 0)
		;
}

/* ---- starting ---- */

/* Whether entry ("NAME=value") sets the variable that ours ("NAME=...") does. */
static bool same_name(const char *entry, const char *ours)
{
	const char *eq = strchr(ours, '=');
	size_t namelen = eq ? (size_t)(eq - ours) : strlen(ours);

	return !strncmp(entry, ours, namelen) && entry[namelen] == '=';
}

/* The environment for the child: ours with c->env set over it, or c->env alone. */
static char **build_env(const struct child *c)
{
	size_t n = 0, extra = 0, k = 0;
	char **envp;

	while (!c->clear_env && environ[n])
		n++;
	while (c->env && c->env[extra])
		extra++;
	envp = xcalloc(n + extra + 1, sizeof(*envp));
	for (size_t i = 0; i < n; i++) {
		bool overridden = false;

		for (size_t j = 0; j < extra; j++)
			overridden |= same_name(c->env[j], environ[i]);
		if (!overridden)
			envp[k++] = environ[i];
	}
	for (size_t j = 0; j < extra; j++)
		envp[k++] = (char *)c->env[j];
	envp[k] = NULL;
	return envp;
}

/*
 * In the child, between fork and exec: only async-signal-safe calls.  A
 * failure is written to the close-on-exec pipe as an errno value.
 */
static int set_limit(int resource, rlim_t value)
{
	struct rlimit rl = { value, value };

	return setrlimit(resource, &rl);
}

/*
 * Closes every descriptor from `from` up: what the grader opened without
 * close-on-exec, or what a library did, never reaches the child.
 */
static void close_from(int from)
{
	if (syscall(SYS_close_range, (unsigned)from, ~0U, 0)) {
		for (int fd = from; fd < 65536; fd++)
			close(fd);
	}
}

/* Limits, the caller's hook, then the user: once it is not root, it could not raise them. */
static int contain(const struct child *c)
{
	for (size_t i = 0; i < c->nlimits; i++)
		if (set_limit(c->limits[i].resource, c->limits[i].value))
			return -1;
	/* Root is exempt from it: for root it is set below, once it is the other user. */
	if (!c->switch_user && c->max_processes && set_limit(RLIMIT_NPROC, c->max_processes))
		return -1;
	if (c->pre_exec && c->pre_exec(c, c->pre_exec_arg))
		return -1;
	if (!c->switch_user)
		return 0;
	if ((c->max_processes && set_limit(RLIMIT_NPROC, c->max_processes)) ||
	    setgroups(0, NULL) || setgid(c->gid) || setuid(c->uid))
		return -1;
	return 0;
}

/*
 * Puts pass_fd at 3 and give_fd[i] at 4 + i (each copied out of the way
 * first, so that none clobbers another), the error pipe after them,
 * close-on-exec, and closes every other descriptor above 2.
 */
static int hand_over_fds(const struct child *c, int *err_fd)
{
	int want[1 + CHILD_GIVE_FDS], copy[1 + CHILD_GIVE_FDS];
	int n = 1 + CHILD_GIVE_FDS, e;

	want[0] = c->pass_fd;
	for (int i = 0; i < CHILD_GIVE_FDS; i++)
		want[1 + i] = c->give_fd[i];
	for (int i = 0; i < n; i++)
		if ((copy[i] = want[i] >= 0 ? fcntl(want[i], F_DUPFD, 3 + n + 1) : -1) < 0 &&
		    want[i] >= 0)
			return -1;
	if ((e = fcntl(*err_fd, F_DUPFD_CLOEXEC, 3 + n + 1)) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (copy[i] >= 0 ? dup2(copy[i], 3 + i) < 0 : close(3 + i) < 0 && errno != EBADF)
			return -1;
	}
	if (dup3(e, 3 + n, O_CLOEXEC) < 0)
		return -1;
	*err_fd = 3 + n;
	close_from(3 + n + 1);
	return 0;
}

static void __attribute__((noreturn))
exec_child(const struct child *c, const char *path, char **envp, int out_fd, int null_fd, int err_fd)
{
	sigset_t none;
	int e;

	if (c->new_session)
		setsid();
	else
		setpgid(0, 0);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		goto fail;
	if (hand_over_fds(c, &err_fd))
		goto fail;
	if (c->dir && chdir(c->dir))
		goto fail;
	if (contain(c))
		goto fail;
	execve(path, (char *const *)c->args.v, envp);
fail:
	e = errno;
	if (write(err_fd, &e, sizeof(e)) < 0) {
		/* Nothing more can be done: the parent sees exit code 127. */
	}
	_exit(127);
}

/* The given descriptors are the child's alone once it has them. */
static void drop_given(struct child *c)
{
	for (int i = 0; i < CHILD_GIVE_FDS; i++) {
		if (c->give_fd[i] >= 0)
			close(c->give_fd[i]);
		c->give_fd[i] = -1;
	}
}

int child_start(struct child *c)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, null_fd = -1;
	char *path = NULL;
	char **envp = NULL;
	ssize_t n;
	int e = 0;

	sigchld_setup();
	c->start_errno = 0;
	c->timed_out = false;
	c->started = now();
	/* A relative program path means one in the child's directory. */
	if (c->dir && c->args.v[0][0] != '/' && strchr(c->args.v[0], '/'))
		path = xstrfmt("%s/%s", c->dir, c->args.v[0]);
	else
		path = find_in_path(c->args.v[0]);
	if (path && access(path, X_OK)) {
		free(path);
		path = NULL;
	}
	if (!path) {
		e = ENOENT;
		goto fail;
	}
	envp = build_env(c);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0 || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		e = errno;
		goto fail;
	}
	c->pid = fork();
	if (c->pid < 0) {
		e = errno;
		goto fail;
	}
	if (c->pid == 0)
		exec_child(c, path, envp, out[1], null_fd, err[1]);

	/* Both sides set the group, so no signal can miss it. */
	setpgid(c->pid, c->pid);
	drop_given(c);
	close(out[1]);
	close(err[1]);
	close(null_fd);
	out[1] = err[1] = null_fd = -1;
	do {
		n = read(err[0], &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	close(err[0]);
	if (n == sizeof(e)) {
		/* exec failed: reap the child, which exits at once */
		while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
			;
		c->pid = -1;
		close(out[0]);
		free(path);
		free(envp);
		c->start_errno = e;
		errno = e;
		return -1;
	}
	e = 0;
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	c->out_fd = out[0];
	c->running = true;
	reaper_add(c->pid, true);
	c->deadline = c->timeout > 0 ? c->started + c->timeout : 0;
	c->kill_at = 0;
	free(path);
	free(envp);
	return 0;

fail:
	drop_given(c);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	if (null_fd >= 0)
		close(null_fd);
	free(path);
	free(envp);
	c->start_errno = e;
	c->running = false;
	errno = e;
	return -1;
}

/* ---- supervising ---- */

static void read_output(struct child *c)
{
	char buf[16384];

	for (;;) {
		ssize_t n = read(c->out_fd, buf, sizeof(buf));

		if (n > 0) {
			size_t room = c->out.len < c->out_cap ? c->out_cap - c->out.len : 0;
			size_t keep = (size_t)n < room ? (size_t)n : room;

			sb_add(&c->out, buf, keep);
			c->out_dropped += (size_t)n - keep;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			close(c->out_fd);
			c->out_fd = -1;
		}
		return;
	}
}

static void try_reap(struct child *c)
{
	struct rusage ru = { 0 };
	pid_t r;

	if (c->pid < 0)
		return;
	do {
		r = wait4(c->pid, &c->status, WNOHANG, &ru);
	} while (r < 0 && errno == EINTR);
	if (r == c->pid || (r < 0 && errno == ECHILD)) {
		c->cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			 (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		/*
		 * The child is gone; what it left in its process group (a
		 * grandchild that still holds the output pipe) goes too, and
		 * is reaped here: as the subreaper, its orphans are ours.
		 */
		c->elapsed = now() - c->started;
		reaper_forget(c->pid);
		if (!kill(-c->pid, SIGKILL))
			while (waitpid(-c->pid, NULL, 0) > 0 || errno == EINTR)
				;
		c->pid = -2;	/* reaped, group killed */
	}
}

static void enforce_deadline(struct child *c, double t)
{
	if (c->pid < 0)
		return;
	if (c->deadline && !c->timed_out && t >= c->deadline) {
		c->timed_out = true;
		kill(-c->pid, SIGTERM);
		c->kill_at = t + CHILD_KILL_GRACE;
	}
	if (c->kill_at && t >= c->kill_at) {
		kill(-c->pid, SIGKILL);
		c->kill_at = 0;
	}
}

/* How long poll() may sleep before some child's next deadline. */
static int next_wakeup_ms(struct child **cs, size_t n, double t)
{
	double soonest = -1;

	for (size_t i = 0; i < n; i++) {
		struct child *c = cs[i];
		double d = 0;

		if (!c->running)
			continue;
		if (c->pid >= 0)
			d = c->kill_at ? c->kill_at : (c->timed_out ? 0 : c->deadline);
		else if (c->out_fd >= 0)
			d = c->kill_at;	/* draining after exit */
		if (d > 0 && (soonest < 0 || d < soonest))
			soonest = d;
	}
	if (soonest < 0)
		return -1;
	return soonest <= t ? 0 : (int)((soonest - t) * 1000) + 1;
}

/* Seconds between two counts of the sandbox user's processes. */
#define PROCESS_WATCH_INTERVAL 0.25

/*
 * A fork bomb makes the test runner or a detector fail in ways that do
 * not name it (Criterion's runner may crash before it says it could not
 * fork), and its processes are gone soon after.  So while a child with an
 * at_limit hook runs, ask it now and then, and mark every such child
 * running when it says so.  Returns whether any is being watched.
 */
static bool watch_processes(struct child **cs, size_t n, double t, double *next)
{
	const struct child *w = NULL;

	for (size_t i = 0; i < n && !w; i++)
		if (cs[i]->running && cs[i]->pid >= 0 && cs[i]->at_limit)
			w = cs[i];
	if (!w || t < *next)
		return w != NULL;
	*next = t + PROCESS_WATCH_INTERVAL;
	if (w->at_limit(w->at_limit_arg))
		for (size_t i = 0; i < n; i++)
			if (cs[i]->running && cs[i]->at_limit)
				cs[i]->at_process_limit = true;
	return true;
}

int child_finish_all(struct child **cs, size_t n)
{
	struct pollfd *fds = xcalloc(n + 1, sizeof(*fds));
	double next_watch = 0;

	for (;;) {
		size_t nfds = 0, live = 0;
		double t = now();
		int wait_ms;

		for (size_t i = 0; i < n; i++) {
			struct child *c = cs[i];

			if (!c->running)
				continue;
			try_reap(c);
			/* Interrupted, with the batch's reaper_carry_on(): SIGTERM, then SIGKILL. */
			if (reaper_interrupted() && c->pid >= 0 && !c->kill_at) {
				kill(-c->pid, SIGTERM);
				c->kill_at = t + CHILD_KILL_GRACE;
			}
			enforce_deadline(c, t);
			if (c->pid == -2 && c->out_fd >= 0 && !c->kill_at)
				/* Exited: give escaped holders of the pipe a moment. */
				c->kill_at = t + CHILD_KILL_GRACE;
			if (c->pid == -2 && c->out_fd >= 0 && c->kill_at && t >= c->kill_at) {
				close(c->out_fd);
				c->out_fd = -1;
			}
			if (c->pid == -2 && c->out_fd < 0) {
				c->running = false;
				c->pid = -1;
				continue;
			}
			live++;
			if (c->out_fd >= 0) {
				fds[nfds].fd = c->out_fd;
				fds[nfds].events = POLLIN;
				nfds++;
			}
		}
		if (!live) {
			reaper_end_orphans();
			break;
		}
		fds[nfds].fd = sigchld_pipe[0];
		fds[nfds].events = POLLIN;
		wait_ms = next_wakeup_ms(cs, n, t);
		if (watch_processes(cs, n, t, &next_watch) &&
		    (wait_ms < 0 || wait_ms > PROCESS_WATCH_INTERVAL * 1000))
			wait_ms = (int)(PROCESS_WATCH_INTERVAL * 1000);
		if (poll(fds, nfds + 1, wait_ms) < 0 && errno != EINTR)
			die("poll failed: %s", strerror(errno));
		sigchld_drain();
		for (size_t i = 0; i < n; i++)
			if (cs[i]->running && cs[i]->out_fd >= 0)
				read_output(cs[i]);
	}
	free(fds);
	return 0;
}

int child_finish(struct child *c)
{
	return child_finish_all(&c, 1);
}

int child_run(struct child *c)
{
	if (child_start(c))
		return -1;
	return child_finish(c);
}

void child_set_cleanup(void (*fn)(bool interrupted))
{
	reaper_set_cleanup(fn);
}

void child_add_limit(struct child *c, int resource, unsigned long value)
{
	if (c->nlimits >= CHILD_MAX_LIMITS)
		die("too many resource limits for one child");
	c->limits[c->nlimits].resource = resource;
	c->limits[c->nlimits].value = value;
	c->nlimits++;
}

void child_release(struct child *c)
{
	if (c->own_env && c->env) {
		for (size_t i = 0; c->env[i]; i++)
			free((char *)c->env[i]);
		free(c->env);
	}
	c->env = NULL;
	c->own_env = false;
	strvec_clear(&c->args);
	drop_given(c);
	sb_release(&c->out);
	if (c->out_fd >= 0)
		close(c->out_fd);
	c->out_fd = -1;
}

/* ---- decoding ---- */

int child_exit_code(const struct child *c)
{
	if (c->start_errno)
		return 127;
	if (WIFEXITED(c->status))
		return WEXITSTATUS(c->status);
	if (WIFSIGNALED(c->status))
		return 128 + WTERMSIG(c->status);
	return -1;
}

int child_signal(const struct child *c)
{
	if (c->start_errno)
		return 0;
	if (WIFSIGNALED(c->status))
		return WTERMSIG(c->status);
	if (WIFEXITED(c->status) && WEXITSTATUS(c->status) > 128 && c->exit_is_signal)
		return WEXITSTATUS(c->status) - 128;
	return 0;
}

bool child_ok(const struct child *c)
{
	return !c->start_errno && !c->timed_out && WIFEXITED(c->status) &&
		WEXITSTATUS(c->status) == 0;
}

char *child_describe(const struct child *c)
{
	if (c->start_errno)
		return xstrfmt("could not be started: %s", strerror(c->start_errno));
	if (c->timed_out)
		return xstrfmt("timed out after %.*f s%s", c->timeout == (int)c->timeout ? 0 : 1,
			       c->timeout, c->at_process_limit ? ", having reached the process limit "
			       "(a fork bomb?)" : "");
	if (child_signal(c)) {
		const char *name = sigabbrev_np(child_signal(c));

		return name ? xstrfmt("killed by SIG%s", name)
			    : xstrfmt("killed by signal %d", child_signal(c));
	}
	if (WIFEXITED(c->status))
		return xstrfmt("exited with status %d", WEXITSTATUS(c->status));
	return xstrfmt("ended with wait status 0x%x", c->status);
}
