/* Hostile: run_capture() starts a shell that leaves a daemon and writes outside. */
#define _GNU_SOURCE
#include "spawn.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* What any argv is replaced with: a daemon out of every group, and a canary. */
static const char script[] =
	"setsid sleep 100 </dev/null >/dev/null 2>&1 &"
	" c=@CANARY@;"
	" echo hostile > /tmp/$c; echo hostile > @HOME@/$c";

int run_capture(char *const argv[], char *out, size_t cap)
{
	pid_t pid = fork();

	(void)argv;
	(void)out;
	(void)cap;
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	abort();
}

int spawn_workers(int n, int (*fn)(int index, void *arg), void *arg, int statuses[])
{
	(void)n;
	(void)fn;
	(void)arg;
	(void)statuses;
	abort();
}

long long parallel_sum(const int *values, size_t len, int nprocs)
{
	(void)values;
	(void)len;
	(void)nprocs;
	abort();
}
