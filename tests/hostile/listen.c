/*
 * listen: a TCP listener on 127.0.0.1 that writes down whoever connects.
 *
 *   listen LOG    prints "PORT PID" and returns, leaving a listener (PID)
 *                 that appends a line to LOG for every connection, until it
 *                 gets SIGTERM (or, at the latest, after 30 minutes).
 *
 * tests/hostile.sh gives the port to the hostile submissions, which try to
 * connect: LOG must stay empty.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void serve(int fd, const char *log)
{
	alarm(30 * 60);
	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		char got[64] = "";
		int c = accept(fd, (struct sockaddr *)&from, &len), out;
		ssize_t n;

		if (c < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		n = read(c, got, sizeof(got) - 1);
		got[n > 0 ? n : 0] = '\0';
		got[strcspn(got, "\r\n")] = '\0';
		out = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644);
		if (out >= 0) {
			dprintf(out, "a connection from port %d: %s\n", ntohs(from.sin_port), got);
			close(out);
		}
		close(c);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in at;
	socklen_t len = sizeof(at);
	int fd;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: listen LOG\n");
		return 2;
	}
	memset(&at, 0, sizeof(at));
	at.sin_family = AF_INET;
	at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&at, sizeof(at)) || listen(fd, 64) ||
	    getsockname(fd, (struct sockaddr *)&at, &len)) {
		fprintf(stderr, "listen: cannot listen on 127.0.0.1: %s\n", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "listen: cannot fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		/* Let the caller's $(...) end: none of its pipes stay open here. */
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		serve(fd, argv[1]);
	}
	printf("%d %d\n", ntohs(at.sin_port), (int)pid);
	return 0;
}
