/* Unit tests of reading the locks held from Helgrind's text log, on one captured from a real run. */
#include <criterion/criterion.h>
#include <string.h>

#include "hglocks.h"

static struct hg_locks locks;

static void load(void)
{
	struct strbuf log = STRBUF_INIT;

	cr_assert_eq(read_file("fixtures/helgrind-text.log", &log), 0);
	hglocks_parse(&locks, log.buf);
	sb_release(&log);
}

static void unload(void)
{
	hglocks_release(&locks);
}

/* The access of that kind with a frame at that line: it must be there. */
static const struct hg_access *access_at(const char *kind, const char *place)
{
	for (size_t i = 0; i < locks.n; i++)
		if (!strcmp(locks.v[i].kind, kind) && strstr(locks.v[i].frames, place))
			return &locks.v[i];
	cr_assert_fail("no %s at %s", kind, place);
	return NULL;
}

Test(hglocks, each_access_with_the_locks_its_thread_held, .init = load, .fini = unload)
{
	/* Two races, each reported for the read and the write of ++: eight accesses. */
	cr_assert_eq(locks.n, 8);
	cr_assert_str_eq(access_at("read", "r2.c:32\n")->locks, "none");
	/* A lock that is a variable goes by its name. */
	cr_assert_str_eq(access_at("write", "r2.c:18\n")->locks, "m");
	/* One on the heap goes by where it was first used. */
	cr_assert_str_eq(access_at("write", "r2.c:22\n")->locks,
			 "m, the lock first used at r2.c:42");
}

Test(hglocks, sites_get_the_locks_of_their_line, .init = load, .fini = unload)
{
	struct site sites[2] = {
		{ .label = "read of size 8 by thread #3", .file = "/home/s/r2.c", .line = 33 },
		{ .label = "a previous write of size 8 by thread #2", .file = "/home/s/r2.c", .line = 22 },
	};
	struct finding f = { .kind = FINDING_RACE, .sites = sites, .nsites = 2,
			     .tools = TOOL_HELGRIND };
	struct findings all = { .v = &f, .n = 1 };

	hglocks_apply(&locks, &all);
	cr_assert_str_eq(sites[0].locks, "none");
	cr_assert_str_eq(sites[1].locks, "m, the lock first used at r2.c:42");
	free(sites[0].locks);
	free(sites[1].locks);
}

Test(hglocks, a_line_the_log_does_not_have_stays_unknown, .init = load, .fini = unload)
{
	struct site site = { .label = "read of size 8 by thread #3", .file = "r2.c", .line = 3 };
	struct finding f = { .kind = FINDING_RACE, .sites = &site, .nsites = 1,
			     .tools = TOOL_HELGRIND };
	struct findings all = { .v = &f, .n = 1 };

	hglocks_apply(&locks, &all);
	cr_assert_null(site.locks);
}

Test(hglocks, nothing_from_what_is_not_a_log)
{
	struct hg_locks none;

	hglocks_parse(&none, "Locks held: none\n   at 0x1: f (a.c:1)\nrandom text\n");
	cr_assert_eq(none.n, 0);
	hglocks_release(&none);
	hglocks_parse(&none, NULL);
	cr_assert_eq(none.n, 0);
	hglocks_release(&none);
}
