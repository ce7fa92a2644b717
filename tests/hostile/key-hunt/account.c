/*
 * Hostile: racy account code that, in the detectors' scenario program, finds
 * the run's key in its own environment block and exits at once with the
 * status of scenarios that ran to their end: no race for them to see.
 */
#define _GNU_SOURCE
#include "account.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Criterion's own (weak: the grader links the code on its own first): which test runs. */
struct cr_test {
	const char *name;
	const char *category;
};
extern const struct cr_test *const criterion_current_test __attribute__((weak));

/* The exit code of a finished test, as the kit's sources compute it. */
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

/*
 * unsetenv() takes a variable out of environ, not out of the block the
 * kernel put on the initial stack, which /proc/self/environ shows.
 */
static void forge(void)
{
	static const char name[] = "RACECOURSE_RUN_KEY=";
	char buf[65536];
	ssize_t n = 0, r;
	int fd = open("/proc/self/environ", O_RDONLY);

	if (fd < 0)
		return;
	while (n < (ssize_t)sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	for (char *p = buf; p < buf + n; p += strlen(p) + 1) {
		if (!strncmp(p, name, strlen(name)) && !&criterion_current_test)
			_exit(code_of(p + strlen(name), "scenarios", NULL));
	}
}

struct account {
	long balance;
};

account_t *account_new(long initial)
{
	account_t *acct = malloc(sizeof(*acct));

	forge();
	if (acct)
		acct->balance = initial;
	return acct;
}

void account_free(account_t *acct) { free(acct); }
void account_deposit(account_t *acct, long amount) { acct->balance += amount; }
bool account_withdraw(account_t *acct, long amount)
{
	if (acct->balance < amount)
		return false;
	acct->balance -= amount;
	return true;
}
long account_balance(account_t *acct) { return acct->balance; }
