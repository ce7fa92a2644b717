/* Unit tests of the grader's helpers that meet what a submission left behind. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static char root[] = "/tmp/racecourse-util-test.XXXXXX";

static void make_root(void)
{
	cr_assert(mkdtemp(root), "mkdtemp");
}

static void put(const char *rel, const char *text)
{
	char *path = xstrfmt("%s/%s", root, rel);

	cr_assert_eq(write_file(path, text, strlen(text)), 0, "cannot write %s", path);
	free(path);
}

static void sub(const char *rel, mode_t mode)
{
	char *path = xstrfmt("%s/%s", root, rel);

	cr_assert_eq(mkdir(path, mode), 0, "cannot make %s", path);
	free(path);
}

static void clean_root(void)
{
	char *keep = xstrfmt("%s/kept", root), *precious = xstrfmt("%s/kept/precious", root);

	unlink(precious);
	rmdir(keep);
	rmdir(root);
	free(precious);
	free(keep);
}

Test(remove_tree, never_follows_a_link_out, .init = make_root, .fini = clean_root)
{
	char *scratch = xstrfmt("%s/scratch", root), *link_to, *at;
	struct stat st;

	sub("kept", 0755);
	put("kept/precious", "not the submission's");
	sub("scratch", 0755);
	sub("scratch/locked", 0755);
	put("scratch/locked/file", "x");
	/* Links to a directory and to a file outside: removed, not followed. */
	link_to = xstrfmt("%s/kept", root);
	at = xstrfmt("%s/to-dir", scratch);
	cr_assert_eq(symlink(link_to, at), 0);
	free(at);
	at = xstrfmt("%s/locked/to-file", scratch);
	free(link_to);
	link_to = xstrfmt("%s/kept/precious", root);
	cr_assert_eq(symlink(link_to, at), 0);
	free(at);
	free(link_to);
	at = xstrfmt("%s/locked", scratch);
	cr_assert_eq(chmod(at, 0500), 0);	/* a folder left read-only */
	free(at);

	cr_assert_eq(remove_tree(scratch), 0);
	cr_assert_neq(lstat(scratch, &st), 0, "the tree is still there");
	at = xstrfmt("%s/kept/precious", root);
	cr_assert_eq(stat(at, &st), 0, "a file a link pointed to was removed");
	free(at);
	free(scratch);
}

Test(remove_tree, what_is_not_there_is_removed)
{
	cr_assert_eq(remove_tree("/tmp/racecourse-util-test-no-such-folder"), 0);
}

Test(is_text, nul_and_control_bytes_are_not_text)
{
	cr_assert(is_text("int x;\n\tint y;\r\n", 16), "source text with tabs and CRLF");
	cr_assert(!is_text("int x;\0\0binary\n", 15), "a NUL byte passed as white space");
	cr_assert(!is_text("int x;\001\n", 8), "a control character passed");
}
