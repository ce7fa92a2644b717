/* Helpers shared by the stage 01 tests: fork fault injection, counting descriptors and children. */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

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

int open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!dir)
		abort();
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n - 1;	/* the directory's own descriptor */
}

const char *children_left(void)
{
	int status;
	pid_t pid = waitpid(-1, &status, WNOHANG);

	if (pid < 0 && errno == ECHILD)
		return "none";
	if (pid > 0)
		return "a zombie";
	return "a running child";
}

FILE *buffered_stream(const char *text)
{
	FILE *f = tmpfile();

	if (!f)
		abort();
	/* Fully buffered (a file's default, made explicit): text stays in memory. */
	setvbuf(f, NULL, _IOFBF, BUFSIZ);
	fputs(text, f);
	return f;
}

int times_written(FILE *f, const char *text)
{
	char buf[4096];
	size_t len;
	int n = 0;

	fflush(f);
	rewind(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[len] = '\0';
	fclose(f);
	for (char *p = buf; (p = strstr(p, text)); p += strlen(text))
		n++;
	return n;
}
