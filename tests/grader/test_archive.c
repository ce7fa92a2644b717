/* Unit tests of archive extraction: unsafe member names, links, the folder to grade. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"

static char dir[] = "/tmp/racecourse-archive-test.XXXXXX";

static void make_dir(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	remove_tree(dir);
}

/* Runs a shell command in dir (to make archives with the real tools). */
static void sh(const char *fmt, const char *arg)
{
	char *cmd = xstrfmt(fmt, arg), *full = xstrfmt("cd '%s' && %s", dir, cmd);

	cr_assert_eq(system(full), 0, "%s", full);
	free(cmd);
	free(full);
}

static char *path(const char *name)
{
	return xstrfmt("%s/%s", dir, name);
}

TestSuite(archive, .init = make_dir, .fini = remove_dir);

Test(archive, unsafe_names)
{
	cr_assert(archive_unsafe_name("/etc/passwd"));
	cr_assert(archive_unsafe_name("../account.c"));
	cr_assert(archive_unsafe_name("a/../../b"));
	cr_assert(archive_unsafe_name("a\\..\\b"));
	cr_assert(archive_unsafe_name("\\windows"));
	cr_assert(archive_unsafe_name(".."));
	cr_assert_not(archive_unsafe_name("a/b/account.c"));
	cr_assert_not(archive_unsafe_name("..hidden/x.c"));
	cr_assert_not(archive_unsafe_name("a/.../b"));
	cr_assert_not(archive_unsafe_name("./a.c"));
}

static void refused(const char *archive, enum archive_kind kind, const char *reason)
{
	struct strbuf err = STRBUF_INIT;
	char *a = path(archive), *into = path("out");

	cr_assert_eq(archive_extract(a, kind, into, &err), -1, "%s was extracted", archive);
	cr_assert(strstr(sb_str(&err), reason), "%s", sb_str(&err));
	sb_release(&err);
	free(a);
	free(into);
}

Test(archive, a_member_outside_its_folder_is_refused)
{
	/* tar drops a leading ../ when it writes, unless told to put one */
	sh("echo x > a.c && tar -czf %s --transform 's,^,../,' a.c", "up.tgz");
	refused("up.tgz", ARCHIVE_TAR, "would be written outside its folder");
	sh("mkdir -p z/sub && echo x > z/a.c && cd z/sub && zip -q ../../%s ../a.c", "up.zip");
	refused("up.zip", ARCHIVE_ZIP, "would be written outside its folder");
}

Test(archive, links_are_refused)
{
	sh("ln -s /etc/passwd link.c && tar -czf %s link.c", "link.tgz");
	refused("link.tgz", ARCHIVE_TAR, "a member is a link or a special file");
	sh("zip -qy %s link.c", "link.zip");
	refused("link.zip", ARCHIVE_ZIP, "a member is a link or a special file");
}

Test(archive, broken_archives_say_so)
{
	sh("echo 'not a zip' > %s", "broken.zip");
	refused("broken.zip", ARCHIVE_ZIP, "broken.zip");
}

Test(archive, a_good_archive_extracts_and_the_lone_folder_is_graded)
{
	struct strbuf err = STRBUF_INIT;
	char *a = path("good.zip"), *into = path("x/alice"), *parent = path("x"), *rel, *file;

	sh("mkdir -p repo-main/03-race && echo 'int x;' > repo-main/03-race/account.c && "
	   "zip -qr %s repo-main", "good.zip");
	cr_assert_eq(archive_extract(a, ARCHIVE_ZIP, into, &err), 0, "%s", sb_str(&err));
	rel = archive_descend(parent, "alice");
	/* one folder, then one folder again: the stage folder itself */
	cr_assert_str_eq(rel, "alice/repo-main/03-race");
	file = xstrfmt("%s/%s/account.c", parent, rel);
	cr_assert(is_file(file));
	free(a);
	free(into);
	free(parent);
	free(rel);
	free(file);
}
