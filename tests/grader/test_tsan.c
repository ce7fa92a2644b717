/* Unit tests of tsan: ThreadSanitizer's report text read into findings. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "tsan.h"

/* The fixtures were recorded with the student's file and the kit at these paths. */
#define STAGED "/tmp/rcfix-tsan/src/"
#define HELPERS "/work/main/tests/lib"

static struct source account = {
	.name = "account.c",
	.display = "starter/03-race/account.c",
	.staged = STAGED "account.c",
};

static void load(struct strbuf *sb, const char *name)
{
	char *path = xstrfmt("fixtures/%s", name);

	cr_assert_eq(read_file(path, sb), 0, "cannot read %s", path);
	free(path);
}

/* Adds a fixture's findings for one student file. */
static void add(struct findings *f, const char *fixture, const struct source *src,
		const char *helper_dir)
{
	struct strbuf sb = STRBUF_INIT;

	load(&sb, fixture);
	tsan_add_report(f, sb.buf, sb.len, src, 1, helper_dir);
	sb_release(&sb);
}

static const struct finding *find(const struct findings *f, enum finding_kind kind, int line)
{
	for (size_t i = 0; i < f->n; i++)
		for (size_t j = 0; j < f->v[i].nsites; j++)
			if (f->v[i].kind == kind && f->v[i].sites[j].line == line &&
			    f->v[i].sites[j].student)
				return &f->v[i];
	return NULL;
}

/* Every student site's line is one of lines[]: nothing half-read. */
static void assert_lines_in(const struct findings *f, const int *lines, size_t n, const char *what)
{
	for (size_t i = 0; i < f->n; i++) {
		for (size_t j = 0; j < f->v[i].nsites; j++) {
			const struct site *s = &f->v[i].sites[j];
			bool known = false;

			for (size_t k = 0; k < n; k++)
				known |= s->student && s->line == lines[k];
			cr_assert(known || !s->student, "%s: a site at line %d", what, s->line);
		}
	}
}

static char *replace_all(const char *text, const char *from, const char *to)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	while ((p = strstr(text, from))) {
		sb_add(&sb, text, (size_t)(p - text));
		sb_adds(&sb, to);
		text = p + strlen(from);
	}
	sb_adds(&sb, text);
	return sb_detach(&sb);
}

Test(tsan, races_read_like_helgrinds)
{
	struct findings f = { 0 };
	const struct finding *r;

	add(&f, "tsan-race.txt", &account, HELPERS);
	/* 32/27, then 27/34 and 32/27 again: one finding by the first student line */
	cr_assert_eq(f.n, 1, "expected 1 finding, got %zu", f.n);
	r = find(&f, FINDING_RACE, 32);
	cr_assert_not_null(r, "no race at account.c:32");
	cr_assert_eq(r->occurrences, 3);
	cr_assert_eq(r->tools, TOOL_TSAN);
	cr_assert_str_eq(r->headline, "read of size 8 by thread T2");
	cr_assert_str_eq(r->variable, "memory allocated at starter/03-race/account.c:12");
	cr_assert_eq(r->nsites, 2);
	cr_assert_str_eq(r->sites[0].label, "read of size 8 by thread T2");
	cr_assert_str_eq(r->sites[0].file, "starter/03-race/account.c");
	cr_assert_str_eq(r->sites[0].function, "account_withdraw");
	cr_assert(r->sites[0].student);
	cr_assert_eq(r->sites[0].thread, 2);
	cr_assert_str_eq(r->sites[0].thread_origin, "scenarios.c:67 (shared_account)");
	cr_assert_str_eq(r->sites[1].label, "a previous write of size 8 by thread T1");
	cr_assert_eq(r->sites[1].line, 27);
	cr_assert_eq(r->sites[1].thread, 1);
	findings_release(&f);
}

Test(tsan, thread_origin_without_helper_dir_names_the_helper)
{
	struct findings f = { 0 };

	add(&f, "tsan-race.txt", &account, NULL);
	cr_assert_eq(f.n, 1);
	cr_assert_str_eq(f.v[0].sites[0].thread_origin, "scenario_main.c:18 (scenario_threads)");
	findings_release(&f);
}

