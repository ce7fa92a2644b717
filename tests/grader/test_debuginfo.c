/* Unit tests of the lean copy of libc's debug information. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "child.h"
#include "debuginfo.h"

static char dir[] = "/tmp/racecourse-debuginfo-test.XXXXXX";

static void make_dir(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	remove_tree(dir);
}

/* readelf -S -W's section table of path. */
static char *sections(const char *path)
{
	const char *argv[] = { "readelf", "-S", "-W", path, NULL };
	struct child c = CHILD_INIT;
	char *out;

	strvec_pushv(&c.args, argv);
	c.timeout = 60;
	cr_assert_eq(child_run(&c), 0);
	out = sb_detach(&c.out);
	child_release(&c);
	return out;
}

TestSuite(debuginfo, .init = make_dir, .fini = remove_dir);

Test(debuginfo, finds_the_build_id_of_the_loaded_libc)
{
	char *id = debuginfo_libc_build_id();

	cr_assert_not_null(id);
	cr_assert_geq(strlen(id), 32, "%s", id);
	cr_assert_eq(strspn(id, "0123456789abcdef"), strlen(id), "%s", id);
	free(id);
}

Test(debuginfo, keeps_the_symbols_and_drops_the_dwarf)
{
	char *lean, *full = debuginfo_lean_libc(dir, &lean), *before, *after;

	/* valgrind's Debian package depends on libc6-dbg */
	cr_assert_not_null(full, "no debug file for libc under /usr/lib/debug");
	cr_assert_not_null(lean);
	cr_assert_eq(strncmp(lean, dir, strlen(dir)), 0, "%s", lean);
	before = sections(full);
	after = sections(lean);
	cr_assert(strstr(before, ".debug_info"), "%s", before);
	cr_assert(strstr(before, ".symtab"));
	cr_assert_null(strstr(after, ".debug_info"), "%s", after);
	cr_assert_null(strstr(after, ".debug_line"));
	cr_assert(strstr(after, ".symtab"), "%s", after);
	free(before);
	free(after);
	free(full);
	free(lean);
}

Test(debuginfo, makes_the_copy_once)
{
	char *lean, *full = debuginfo_lean_libc(dir, &lean), *again, *full_again;
	struct stat first, second;

	cr_assert_not_null(full);
	cr_assert_eq(stat(lean, &first), 0);
	full_again = debuginfo_lean_libc(dir, &again);
	cr_assert_str_eq(again, lean);
	cr_assert_eq(stat(again, &second), 0);
	cr_assert_eq(first.st_ino, second.st_ino);
	cr_assert_eq(first.st_mtim.tv_nsec, second.st_mtim.tv_nsec);
	free(full);
	free(full_again);
	free(lean);
	free(again);
}

Test(debuginfo, gives_none_where_it_cannot_write)
{
	char *lean = (char *)"unset", *full = debuginfo_lean_libc("/proc/racecourse-no-such", &lean);

	cr_assert_null(full);
	cr_assert_null(lean);
}
