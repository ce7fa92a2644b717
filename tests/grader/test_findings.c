/* Unit tests of findings: filtering to the student's file, merging, naming. */
#include <criterion/criterion.h>
#include <string.h>

#include "findings.h"

/* The fixtures were recorded with the student's file at this path. */
static struct source student = {
	.name = "account.c",
	.display = "starter/99-demo/account.c",
	.staged = "/tmp/rcfix/src/account.c",
};

static void load(struct vg_report *r, const char *path)
{
	struct strbuf err = STRBUF_INIT;

	cr_assert_eq(vgxml_parse_file(r, path, &err), 0, "%s", sb_str(&err));
	sb_release(&err);
}

static const struct finding *find(const struct findings *f, enum finding_kind kind, int line)
{
	for (size_t i = 0; i < f->n; i++)
		for (size_t j = 0; j < f->v[i].nsites; j++)
			if (f->v[i].kind == kind && f->v[i].sites[j].line == line)
				return &f->v[i];
	return NULL;
}

Test(findings, races_merge_per_line_and_name_the_variable)
{
	struct vg_report r = { 0 };
	struct findings f = { 0 };
	const struct finding *bal, *cnt;

	load(&r, "fixtures/helgrind.xml");
	findings_add_report(&f, &r, TOOL_HELGRIND, &student, 1, NULL);
	/* read and write races at each of two lines, plus one lock-order cycle */
	cr_assert_eq(f.n, 3, "expected 3 findings, got %zu", f.n);
	bal = find(&f, FINDING_RACE, 15);
	cnt = find(&f, FINDING_RACE, 16);
	cr_assert_not_null(bal, "no race at account.c:15");
	cr_assert_not_null(cnt, "no race at account.c:16");
	cr_assert_eq(bal->occurrences, 2, "the read and the write of balance += amount");
	cr_assert_str_eq(cnt->variable, "counter");
	cr_assert(strstr(bal->variable, "allocated at starter/99-demo/account.c:10"),
		  "variable: %s", bal->variable);
	cr_assert_str_eq(bal->sites[0].file, "starter/99-demo/account.c");
	cr_assert(bal->sites[0].student);
	cr_assert_null(strstr(bal->sites[0].label, "0x"), "an address left in: %s", bal->sites[0].label);
	cr_assert(strstr(bal->sites[0].label, "by thread #"), "label: %s", bal->sites[0].label);
	cr_assert_not_null(bal->sites[0].thread_origin, "where the thread was created");
	vg_report_release(&r);
	findings_release(&f);
}

Test(findings, lock_order_names_both_orders)
{
	struct vg_report r = { 0 };
	struct findings f = { 0 };
	const struct finding *lo;

	load(&r, "fixtures/helgrind.xml");
	findings_add_report(&f, &r, TOOL_HELGRIND, &student, 1, NULL);
	lo = find(&f, FINDING_LOCK_ORDER, 30);
	cr_assert_not_null(lo, "no lock-order finding at lock_ba's second lock");
	cr_assert_not_null(find(&f, FINDING_LOCK_ORDER, 22), "the order established in lock_ab");
	cr_assert_str_eq(finding_kind_tag(lo->kind), "lock-order");
	cr_assert_eq(lo->nsites, 3, "the opposite order, then the order established");
	cr_assert(strstr(lo->sites[0].label, "while holding lock B"), "%s", lo->sites[0].label);
	cr_assert(strstr(lo->sites[1].label, "lock A"), "%s", lo->sites[1].label);
	cr_assert(strstr(lo->sites[2].label, "then lock B"), "%s", lo->sites[2].label);
	cr_assert_eq(lo->sites[0].line, 30);
	cr_assert_eq(lo->sites[1].line, 21);
	cr_assert_eq(lo->sites[2].line, 22);
	vg_report_release(&r);
	findings_release(&f);
}

Test(findings, drd_merges_into_helgrind)
{
	struct vg_report h = { 0 }, d = { 0 };
	struct findings f = { 0 };
	size_t before;

	load(&h, "fixtures/helgrind.xml");
	load(&d, "fixtures/drd.xml");
	findings_add_report(&f, &h, TOOL_HELGRIND, &student, 1, NULL);
	before = f.n;
	findings_add_report(&f, &d, TOOL_DRD, &student, 1, NULL);
	cr_assert_eq(f.n, before, "DRD's races are the same ones: %zu findings became %zu", before, f.n);
	cr_assert_eq(find(&f, FINDING_RACE, 16)->tools, TOOL_HELGRIND | TOOL_DRD);
	/* DRD put the race on balance in the kit's caller: Helgrind alone found it. */
	cr_assert_eq(find(&f, FINDING_RACE, 15)->tools, TOOL_HELGRIND);
	vg_report_release(&h);
	vg_report_release(&d);
	findings_release(&f);
}