Test(tsan, lock_order_names_both_orders)
{
	struct source bank = { .name = "bank.c", .display = "starter/04-deadlock/bank.c",
			       .staged = STAGED "bank.c" };
	struct findings f = { 0 };
	const struct finding *lo;

	add(&f, "tsan-lock-order.txt", &bank, HELPERS);
	cr_assert_eq(f.n, 1, "expected 1 finding, got %zu", f.n);
	lo = &f.v[0];
	cr_assert_eq(lo->kind, FINDING_LOCK_ORDER);
	cr_assert_str_eq(lo->headline, "two locks were taken in both orders");
	cr_assert_null(lo->variable);
	cr_assert_eq(lo->nsites, 3, "the opposite order, then the order established");
	cr_assert_str_eq(lo->sites[0].label,
			 "thread T2 took lock A here while holding lock B: the opposite order");
	cr_assert_eq(lo->sites[0].line, 63);
	cr_assert_eq(lo->sites[0].thread, 2);
	cr_assert_str_eq(lo->sites[0].thread_origin, "scenarios.c:41 (transfer_both_ways)");
	cr_assert_str_eq(lo->sites[1].label, "first, one thread took lock A here");
	cr_assert_eq(lo->sites[1].line, 62);
	cr_assert_str_eq(lo->sites[2].label, "then lock B here, while holding A");
	cr_assert_eq(lo->sites[2].line, 63);
	cr_assert_str_eq(lo->sites[2].function, "bank_transfer");
	findings_release(&f);
}

Test(tsan, main_thread_stack_and_threads_the_student_created)
{
	struct source counter = { .name = "counter.c", .display = "starter/02-counter/counter.c",
				  .staged = STAGED "counter.c" };
	struct findings f = { 0 };
	const struct finding *i, *partial;

	add(&f, "tsan-address-of-i.txt", &counter, HELPERS);
	cr_assert_eq(f.n, 2, "expected 2 findings, got %zu", f.n);
	i = find(&f, FINDING_RACE, 64);
	cr_assert_not_null(i, "no race on i at counter.c:64");
	/* on the main thread's stack: no name, as with Helgrind ('<null>' is no name) */
	cr_assert_null(i->variable, "variable: %s", i->variable);
	cr_assert_str_eq(i->sites[0].label, "write of size 4 by the main thread");
	cr_assert_eq(i->sites[0].thread, 0);
	cr_assert_null(i->sites[0].thread_origin);
	cr_assert_eq(i->sites[1].line, 43);
	cr_assert_str_eq(i->sites[1].thread_origin, "starter/02-counter/counter.c:33");
	partial = find(&f, FINDING_RACE, 51);
	cr_assert_not_null(partial);
	cr_assert_str_eq(partial->variable, "partial");
	cr_assert_str_eq(partial->sites[1].label, "a previous write of size 8 by the main thread");
	findings_release(&f);
}

Test(tsan, global_variable_is_named)
{
	struct source counter = { .name = "counter.c", .display = "counter.c",
				  .staged = STAGED "counter.c" };
	struct findings f = { 0 };

	add(&f, "tsan-global.txt", &counter, HELPERS);
	cr_assert_eq(f.n, 1);
	cr_assert_str_eq(f.v[0].variable, "total");
	cr_assert_eq(f.v[0].sites[0].line, 62);
	cr_assert_eq(f.v[0].sites[1].line, 62);
	findings_release(&f);
}

Test(tsan, mutex_misuse)
{
	struct findings f = { 0 };
	const struct finding *m;

	add(&f, "tsan-misuse.txt", &account, HELPERS);
	cr_assert_eq(f.n, 1, "two unlocks at one line are one finding, got %zu", f.n);
	m = find(&f, FINDING_MISUSE, 58);
	cr_assert_not_null(m);
	cr_assert_eq(m->occurrences, 2);
	cr_assert_eq(m->nsites, 1, "the unlock, not where the mutex was made");
	cr_assert_str_eq(m->headline, "unlock of an unlocked mutex (or by a wrong thread)");
	cr_assert_str_eq(m->sites[0].label, m->headline);
	cr_assert_str_eq(m->variable, "memory allocated at starter/03-race/account.c:19");
	findings_release(&f);
}

