/* Unit tests of reading gdb's stacks of a stuck test, on a capture from a real run. */
#include <criterion/criterion.h>
#include <string.h>

#include "stacks.h"

/*
 * The fixture: two threads of test bank/opposite in dl.c, each holding one
 * of the globals a and b and waiting for the other (lines 5 and 6), and the
 * test's own thread waiting in pthread_join.
 */
static char *lines[] = {
	"#include <criterion/criterion.h>",
	"#include <pthread.h>",
	"static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;",
	"static pthread_barrier_t bar;",
	"static void *t1(void *p) { lock a; wait; lock b; }",
	"static void *t2(void *p) { lock b; wait; lock a; }",
	"Test(bank, opposite) { create t1, t2; join both; }",
};

static struct source student = {
	.name = "dl.c",
	.display = "starter/99-demo/dl.c",
	.staged = "dl.c",
	.lines = lines,
	.nlines = 7,
};

static char *explain(void)
{
	struct strbuf text = STRBUF_INIT;
	char *out;

	cr_assert_eq(read_file("fixtures/stacks.1234.txt", &text), 0);
	out = stacks_explain_text(sb_str(&text), &student, 1);
	sb_release(&text);
	return out;
}

Test(stacks, names_each_blocked_thread_its_lock_and_line)
{
	char *out = explain();

	cr_assert_not_null(out);
	cr_assert(strstr(out, "waits for a mutex (<b>) at starter/99-demo/dl.c:5 in t1()"), "%s", out);
	cr_assert(strstr(out, "waits for a mutex (<a>) at starter/99-demo/dl.c:6 in t2()"), "%s", out);
	cr_assert(strstr(out, "waits for a thread to end at starter/99-demo/dl.c:7"), "%s", out);
	cr_assert(strstr(out, ">     5 | static void *t1"), "the source line is shown: %s", out);
	/* Criterion's own threads and the capture itself are not the student's. */
	cr_assert_null(strstr(out, "nn_poller"), "%s", out);
	cr_assert_null(strstr(out, "capture_stacks"), "%s", out);
	free(out);
}

Test(stacks, finds_the_capture_of_the_test_by_its_function)
{
	char *out = stacks_explain("fixtures", "bank/opposite", &student, 1);

	cr_assert_not_null(out, "the capture has frame bank_opposite_impl");
	free(out);
	cr_assert_null(stacks_explain("fixtures", "bank/other", &student, 1));
	cr_assert_null(stacks_explain("no-such-dir", "bank/opposite", &student, 1));
}

Test(stacks, nothing_in_the_students_file_says_nothing)
{
	struct source other = student;
	struct strbuf text = STRBUF_INIT;

	other.staged = "/elsewhere/dl.c";
	cr_assert_eq(read_file("fixtures/stacks.1234.txt", &text), 0);
	cr_assert_null(stacks_explain_text(sb_str(&text), &other, 1));
	cr_assert_null(stacks_explain_text("", &student, 1));
	cr_assert_null(stacks_explain_text("garbage\n#\n#x (\nThread \n#1 0x in\n", &student, 1));
	sb_release(&text);
}
