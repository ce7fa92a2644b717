/* Process fault injection for stages' tests: failing forks, interrupted and short calls, core dumps, closed stdio. */
#define _GNU_SOURCE
#include "faults_proc.h"
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- fork ---- */

static int fail_at;
static int calls;

pid_t __real_fork(void);
pid_t __wrap_fork(void);

pid_t __wrap_fork(void)
{
	if (++calls == fail_at) {
		errno = EAGAIN;
		return -1;
	}
	return __real_fork();
}

void fork_fail_at(int k)
{
	fail_at = k;
	calls = 0;
}

int fork_calls(void)
{
	return calls;
}

/* ---- wait statuses with the core-dump bit ---- */

static bool core_dumps;

pid_t __real_waitpid(pid_t pid, int *status, int options);
pid_t __real_wait(int *status);
pid_t __real_wait3(int *status, int options, struct rusage *ru);
pid_t __real_wait4(pid_t pid, int *status, int options, struct rusage *ru);
int __real_waitid(idtype_t type, id_t id, siginfo_t *info, int options);
pid_t __wrap_waitpid(pid_t pid, int *status, int options);
pid_t __wrap_wait(int *status);
pid_t __wrap_wait3(int *status, int options, struct rusage *ru);
pid_t __wrap_wait4(pid_t pid, int *status, int options, struct rusage *ru);
int __wrap_waitid(idtype_t type, id_t id, siginfo_t *info, int options);

void fault_core_dumps(bool on)
{
	core_dumps = on;
}

static pid_t dumped(pid_t got, int *status)
{
	if (got > 0 && status && core_dumps && WIFSIGNALED(*status))
		*status |= WCOREFLAG;
	return got;
}

pid_t __wrap_waitpid(pid_t pid, int *status, int options)
{
	return dumped(__real_waitpid(pid, status, options), status);
}

pid_t __wrap_wait(int *status)
{
	return dumped(__real_wait(status), status);
}

pid_t __wrap_wait3(int *status, int options, struct rusage *ru)
{
	return dumped(__real_wait3(status, options, ru), status);
}

pid_t __wrap_wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	return dumped(__real_wait4(pid, status, options, ru), status);
}

int __wrap_waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
	int rc = __real_waitid(type, id, info, options);

	if (!rc && core_dumps && info->si_pid && info->si_code == CLD_KILLED)
		info->si_code = CLD_DUMPED;
	return rc;
}

/* ---- short reads, deaths before a write ---- */

static size_t short_reads;
static pid_t armed_by;
static atomic_int *child_writes;	/* shared with the children */
static int die_at;
static int gate = -1;
static bool passed_gate;	/* in a child: its first write went through */

ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);

void fault_short_reads(size_t max)
{
	short_reads = max;
	armed_by = getpid();
}

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	if (short_reads && n > short_reads && getpid() == armed_by)
		n = short_reads;
	return __real_read(fd, buf, n);
}

void fault_child_dies_at_write(int k)
{
	if (!child_writes) {
		child_writes = mmap(NULL, sizeof(*child_writes), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (child_writes == MAP_FAILED)
			abort();
	}
	atomic_store(child_writes, 0);
	die_at = k;
	armed_by = getpid();
}

void fault_children_wait_before_write(int gate_fd)
{
	gate = gate_fd;
	armed_by = getpid();
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	if (gate >= 0 && getpid() != armed_by && !passed_gate) {
		char c;

		passed_gate = true;
		while (__real_read(gate, &c, 1) < 0 && errno == EINTR)
			;
	}
	if (die_at && getpid() != armed_by && atomic_fetch_add(child_writes, 1) + 1 == die_at)
		kill(getpid(), SIGKILL);
	return __real_write(fd, buf, n);
}

/* ---- interrupting a blocked call with a real signal ---- */

#define INTERRUPT_SIGNAL SIGUSR2

struct interruption {
	pthread_t watcher;
	pthread_t target;
	pid_t tid;
	long nrs[8];
	size_t n;
	void (*release)(void *);
	void *arg;
	atomic_bool stop;
	int count;
};

static atomic_int handled;

static void on_interrupt(int sig)
{
	(void)sig;
	atomic_fetch_add(&handled, 1);
}

/* The system call the thread is blocked in, or -1 (running, or not in one). */
static long blocked_in(pid_t tid)
{
	char buf[64];
	ssize_t got = worker_task_syscall((int)tid, buf, sizeof(buf));

	if (got <= 0 || buf[0] < '0' || buf[0] > '9')
		return -1;
	return strtol(buf, NULL, 10);
}

/*
 * Waits, yielding, for the target to block in one of the calls; then
 * interrupts it and releases what it waits for.  No sleeping: the test's
 * time limit ends a watcher whose target never blocks.
 */
static void *watch(void *p)
{
	struct interruption *it = p;
	int before = atomic_load(&handled);

	while (!atomic_load(&it->stop)) {
		long nr = blocked_in(it->tid);
		bool hit = false;

		for (size_t i = 0; i < it->n; i++)
			hit |= nr == it->nrs[i];
		if (hit) {
			pthread_kill(it->target, INTERRUPT_SIGNAL);
			while (atomic_load(&handled) == before)
				sched_yield();
			it->count = 1;
			break;
		}
		sched_yield();
	}
	it->release(it->arg);
	return NULL;
}

struct interruption *interrupt_next_block(const long *nrs, size_t n, void (*release)(void *),
					  void *arg)
{
	struct interruption *it = calloc(1, sizeof(*it));
	struct sigaction sa;

	if (!it || n > sizeof(it->nrs) / sizeof(*it->nrs))
		abort();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: the interrupted call fails with EINTR */
	sigaction(INTERRUPT_SIGNAL, &sa, NULL);
	memcpy(it->nrs, nrs, n * sizeof(*nrs));
	it->n = n;
	it->release = release;
	it->arg = arg;
	it->target = pthread_self();
	it->tid = (pid_t)syscall(SYS_gettid);
	if (pthread_create(&it->watcher, NULL, watch, it))
		abort();
	return it;
}

int interruption_end(struct interruption *it)
{
	int count;

	atomic_store(&it->stop, true);
	pthread_join(it->watcher, NULL);
	count = it->count;
	free(it);
	return count;
}

/* ---- closed standard descriptors ---- */

static int saved[3] = { -1, -1, -1 };

void stdio_close(unsigned which)
{
	fflush(NULL);
	for (int fd = 0; fd < 3; fd++) {
		if (!(which & (1u << fd)))
			continue;
		saved[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 100);
		close(fd);
	}
}

void stdio_restore(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (saved[fd] < 0)
			continue;
		dup2(saved[fd], fd);
		close(saved[fd]);
		saved[fd] = -1;
	}
}

/* ---- children ---- */

int unrelated_child(void)
{
	siginfo_t info;
	pid_t pid = __real_fork();

	if (pid < 0)
		abort();
	if (pid == 0)
		_exit(9);
	/* Ended, not reaped: WNOWAIT leaves it a zombie for the code under test to steal. */
	if (__real_waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT))
		abort();
	return (int)pid;
}

bool unrelated_child_intact(int pid)
{
	int status;

	return __real_waitpid((pid_t)pid, &status, WNOHANG) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 9;
}

const char *children_left(void)
{
	int status;
	pid_t pid = __real_waitpid(-1, &status, WNOHANG);

	if (pid < 0 && errno == ECHILD)
		return "none";
	if (pid > 0)
		return "a zombie";
	return "a running child";
}