Test(tsan, other_warnings)
{
	struct source other = { .name = "other.c", .display = "other.c", .staged = STAGED "other.c" };
	struct findings f = { 0 };
	const struct finding *uaf, *destroy;

	add(&f, "tsan-other.txt", &other, NULL);
	cr_assert_eq(f.n, 2, "expected 2 findings, got %zu", f.n);
	uaf = find(&f, FINDING_MEMORY, 28);
	cr_assert_not_null(uaf, "memory used after another thread freed it");
	cr_assert_eq(uaf->sites[1].line, 10);
	cr_assert_str_eq(uaf->headline, "memory used after it was freed");
	cr_assert_null(find(&f, FINDING_MEMORY, 32),
		       "a use after free in one thread is AddressSanitizer's to find");
	destroy = find(&f, FINDING_MISUSE, 35);
	cr_assert_not_null(destroy, "destroy of a locked mutex");
	cr_assert_str_eq(destroy->variable, "m");
	cr_assert_null(find(&f, FINDING_MISUSE, 37), "a thread leak is left to the tests");
	findings_release(&f);
}

Test(tsan, clean_run_has_no_findings)
{
	struct findings f = { 0 };

	add(&f, "tsan-clean.txt", &account, HELPERS);
	cr_assert_eq(f.n, 0);
	tsan_add_report(&f, NULL, 0, &account, 1, HELPERS);
	cr_assert_eq(f.n, 0);
	findings_release(&f);
}

Test(tsan, errors_outside_the_students_file_do_not_count)
{
	static const char *const fixtures[] = {
		"tsan-race.txt", "tsan-lock-order.txt", "tsan-misuse.txt", "tsan-address-of-i.txt",
		"tsan-demo.txt", "tsan-other.txt",
	};
	struct source elsewhere = account;
	struct findings f = { 0 };

	/* The same name in another directory is not the student's file. */
	elsewhere.staged = "/elsewhere/src/account.c";
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(*fixtures); i++)
		add(&f, fixtures[i], &elsewhere, HELPERS);
	add(&f, "tsan-race.txt", &account, HELPERS);
	cr_assert_eq(f.n, 1, "only the student's own file counts: %zu findings", f.n);
	tsan_add_report(&f, "x", 1, NULL, 0, HELPERS);
	findings_release(&f);
}

Test(tsan, the_same_report_twice_merges)
{
	struct findings f = { 0 };

	add(&f, "tsan-race.txt", &account, HELPERS);
	add(&f, "tsan-race.txt", &account, HELPERS);
	cr_assert_eq(f.n, 1);
	cr_assert_eq(f.v[0].occurrences, 6);
	findings_release(&f);
}

/* helgrind.xml was recorded from fixtures/account.c, as was tsan-demo.txt. */
Test(tsan, merges_with_helgrinds_findings)
{
	struct source hg = { .name = "account.c", .display = "starter/99-demo/account.c",
			     .staged = "/tmp/rcfix/src/account.c" };
	struct source ts = { .name = "account.c", .display = "starter/99-demo/account.c",
			     .staged = STAGED "account.c" };
	struct vg_report r = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct findings f = { 0 }, t = { 0 };

	cr_assert_eq(vgxml_parse_file(&r, "fixtures/helgrind.xml", &err), 0, "%s", sb_str(&err));
	findings_add_report(&f, &r, TOOL_HELGRIND, &hg, 1, NULL);
	cr_assert_eq(f.n, 3);
	add(&f, "tsan-demo.txt", &ts, NULL);
	cr_assert_eq(f.n, 3, "TSan's are the same findings: 3 became %zu", f.n);
	cr_assert_eq(find(&f, FINDING_RACE, 15)->tools, TOOL_HELGRIND | TOOL_TSAN);
	cr_assert_eq(find(&f, FINDING_RACE, 16)->tools, TOOL_HELGRIND | TOOL_TSAN);
	cr_assert_eq(find(&f, FINDING_LOCK_ORDER, 30)->tools, TOOL_HELGRIND | TOOL_TSAN);

	/* TSan alone says the same things at the same lines. */
	add(&t, "tsan-demo.txt", &ts, NULL);
	cr_assert_eq(t.n, 3);
	cr_assert_str_eq(find(&t, FINDING_RACE, 16)->variable, "counter");
	cr_assert_str_eq(find(&t, FINDING_RACE, 15)->variable,
			 "memory allocated at starter/99-demo/account.c:10");
	cr_assert_eq(find(&t, FINDING_LOCK_ORDER, 30)->sites[0].line, 30);
	cr_assert_eq(find(&t, FINDING_LOCK_ORDER, 30)->sites[1].line, 21);
	cr_assert_eq(find(&t, FINDING_LOCK_ORDER, 30)->sites[2].line, 22);
	vg_report_release(&r);
	sb_release(&err);
	findings_release(&f);
	findings_release(&t);
}

