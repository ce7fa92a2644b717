/* Helpers shared by the stage 01 tests: counting descriptors, a caller's buffered stdout. */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int *one_to(size_t n)
{
	int *v = malloc(n * sizeof(*v));

	if (!v)
		abort();
	for (size_t i = 0; i < n; i++)
		v[i] = (int)i + 1;
	return v;
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
