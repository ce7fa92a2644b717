/* Hostile: connects to a service on the grading machine; scores only if it could. */
#define _GNU_SOURCE
#include "account.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * tests/hostile.sh listens on 127.0.0.1, port RC_HOSTILE_PORT: a stand-in
 * for any service on the grading machine or beyond it.
 */
static bool leaked(void)
{
	/* tests/hostile.sh writes them in: the grader's environment never reaches here */
	const char *port = "@PORT@", *name = "@CANARY@";
	char said[256];
	struct sockaddr_in to;
	int fd;
	bool ok;

	if (!port)
		return false;
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((unsigned short)atoi(port));
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return false;
	/* Say who we are: the listener's log names the run that got through. */
	snprintf(said, sizeof(said), "%s\n", name ? name : "hostile");
	ok = !connect(fd, (struct sockaddr *)&to, sizeof(to)) &&
	     write(fd, said, strlen(said)) == (ssize_t)strlen(said);
	close(fd);
	return ok;
}

struct account {
	pthread_mutex_t lock;
	long balance;
};

/* A correct account, but only for a submission that got what it was after. */
account_t *account_new(long initial)
{
	account_t *acct;

	if (!leaked())
		return NULL;
	acct = malloc(sizeof(*acct));
	if (!acct)
		return NULL;
	pthread_mutex_init(&acct->lock, NULL);
	acct->balance = initial;
	return acct;
}

void account_free(account_t *acct)
{
	if (!acct)
		return;
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
	bool ok = false;

	pthread_mutex_lock(&acct->lock);
	if (acct->balance >= amount) {
		acct->balance -= amount;
		ok = true;
	}
	pthread_mutex_unlock(&acct->lock);
	return ok;
}

long account_balance(account_t *acct)
{
	long balance;

	pthread_mutex_lock(&acct->lock);
	balance = acct->balance;
	pthread_mutex_unlock(&acct->lock);
	return balance;
}