Test(tsan, path_with_a_space)
{
	struct source spaced = { .name = "account.c", .display = "my work/account.c",
				 .staged = "/tmp/rcfix-tsan/with space/account.c" };
	struct findings f = { 0 };

	add(&f, "tsan-space.txt", &spaced, NULL);
	cr_assert_eq(f.n, 3, "expected 3 findings, got %zu", f.n);
	cr_assert_not_null(find(&f, FINDING_RACE, 15));
	cr_assert_not_null(find(&f, FINDING_RACE, 16));
	cr_assert_not_null(find(&f, FINDING_LOCK_ORDER, 30));
	cr_assert_str_eq(find(&f, FINDING_RACE, 15)->sites[0].file, "my work/account.c");
	cr_assert_str_eq(find(&f, FINDING_RACE, 15)->sites[0].thread_origin,
			 "driver.c:21 (create_thread)");
	findings_release(&f);
}

Test(tsan, truncated_output_keeps_what_was_whole)
{
	static const int lines[] = { 27, 32, 34, 40 };
	struct findings f = { 0 };
	struct strbuf sb = STRBUF_INIT;

	add(&f, "tsan-truncated.txt", &account, HELPERS);
	/* the second warning's first access merges; its cut line ("account.c:3") is dropped */
	cr_assert_eq(f.n, 1);
	cr_assert_eq(f.v[0].occurrences, 2);
	assert_lines_in(&f, lines, 2, "truncated");
	findings_release(&f);

	/* Cut anywhere: no crash, and never a line read half. */
	load(&sb, "tsan-race.txt");
	for (size_t len = 0; len <= sb.len; len++) {
		tsan_add_report(&f, sb.buf, len, &account, 1, HELPERS);
		assert_lines_in(&f, lines, 4, "cut");
		findings_release(&f);
	}
	sb_release(&sb);
}

Test(tsan, program_output_mixed_in)
{
	struct findings clean = { 0 }, mixed = { 0 };
	struct strbuf sb = STRBUF_INIT;
	char *a, *b, *c;

	load(&sb, "tsan-race.txt");
	tsan_add_report(&clean, sb.buf, sb.len, &account, 1, HELPERS);
	/* whole lines of the program's own between TSan's, and unterminated ones before them */
	a = replace_all(sb.buf, "\n", "\nbalance: 42\n  Results: 3 ok\n");
	b = replace_all(a, "\n    #0 ", "\npartial output    #0 ");
	c = replace_all(b, "==================\n", "==================\r\n");
	tsan_add_report(&mixed, c, strlen(c), &account, 1, HELPERS);
	cr_assert_eq(mixed.n, clean.n);
	cr_assert_eq(mixed.v[0].occurrences, clean.v[0].occurrences);
	cr_assert_eq(mixed.v[0].nsites, clean.v[0].nsites);
	for (size_t i = 0; i < clean.v[0].nsites; i++) {
		cr_assert_eq(mixed.v[0].sites[i].line, clean.v[0].sites[i].line);
		cr_assert_str_eq(mixed.v[0].sites[i].label, clean.v[0].sites[i].label);
		cr_assert_str_eq(mixed.v[0].sites[i].thread_origin, clean.v[0].sites[i].thread_origin);
	}
	cr_assert_str_eq(mixed.v[0].variable, clean.v[0].variable);
	free(a);
	free(b);
	free(c);
	sb_release(&sb);
	findings_release(&clean);
	findings_release(&mixed);
}

