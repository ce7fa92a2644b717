/* Unit tests of staging a folder submission: only regular files, never through a link. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "submission.h"

static char dir[] = "/tmp/racecourse-submission-test.XXXXXX";

static void make_dir(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	remove_tree(dir);
}

TestSuite(submission, .init = make_dir, .fini = remove_dir);

/* Stages SUB (below dir) for a stage whose student file is account.c; returns the reason refused, or "". */
static char *stage_it(const char *sub)
{
	char *files[] = { "account.c" };
	struct stage st = { .name = "03-race", .student_files = files, .nstudent_files = 1 };
	char *subdir = xstrfmt("%s/%s", dir, sub), *out = xstrfmt("%s/staged", dir);
	struct strbuf err = STRBUF_INIT;
	struct source *srcs;
	size_t n;
	int rc = submission_stage(&st, subdir, "sub", out, &srcs, &n, &err);

	cr_assert_eq(rc, err.len ? -1 : 0, "rc %d with \"%s\"", rc, sb_str(&err));
	sources_free(srcs, n);
	free(subdir);
	free(out);
	return sb_detach(&err);
}

static void put(const char *rel, const char *text)
{
	char *path = xstrfmt("%s/%s", dir, rel);

	cr_assert_eq(mkdir_p(dir), 0);
	cr_assert_eq(write_file(path, text, strlen(text)), 0);
	free(path);
}

static void assert_refused(const char *sub, const char *reason)
{
	char *why = stage_it(sub);

	cr_assert(strstr(why, reason), "wanted \"%s\", got \"%s\"", reason, why);
	free(why);
}

Test(submission, stages_a_regular_file)
{
	char *why;

	cr_assert_eq(mkdir(xstrfmt("%s/sub", dir), 0755), 0);
	put("sub/account.c", "int x;\n");
	why = stage_it("sub");
	cr_assert_str_empty(why);
	free(why);
}

Test(submission, refuses_a_symbolic_link)
{
	char *link = xstrfmt("%s/sub/account.c", dir);

	cr_assert_eq(mkdir(xstrfmt("%s/sub", dir), 0755), 0);
	put("secret.c", "int secret;\n");
	cr_assert_eq(symlink("../secret.c", link), 0);
	assert_refused("sub", "sub/account.c is a symbolic link: submit the file itself");
	free(link);
}

Test(submission, refuses_a_link_to_a_folder_of_the_kit)
{
	char *link = xstrfmt("%s/sub/03-race", dir);

	cr_assert_eq(mkdir(xstrfmt("%s/sub", dir), 0755), 0);
	cr_assert_eq(mkdir(xstrfmt("%s/solutions", dir), 0755), 0);
	put("solutions/account.c", "int solved;\n");
	cr_assert_eq(symlink("../solutions", link), 0);
	assert_refused("sub", "account.c not found");
	free(link);
}

Test(submission, refuses_a_fifo)
{
	char *fifo = xstrfmt("%s/sub/account.c", dir);

	cr_assert_eq(mkdir(xstrfmt("%s/sub", dir), 0755), 0);
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	/* O_NONBLOCK: a FIFO nobody writes must not hang the grader */
	assert_refused("sub", "sub/account.c is not a regular file");
	free(fifo);
}

Test(submission, refuses_a_hard_link_to_a_file_of_another_owner)
{
	char *sub = xstrfmt("%s/sub", dir), *target = xstrfmt("%s/root-only.c", dir);
	char *hard = xstrfmt("%s/sub/account.c", dir);

	if (geteuid() != 0)
		cr_skip_test("needs root: the folder and the file must have different owners");
	cr_assert_eq(mkdir(sub, 0755), 0);
	put("root-only.c", "int root_only;\n");
	cr_assert_eq(chmod(target, 0600), 0);
	cr_assert_eq(link(target, hard), 0);
	cr_assert_eq(chown(sub, 65534, 65534), 0);
	assert_refused("sub", "is a hard link to a file its folder's owner does not own");
	free(sub);
	free(target);
	free(hard);
}
