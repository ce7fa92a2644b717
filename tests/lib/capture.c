/* The stacks of a stuck or crashed test, written by the test's own process (no debugger). */
#define _GNU_SOURCE
#include "capture.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "perturb.h"

/*
 * When a test runs past 60% of its time limit, its worker writes every
 * thread's stack to RACECOURSE_DIAG_DIR/stacks.PID.txt, before Criterion
 * kills it at the limit; when it crashes, the stack of the thread that
 * crashed.  No debugger: the sandbox refuses ptrace, and a test's own
 * process can do it.  The thread that took SIGALRM sends every other
 * thread CAPTURE_SIGNAL and waits, a short while, for each to write its
 * stack (glibc's backtrace_symbols_fd(): names and offsets, no malloc) in
 * its handler; the grader turns offsets into lines.  With the schedule
 * perturbation linked (perturb.h), each thread also says which mutex it is
 * blocked on, and which thread holds each mutex and where it took it.
 *
 *   test suite/name           the test it is of
 *   crash 11                  (a crash) the stack that follows is the crashing thread's
 *   thread 4242               a thread's stack, innermost first
 *   waits 0x5600c0de0040      (perturb) blocked locking this mutex
 *   ./tests.bin(+0x1a2b)[0x5600c0d01a2b]
 *   end
 *   holder 0x5600c0de0040     (perturb) a mutex held now,
 *   tid 4243                  by this thread,
 *   ./tests.bin(+0x1c00)[0x5600c0d01c00]   which took it where this call returns
 */
#define CAPTURE_SIGNAL (SIGRTMIN + 4)
#define CAPTURE_FRAMES 64
#define CAPTURE_WAIT_NS 200000000L	/* for one thread's handler to run */

const void *perturb_waiting_for(void) __attribute__((weak));
size_t perturb_holders(struct perturb_holder *out, size_t max) __attribute__((weak));

static char stacks_path[4096];
static int stacks_fd = -1;
static atomic_int captured;

/* Writes "word N\n" without stdio: only async-signal-safe calls from here on. */
static void put_line(int fd, const char *word, unsigned long long n, bool hex)
{
	char buf[64], digits[24];
	size_t len = strlen(word), nd = 0;

	memcpy(buf, word, len);
	buf[len++] = ' ';
	if (hex) {
		buf[len++] = '0';
		buf[len++] = 'x';
	}
	do {
		unsigned d = (unsigned)(n % (hex ? 16 : 10));

		digits[nd++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		n /= hex ? 16 : 10;
	} while (n);
	while (nd)
		buf[len++] = digits[--nd];
	buf[len++] = '\n';
	if (write(fd, buf, len) < 0)
		return;
}

/*
 * The calling thread's stack, from a signal handler.  frames[0] is that
 * handler and frames[1] the kernel's return trampoline, so always_inline:
 * the handler's own frame must be the one backtrace() sees first.
 */
static inline __attribute__((always_inline)) void dump_stack(int fd)
{
	void *frames[CAPTURE_FRAMES];
	int n = backtrace(frames, CAPTURE_FRAMES);
	const void *waiting = perturb_waiting_for ? perturb_waiting_for() : NULL;

	put_line(fd, "thread", (unsigned long long)syscall(SYS_gettid), false);
	if (waiting)
		put_line(fd, "waits", (uintptr_t)waiting, true);
	if (n > 2)
		backtrace_symbols_fd(frames + 2, n - 2, fd);
	if (write(fd, "end\n", 4) < 0)
		return;
}

static void capture_thread(int sig)
{
	int saved = errno;

	(void)sig;
	if (stacks_fd >= 0)
		dump_stack(stacks_fd);
	atomic_fetch_add(&captured, 1);
	errno = saved;
}

static long elapsed_ns(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000000000L + (now.tv_nsec - since->tv_nsec);
}

/* Every other thread of the process, one at a time, then the holders of the mutexes. */
static void capture_others(int fd)
{
	char buf[4096];
	pid_t self = (pid_t)syscall(SYS_gettid), pid = getpid();
	int dir = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;

	while (dir >= 0 && (n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type;
				 char name[]; } *e = (void *)(buf + off);
			pid_t tid = (pid_t)atoi(e->name);
			int before = atomic_load(&captured);
			struct timespec start;

			off += e->reclen;
			if (tid <= 0 || tid == self || syscall(SYS_tgkill, pid, tid, CAPTURE_SIGNAL))
				continue;
			clock_gettime(CLOCK_MONOTONIC, &start);
			/* a thread that blocks the signal (the watchdog) is passed over */
			while (atomic_load(&captured) == before && elapsed_ns(&start) < CAPTURE_WAIT_NS)
				sched_yield();
		}
	}
	if (dir >= 0)
		close(dir);
	if (perturb_holders) {
		struct perturb_holder held[64];
		size_t nheld = perturb_holders(held, 64);

		for (size_t i = 0; i < nheld; i++) {
			put_line(fd, "holder", (uintptr_t)held[i].mutex, true);
			put_line(fd, "tid", (unsigned long long)held[i].tid, false);
			backtrace_symbols_fd(&held[i].where, 1, fd);
		}
	}
}

/* "test suite/name": which test the capture is of */
static void put_test(int fd)
{
	const struct criterion_test *t = criterion_current_test;
	struct iovec v[4];

	if (!t || !t->category || !t->name)
		return;
	v[0] = (struct iovec){ "test ", 5 };
	v[1] = (struct iovec){ (void *)t->category, strlen(t->category) };
	v[2] = (struct iovec){ "/", 1 };
	v[3] = (struct iovec){ (void *)t->name, strlen(t->name) };
	if (writev(fd, v, 4) < 0 || write(fd, "\n", 1) < 0)
		return;
}

static void capture_stuck(int sig)
{
	int saved = errno;

	(void)sig;
	stacks_fd = open(stacks_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (stacks_fd >= 0) {
		put_test(stacks_fd);
		dump_stack(stacks_fd);
		capture_others(stacks_fd);
	}
	errno = saved;
}

/* A crash: the crashing thread's stack, then the signal's default action. */
static void capture_crash(int sig)
{
	int fd = open(stacks_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd >= 0) {
		put_test(fd);
		put_line(fd, "crash", (unsigned long long)sig, false);
		dump_stack(fd);
		close(fd);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void capture_arm(const char *dir, double limit)
{
	static const int crashes[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct itimerval when = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa;
	void *warm[1];
	double at = limit * 0.6;

	snprintf(stacks_path, sizeof(stacks_path), "%s/stacks.%d.txt", dir, (int)getpid());
	/* backtrace() loads libgcc's unwinder on its first call: not in a handler */
	backtrace(warm, 1);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = capture_thread;
	sigaction(CAPTURE_SIGNAL, &sa, NULL);
	sa.sa_handler = capture_crash;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < sizeof(crashes) / sizeof(*crashes); i++)
		sigaction(crashes[i], &sa, NULL);
	if (at <= 0)
		return;
	sa.sa_handler = capture_stuck;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	when.it_value.tv_sec = (time_t)at;
	when.it_value.tv_usec = (suseconds_t)((at - (double)(time_t)at) * 1e6);
	setitimer(ITIMER_REAL, &when, NULL);
}