Test(tsan, frames_in_every_form)
{
	struct findings f = { 0 };
	struct strbuf sb = STRBUF_INIT;
	char *a, *b, *c;
	const struct finding *r;

	load(&sb, "tsan-race.txt");
	/* columns, a build id, frames without a file or a function */
	a = replace_all(sb.buf, "account.c:32 (scenarios.bin+0x1aa7)",
			"account.c:32:14 (scenarios.bin+0x1aa7) (BuildId: 4b1d)");
	b = replace_all(a, "    #1 do_role",
			"    #1 <null> <null>\n    #1 helper (libc.so.6+0x29d8f)\n    #1 do_role");
	c = replace_all(b, "by thread T1:", "by thread T1 (mutexes: write M0, read M1):");
	tsan_add_report(&f, c, strlen(c), &account, 1, HELPERS);
	cr_assert_eq(f.n, 1);
	r = find(&f, FINDING_RACE, 32);
	cr_assert_not_null(r, "the column was read as the line");
	cr_assert_str_eq(r->sites[1].label, "a previous write of size 8 by thread T1");
	free(a);
	free(b);
	free(c);
	sb_release(&sb);
	findings_release(&f);
}

Test(tsan, garbage)
{
	static const char *const junk[] = {
		"WARNING: ThreadSanitizer: \n",
		"WARNING: ThreadSanitizer: data race (pid=\n    #\n    #0\n    #0 \n    #0 (\n",
		"WARNING: ThreadSanitizer: data race\n  Read of size 8:\n    #0 f " STAGED
		"account.c:\n    #1 f " STAGED "account.c:x (\n    #2 f ) (\n",
		"WARNING: ThreadSanitizer: data race\n  Read of size 8:\n"
		"    #99999999999999999999 f " STAGED "account.c:99999999999999999 (a+0x\n",
		"WARNING: ThreadSanitizer: lock-order-inversion\n  Mutex M\n  Mutex Mx acquired here:\n"
		"  Mutex M1 acquired here while holding mutex M:\n    #0 f /x.c:1 (a+0x1)\n"
		"  Mutex M2 previously acquired by the same thread here:\n",
		"WARNING: ThreadSanitizer: unlock of an unlocked mutex\n  Mutex M0 created at:\n",
		"WARNING: ThreadSanitizer: data race\n  Read of size 8:\n    #0 f " STAGED
		"account.c (a+0x1)\n    #1 f " STAGED "account.c:0 (a+0x1)\n",
		"  Location is global '\n  Location is global ''\nSUMMARY: ThreadSanitizer:\n",
		"==================\n==================\n\n\n",
	};
	struct findings f = { 0 };
	char bytes[4096];
	unsigned seed = 1;

	for (size_t i = 0; i < sizeof(junk) / sizeof(*junk); i++)
		tsan_add_report(&f, junk[i], strlen(junk[i]), &account, 1, HELPERS);
	/* a site at a line that is not a number would be one read wrong */
	for (size_t i = 0; i < f.n; i++)
		for (size_t j = 0; j < f.v[i].nsites; j++)
			cr_assert_gt(f.v[i].sites[j].line, 0);
	findings_release(&f);

	/* random bytes, NULs and newlines included, with TSan's words among them */
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(bytes); i++) {
			seed = seed * 1103515245u + 12345u;
			bytes[i] = (char)(seed >> 16);
			if ((seed >> 8) % 7 == 0)
				bytes[i] = "\n #:0(/ "[(seed >> 4) % 7];
		}
		memcpy(bytes + 100, "\nWARNING: ThreadSanitizer: data race\n  Read of size 8:\n    #0 ",
		       62);
		tsan_add_report(&f, bytes, sizeof(bytes), &account, 1, HELPERS);
		findings_release(&f);
	}
}

/* The same program as Helgrind's text-log fixture: one side of each race holds locks. */
Test(tsan, each_access_with_the_locks_its_thread_held)
{
	struct source prog = { .name = "r2.c", .display = "r2.c", .staged = "/tmp/lh/r2.c" };
	struct findings f = { 0 };
	const struct finding *global, *heap;

	add(&f, "tsan-locks.txt", &prog, HELPERS);
	global = find(&f, FINDING_RACE, 32);
	heap = find(&f, FINDING_RACE, 33);
	cr_assert(global && heap, "the two races");
	cr_assert_eq(global->nsites, 2);
	cr_assert_str_eq(global->sites[0].locks, "none");
	cr_assert_str_eq(global->sites[1].locks, "the lock first used at r2.c:17");
	cr_assert_str_eq(heap->sites[1].locks,
			 "the lock first used at r2.c:42, the lock first used at r2.c:17");
	findings_release(&f);
}

