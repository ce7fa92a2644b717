/* Unit tests of reading the runner's captures of a stuck or crashed test. */
#include <criterion/criterion.h>
#include <string.h>

#include "stacks.h"

/*
 * The frames in the test binary are turned into lines by addr2line, which
 * tests/kit.sh checks on real captures (a deadlock, a crash); here, the
 * reading of the text itself, without a binary.
 */
static struct source student = {
	.name = "bank.c",
	.display = "starter/99-demo/bank.c",
	.staged = "/tmp/rc/bank.c",
};

static const char capture[] =
	"test bank/opposite\n"
	"thread 52\n"
	"/lib/x86_64-linux-gnu/libc.so.6(+0x85f14)[0x7f96f59e3f14]\n"
	"/lib/x86_64-linux-gnu/libc.so.6(pthread_join+0x13)[0x7f96f59e8ce3]\n"
	"boxfort-worker(+0x4916)[0x55687b698916]\n"
	"end\n"
	"thread 294\n"
	"waits 0x55689d0b6ad0\n"
	"/lib/x86_64-linux-gnu/libc.so.6(pthread_mutex_lock+0x112)[0x7f96f59ea482]\n"
	"boxfort-worker(__wrap_pthread_mutex_lock+0x1f)[0x55687b69ab16]\n"
	"boxfort-worker(+0x6ddd)[0x55687b69addd]\n"
	"end\n"
	"holder 0x55689d0b6ad0\n"
	"tid 297\n"
	"boxfort-worker(+0x6ddd)[0x55687b69addd]\n";

Test(stacks, another_tests_capture_says_nothing)
{
	cr_assert_null(stacks_explain_text(capture, NULL, "bank/same", &student, 1, NULL));
}

Test(stacks, no_frame_in_the_students_file_says_nothing)
{
	/* without a binary, no frame of it has a line: nothing is the student's */
	cr_assert_null(stacks_explain_text(capture, NULL, "bank/opposite", &student, 1, NULL));
	cr_assert_null(stacks_explain_text(capture, NULL, NULL, &student, 1, NULL));
}

Test(stacks, garbage_and_cut_short)
{
	static const char *const junk[] = {
		"", "\n", "thread\n", "thread x\nwaits\nend\n", "holder\ntid\n(\n",
		"thread 1\n((((\n)[\n(+0x)[0x]\n", "thread 1\nboxfort-worker(+0x12",
		"crash 11\ncrash 11\nthread -5\nend\nend\n", "test \ntest a/b\n",
	};

	for (size_t i = 0; i < sizeof(junk) / sizeof(*junk); i++)
		cr_assert_null(stacks_explain_text(junk[i], NULL, NULL, &student, 1, NULL), "%s", junk[i]);
	cr_assert_null(stacks_explain("fixtures/no-such-folder", "/nonexistent", "a/b", &student, 1, NULL));
}

/* More threads and frames than a capture may hold: read up to the bounds, no more. */
Test(stacks, runaway_capture)
{
	struct strbuf sb = STRBUF_INIT;

	for (int t = 0; t < 200; t++) {
		sb_addf(&sb, "thread %d\nwaits 0x10\n", t + 1);
		for (int f = 0; f < 200; f++)
			sb_adds(&sb, "boxfort-worker(+0x1000)[0x5000]\n");
		sb_adds(&sb, "end\nholder 0x10\ntid 1\nboxfort-worker(+0x1000)[0x5000]\n");
	}
	cr_assert_null(stacks_explain_text(sb_str(&sb), NULL, NULL, &student, 1, NULL));
	sb_release(&sb);
}