Test(findings, errors_outside_the_students_file_do_not_count)
{
	struct source other = student;
	struct vg_report r = { 0 };
	struct findings f = { 0 };

	other.staged = "/elsewhere/account.c";
	load(&r, "fixtures/helgrind.xml");
	findings_add_report(&f, &r, TOOL_HELGRIND, &other, 1, NULL);
	cr_assert_eq(f.n, 0, "kit or library errors counted against the student: %zu", f.n);
	vg_report_release(&r);
	findings_release(&f);
}

/*
 * Real reports of each pthread misuse in fixtures/misuse.c (recorded from
 * /tmp/rcfix/src/misuse.c): every one is a misuse finding at the student's
 * line, from Helgrind and from DRD alike.
 */
static const struct source misuse_src = {
	.name = "misuse.c",
	.display = "misuse.c",
	.staged = "/tmp/rcfix/src/misuse.c",
};

static void expect_misuse_lines(const char *fixture, unsigned tool, const int *lines, size_t n)
{
	struct vg_report r = { 0 };
	struct findings f = { 0 };

	load(&r, fixture);
	findings_add_report(&f, &r, tool, &misuse_src, 1, NULL);
	for (size_t i = 0; i < n; i++) {
		const struct finding *m = find(&f, FINDING_MISUSE, lines[i]);

		cr_assert_not_null(m, "%s: no misuse finding at misuse.c:%d", fixture, lines[i]);
		cr_assert(m->sites[0].student, "%s: line %d not the student's", fixture, lines[i]);
		cr_assert_null(strstr(m->headline, "0x"), "an address left in: %s", m->headline);
		cr_assert_null(strstr(m->headline, "at address"), "words left in: %s", m->headline);
	}
	for (size_t i = 0; i < f.n; i++)
		cr_assert_eq(f.v[i].kind, FINDING_MISUSE, "%s: finding %zu is a %s", fixture, i,
			     finding_kind_name(f.v[i].kind));
	vg_report_release(&r);
	findings_release(&f);
}

Test(findings, helgrind_misuse_is_found_at_the_students_line)
{
	/* unlock of an unlocked mutex, of another thread's, destroy locked, wait unheld */
	static const int lines[] = { 10, 26, 35, 44 };

	expect_misuse_lines("fixtures/helgrind-misuse.xml", TOOL_HELGRIND, lines,
			    sizeof(lines) / sizeof(*lines));
}

Test(findings, drd_misuse_is_found_at_the_students_line)
{
	static const int lines[] = { 10, 26, 35, 44 };

	expect_misuse_lines("fixtures/drd-misuse.xml", TOOL_DRD, lines,
			    sizeof(lines) / sizeof(*lines));
}

/*
 * A thread that returns holding its mutex: DRD reports it at the kit's join;
 * the finding is at the student's lock (fixtures/leak.c), where DRD first saw
 * the mutex.  Helgrind's report of it has no line of anyone's.
 */
Test(findings, drd_thread_exit_holding_a_lock_is_at_the_students_lock)
{
	static const struct source leak = {
		.name = "leak.c", .display = "leak.c", .staged = "/tmp/rcfix/src/leak.c",
	};
	struct vg_report r = { 0 };
	struct findings f = { 0 };
	const struct finding *m;

	load(&r, "fixtures/drd-exit-locked.xml");
	findings_add_report(&f, &r, TOOL_DRD, &leak, 1, NULL);
	cr_assert_eq(f.n, 1, "expected 1 finding, got %zu", f.n);
	m = find(&f, FINDING_MISUSE, 9);
	cr_assert_not_null(m, "no misuse finding at leak.c:9");
	cr_assert(strstr(m->headline, "still locked at thread exit"), "%s", m->headline);
	cr_assert_null(strstr(m->headline, "recursion count"), "DRD's noise left in: %s", m->headline);
	vg_report_release(&r);
	findings_release(&f);
}