/* ---- AddressSanitizer's errors ---- */

static const struct finding *memory_error_at(const struct findings *f, int line)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].kind == FINDING_MEMORY && f->v[i].nsites && f->v[i].sites[0].line == line)
			return &f->v[i];
	return NULL;
}

static void assert_sites(const struct finding *fi, const int *lines, size_t n)
{
	cr_assert_eq(fi->nsites, n, "%s: %zu sites, not %zu", fi->headline, fi->nsites, n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(fi->sites[i].line, lines[i], "%s: site %zu at line %d, not %d",
			     fi->headline, i, fi->sites[i].line, lines[i]);
		cr_assert(fi->sites[i].student);
	}
}

Test(asan, memory_errors_at_the_students_lines)
{
	struct source memerr = { .name = "memerr.c", .display = "memerr.c",
				 .staged = "/tmp/rcfix-asan/src/memerr.c" };
	struct findings f = { 0 };
	const struct finding *fi;

	add(&f, "asan-memerr.txt", &memerr, NULL);
	cr_assert_eq(f.n, 4, "expected 4 findings, got %zu", f.n);
	for (size_t i = 0; i < f.n; i++)
		cr_assert_eq(f.v[i].tools, TOOL_ASAN);

	fi = memory_error_at(&f, 39);
	cr_assert_not_null(fi, "the use after another thread's free");
	assert_sites(fi, (const int[]){ 39, 19, 31 }, 3);
	cr_assert_str_eq(fi->headline, "memory used after it was freed");
	cr_assert_str_eq(fi->sites[0].label, "read of size 4 by thread T0");
	cr_assert_str_eq(fi->sites[1].label, "freed by thread T1");
	cr_assert_eq(fi->sites[1].thread, 1);
	cr_assert_str_eq(fi->variable, "memory allocated at memerr.c:31");

	fi = memory_error_at(&f, 50);
	cr_assert_not_null(fi, "the heap block written past its end");
	assert_sites(fi, (const int[]){ 50, 47 }, 2);
	cr_assert(strstr(fi->headline, "past the end"), "%s", fi->headline);
	cr_assert_str_eq(fi->sites[0].label, "write of size 1 by thread T0");

	/* the frame ASan names the array's function by is no site of its own */
	fi = memory_error_at(&f, 58);
	cr_assert_not_null(fi, "the local array read past its end");
	assert_sites(fi, (const int[]){ 58 }, 1);
	cr_assert_str_eq(fi->headline, "an access past the end of a local array");

	fi = memory_error_at(&f, 69);
	cr_assert_not_null(fi, "the block freed twice");
	assert_sites(fi, (const int[]){ 69, 68, 47 }, 3);
	cr_assert_str_eq(fi->headline, "a block freed twice");
	findings_release(&f);
}

/* AddressSanitizer's errors outside the student's file, or cut short, cost nothing or keep what they had. */
Test(asan, elsewhere_and_truncated)
{
	struct source other = { .name = "other.c", .display = "other.c",
				.staged = "/tmp/rcfix-asan/src/other.c" };
	struct source memerr = { .name = "memerr.c", .display = "memerr.c",
				 .staged = "/tmp/rcfix-asan/src/memerr.c" };
	struct findings f = { 0 };
	struct strbuf sb = STRBUF_INIT;
	const char *second;

	add(&f, "asan-memerr.txt", &other, NULL);
	cr_assert_eq(f.n, 0, "no frame in other.c, no finding");
	load(&sb, "asan-memerr.txt");
	/* cut inside the second error's first frame line */
	second = strstr(strstr(sb.buf, "heap-buffer-overflow on"), "memerr.c:50");
	cr_assert_not_null(second);
	tsan_add_report(&f, sb.buf, (size_t)(second - sb.buf) + 9, &memerr, 1, NULL);
	cr_assert_eq(f.n, 1, "the whole first error and nothing of the cut one: %zu", f.n);
	cr_assert_not_null(memory_error_at(&f, 39));
	sb_release(&sb);
	findings_release(&f);
}
