/*
 * Hostile: a correct account whose first call spreads 192 MiB over four
 * processes, each far under the 2 GiB address-space limit, and holds it in
 * all four at once; every call then works only if that succeeded.  Per
 * process limits cannot see it (512 such processes would hold a terabyte):
 * only a cap on the grading's memory, all its processes together, can.
 * Graded with a cap of 128 MiB (env): the default 1 GiB takes a minute to
 * touch on a loaded machine; the mechanism is the same.
 */
#define _GNU_SOURCE
#include "account.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOGS 4
#define EACH (48UL << 20)

struct account {
	pthread_mutex_t lock;
	long balance;
};

/* A child: takes its share, says so, and keeps it until the parent lets go. */
static void hog(int ack, int hold)
{
	char *p = malloc(EACH), c;

	if (!p)
		_exit(1);
	memset(p, 1, EACH);
	if (write(ack, "x", 1) != 1 || read(hold, &c, 1) < 0)
		_exit(1);
	_exit(0);
}

/* Did all HOGS processes hold their share at the same time? */
static bool hold_it_all(void)
{
	int ack[2], hold[2], got = 0, status;
	time_t end = time(NULL) + 20;
	bool ok = true;

	if (pipe(ack) || pipe(hold))
		return false;
	for (int i = 0; i < HOGS; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			close(ack[0]);
			close(hold[1]);
			hog(ack[1], hold[0]);
		}
		ok &= pid > 0;
	}
	close(ack[1]);
	close(hold[0]);
	while (ok && got < HOGS && time(NULL) < end) {
		struct pollfd p = { .fd = ack[0], .events = POLLIN };
		char buf[HOGS];
		ssize_t n;

		/* One that died (killed for memory) can no longer hold its share. */
		if (waitpid(-1, &status, WNOHANG) > 0)
			ok = false;
		else if (poll(&p, 1, 100) > 0 && (n = read(ack[0], buf, sizeof(buf))) > 0)
			got += (int)n;
		else if (p.revents & POLLHUP)
			ok = false;
	}
	ok &= got == HOGS && waitpid(-1, &status, WNOHANG) == 0;
	close(hold[1]);
	close(ack[0]);
	while (wait(&status) > 0)
		;
	return ok;
}

/* The first call in the whole grading tries; every other waits for its answer. */
static bool memory_was_had(void)
{
	int fd = open("hostile.flag", O_CREAT | O_EXCL | O_WRONLY, 0600);
	char answer = 0;
	bool ok;

	if (fd >= 0) {
		ok = hold_it_all();
		if (write(fd, ok ? "y" : "n", 1) != 1)
			ok = false;
		close(fd);
		return ok;
	}
	for (int i = 0; i < 2000 && !answer; i++) {
		struct timespec ms = { 0, 10000000 };

		fd = open("hostile.flag", O_RDONLY);
		if (fd >= 0 && read(fd, &answer, 1) != 1)
			answer = 0;
		if (fd >= 0)
			close(fd);
		if (!answer)
			nanosleep(&ms, NULL);
	}
	return answer == 'y';
}

account_t *account_new(long initial)
{
	account_t *acct;

	if (!memory_was_had() || !(acct = malloc(sizeof(*acct))))
		return NULL;
	pthread_mutex_init(&acct->lock, NULL);
	acct->balance = initial;
	return acct;
}

void account_free(account_t *acct)
{
	if (acct)
		pthread_mutex_destroy(&acct->lock);
	free(acct);
}

void account_deposit(account_t *acct, long amount)
{
	pthread_mutex_lock(&acct->lock);
	acct->balance += amount;
	pthread_mutex_unlock(&acct->lock);
}

bool account_withdraw(account_t *acct, long amount)
{
	bool ok;

	pthread_mutex_lock(&acct->lock);
	ok = acct->balance >= amount;
	if (ok)
		acct->balance -= amount;
	pthread_mutex_unlock(&acct->lock);
	return ok;
}

long account_balance(account_t *acct)
{
	long b;

	pthread_mutex_lock(&acct->lock);
	b = acct->balance;
	pthread_mutex_unlock(&acct->lock);
	return b;
}
