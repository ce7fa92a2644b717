/* racecourse batch: its options, the class in SUBS_DIR, deadlines and similarity, and the run from start to end. */
#define _GNU_SOURCE
#include "batch.h"
#include "batch_class.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive.h"
#include "child.h"
#include "deadline.h"
#include "gradebook.h"
#include "gradebook_html.h"
#include "similar.h"
#include "stage.h"
#include "reaper.h"

static const char batch_usage[] =
	"usage: racecourse batch [options] SUBS_DIR\n"
	"\n"
	"Grades every submission in SUBS_DIR: a folder, or a .zip, .tar.gz or .tgz\n"
	"archive, per student (the student's id is its name without the extension).\n"
	"Writes OUT/gradebook.csv, OUT/report.html and OUT/students/<id>/. A submission\n"
	"unchanged since its result was written (its files, the kit, the options) is\n"
	"not graded again.\n"
	"\n"
	"  -o, --out DIR               where to write (default: grades)\n"
	"  -j, --jobs N                grade N submissions at a time (default: the cores)\n"
	"      --force                 grade every submission again\n"
	"      --shard I/N             grade only the I-th of N slices of the class\n"
	"  -s, --stage NAME[,NAME...]  grade only these stages (default: all)\n"
	"      --seed N                seed of the schedule perturbation\n"
	"      --detectors LIST        which of helgrind, drd, tsan and asan judge the scenarios,\n"
	"                              comma separated, or all (default) or none\n"
	"      --timeout-scale X       multiply every time limit by X (also TIMEOUT_SCALE)\n"
	"      --time-limit SECONDS    each submission's whole-run limit\n"
	"                              (default: 120 per stage, times the scale)\n"
	"      --kit DIR               the kit's root (default: the folder above the grader)\n"
	"      --deadline TIME         grade each git repository's last commit by TIME\n"
	"                              (\"2026-12-01 23:59\", local time, or with a zone: \"+0100\")\n"
	"      --extensions FILE       students' own deadlines: a CSV id,deadline\n"
	"      --late-days N           a commit up to N days late is graded, and the days counted\n"
	"      --late-penalty P        percent of the score taken per late day\n"
	"      --pushes FILE           date by the server's push times: a CSV id,commit,pushed_at\n"
	"      --similar               also compare every pair of students' files, stage by stage\n"
	"                              (Dolos, the starter code ignored): OUT/similarity.csv\n"
	"  -h, --help                  this text\n";

/*
 * " (131 s; 250 s of CPU, 95% of 2 cores; the gradings took 255 s, 128 s
 * per core)": how well the run used the machine.  The CPU time is every
 * grading's, since the workers and all they started have been waited for.
 * The last figure is the run's time were no core ever idle between
 * gradings.
 */
static void print_times(double wall, double graded)
{
	struct rusage ru;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	double cpu;

	printf(" (%.0f s", wall);
	if (!getrusage(RUSAGE_CHILDREN, &ru) && wall > 0 && cores > 0) {
		cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		printf("; %.0f s of CPU, %.0f%% of %ld core%s", cpu, 100 * cpu / (wall * (double)cores),
		       cores, cores == 1 ? "" : "s");
		if (graded > 0)
			printf("; the gradings took %.0f s, %.0f s per core", graded,
			       graded / (double)cores);
	}
	printf(")\n");
}

/* ---- similarity ---- */

/*
 * The similarity check over the whole class (similar.h), on the files as
 * graded: archives extracted again, repositories as of their deadline.
 * Returns 0, or -1 when it could not be made.
 */
static int check_similarity(struct batch *b)
{
	struct similar_student *v = xcalloc(b->n ? b->n : 1, sizeof(*v));
	char **roots = xcalloc(b->n ? b->n : 1, sizeof(*roots));
	char *scratch = xstrfmt("%s/similar", b->scratch);
	struct strbuf err = STRBUF_INIT;
	size_t n = 0;
	int rc;

	fprintf(stderr, "racecourse: batch: comparing the submissions (similarity)\n");
	for (size_t i = 0; i < b->n; i++) {
		struct job *j = &b->v[i];
		char *parent, *rel;

		if (j->undated || (b->sh->out[i].flags & GB_BROKEN_ARCHIVE))
			continue;
		if (!j->archive) {
			parent = xstrdup(j->parent);
			rel = archive_descend(parent, j->entry);
		} else {
			char *archive = xstrfmt("%s/%s", b->subs, j->entry);
			char *into;

			parent = xstrfmt("%s/unpacked/%zu", scratch, i);
			into = xstrfmt("%s/%s", parent, j->id);
			rel = archive_extract(archive, j->kind, into, &err) ? NULL :
			      archive_descend(parent, j->id);
			sb_release(&err);
			free(archive);
			free(into);
		}
		if (rel) {
			roots[n] = xstrfmt("%s/%s", parent, rel);
			v[n].id = j->id;
			v[n].root = roots[n];
			n++;
		}
		free(parent);
		free(rel);
	}
	rc = similar_run(b->kit, b->stages, b->nstages, v, n, b->out, scratch, &err);
	if (rc && !reaper_interrupted())
		warn("similarity: %s", sb_str(&err));
	for (size_t i = 0; i < n; i++)
		free(roots[i]);
	free(roots);
	free(v);
	free(scratch);
	sb_release(&err);
	return rc;
}

/* ---- deadlines ---- */

/*
 * With --deadline, each folder submission is a git repository, graded as
 * it was then: its commit's files are written to the scratch folder, which
 * the job grades instead.  What has no commit by then, or is no usable
 * repository, is recorded with the reason and not graded.
 */
static void check_out_deadlines(struct batch *b)
{
	for (size_t i = 0; b->deadlines && i < b->n; i++) {
		struct job *j = &b->v[i];
		char *repo = xstrfmt("%s/%s", b->subs, j->entry);
		char *parent = xstrfmt("%s/checkout-%zu", b->scratch, i);
		char *into = xstrfmt("%s/%s", parent, j->entry);
		struct strbuf err = STRBUF_INIT;

		if (j->archive)
			sb_adds(&err, "an archive has no commits to date: submit a git repository");
		else if (deadline_is_repository(repo, &err) &&
			 !deadline_pick(&b->policy, j->id, repo, &j->pick, &err) &&
			 !deadline_checkout(repo, j->pick.commit, into, b->scratch, &err)) {
			free(j->parent);
			j->parent = parent;
			parent = NULL;
			j->dated = true;
		}
		if (!j->dated)
			j->undated = xstrfmt("with the deadline: %s", sb_str(&err));
		sb_release(&err);
		free(repo);
		free(parent);
		free(into);
	}
}

/* ---- the class ---- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a > b && !strcmp(s + a - b, suffix);
}

static int cmp_job(const void *a, const void *b)
{
	return strcmp(((const struct job *)a)->id, ((const struct job *)b)->id);
}

/* Every submission in SUBS_DIR, sorted by id. */
static void find_submissions(struct batch *b)
{
	DIR *d = opendir(b->subs);
	struct dirent *e;
	size_t alloc = 0;

	if (!d)
		die("cannot read %s: %s", b->subs, strerror(errno));
	while ((e = readdir(d))) {
		char *path = xstrfmt("%s/%s", b->subs, e->d_name);
		struct job j = { 0 };
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.') {
			free(path);
			continue;
		}
		if (is_dir(path)) {
			j.archive = false;
			j.id = xstrdup(e->d_name);
		} else if (is_file(path) && ends_with(e->d_name, ".zip")) {
			j.archive = true;
			j.kind = ARCHIVE_ZIP;
			j.id = xstrfmt("%.*s", (int)(len - 4), e->d_name);
		} else if (is_file(path) && ends_with(e->d_name, ".tar.gz")) {
			j.archive = true;
			j.kind = ARCHIVE_TAR;
			j.id = xstrfmt("%.*s", (int)(len - 7), e->d_name);
		} else if (is_file(path) && ends_with(e->d_name, ".tgz")) {
			j.archive = true;
			j.kind = ARCHIVE_TAR;
			j.id = xstrfmt("%.*s", (int)(len - 4), e->d_name);
		} else {
			warn("ignoring %s: not a folder, nor a .zip, .tar.gz or .tgz archive", path);
			free(path);
			continue;
		}
		free(path);
		j.entry = xstrdup(e->d_name);
		j.parent = xstrdup(b->subs);
		ALLOC_GROW(b->v, b->n + 1, alloc);
		b->v[b->n++] = j;
	}
	closedir(d);
	qsort(b->v, b->n, sizeof(*b->v), cmp_job);
	for (size_t i = 1; i < b->n; i++)
		if (!strcmp(b->v[i - 1].id, b->v[i].id))
			die("two submissions for the student '%s' in %s: %s and %s", b->v[i].id,
			    b->subs, b->v[i - 1].entry, b->v[i].entry);
}

/* Keeps every nshards-th submission from the shard-th: stable, and as even as can be. */
static void keep_shard(struct batch *b)
{
	size_t kept = 0;

	for (size_t i = 0; i < b->n; i++) {
		if (i % b->nshards == b->shard - 1) {
			b->v[kept++] = b->v[i];
		} else {
			free(b->v[i].id);
			free(b->v[i].entry);
			free(b->v[i].parent);
		}
	}
	b->n = kept;
}

/* Resolves --stage (names or their numbers, "03") against the kit's stages. */
static void resolve_stages(struct batch *b, const char *arg)
{
	struct strbuf joined = STRBUF_INIT, err = STRBUF_INIT;

	b->nstages = stage_select(b->kit, arg, &b->stages, &err);
	if (!b->nstages)
		die("%s", sb_str(&err));
	for (size_t i = 0; i < b->nstages; i++)
		sb_addf(&joined, "%s%s", i ? "," : "", b->stages[i]);
	b->stage_arg = sb_detach(&joined);
	sb_release(&err);
}

int batch_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "force", no_argument, NULL, 'F' },
		{ "shard", required_argument, NULL, 'H' },
		{ "stage", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "detectors", required_argument, NULL, 'D' },
		{ "timeout-scale", required_argument, NULL, 'T' },
		{ "time-limit", required_argument, NULL, 'L' },
		{ "kit", required_argument, NULL, 'K' },
		{ "deadline", required_argument, NULL, 'd' },
		{ "extensions", required_argument, NULL, 'e' },
		{ "late-days", required_argument, NULL, 'l' },
		{ "late-penalty", required_argument, NULL, 'p' },
		{ "pushes", required_argument, NULL, 'P' },
		{ "similar", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *extensions = NULL, *pushes = NULL;
	bool late_options = false;
	struct batch b = { .jobs = sysconf(_SC_NPROCESSORS_ONLN), .shard = 1, .nshards = 1 };
	const char *out = "grades", *stage_arg = NULL, *kit_arg = NULL, *env;
	double scale = 1, started = now();
	size_t nworkers, nskipped = 0, nfailed = 0, nbroken = 0, nundated = 0;
	char **ids;
	int opt, rc = 0;

	while ((opt = getopt_long(argc, argv, "o:j:s:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 'j': b.jobs = (long)parse_positive("--jobs", optarg, MAX_JOBS); break;
		case 'F': b.force = true; break;
		case 'H': {
			int used = 0;

			if (sscanf(optarg, "%u/%u%n", &b.shard, &b.nshards, &used) != 2 ||
			    optarg[used] || !b.nshards || !b.shard || b.shard > b.nshards)
				die("--shard takes I/N with 1 <= I <= N, not '%s'", optarg);
			break;
		}
		case 's': stage_arg = optarg; break;
		case 'S': {
			char *end;

			if (strtoul(optarg, &end, 10) == 0 || *end || *optarg == '-')
				die("--seed takes a whole number above 0, not '%s'", optarg);
			b.seed = optarg;
			break;
		}
		case 'D': b.detectors = optarg; break;
		case 'T': scale = parse_positive("--timeout-scale", optarg, 100); b.scale = optarg; break;
		case 'L': b.time_limit = parse_positive("--time-limit", optarg, 1e6); break;
		case 'K': kit_arg = optarg; break;
		case 'd':
			if (deadline_parse_time(optarg, &b.policy.deadline))
				die("--deadline takes a time like \"2026-12-01 23:59\" (and a zone: "
				    "\"+0100\"), not '%s'", optarg);
			b.deadlines = true;
			break;
		case 'e': extensions = optarg; break;
		case 'l':
			b.policy.late_days = (int)parse_positive("--late-days", optarg, 365);
			late_options = true;
			break;
		case 'p':
			b.policy.penalty = parse_positive("--late-penalty", optarg, 100);
			late_options = true;
			break;
		case 'P': pushes = optarg; break;
		case 'M': b.similar = true; break;
		case 'h': fputs(batch_usage, stdout); return 0;
		default: fputs(batch_usage, stderr); return 2;
		}
	}
	if (argc - optind != 1)
		die("batch grades one folder of submissions (got %d); see racecourse batch --help",
		    argc - optind);
	if (b.jobs < 1)
		b.jobs = 1;
	if (b.similar && b.nshards > 1)
		die("--similar compares the whole class: run it without --shard (after batch-merge, "
		    "make similar SUBS=class grades nothing again)");
	if (!b.deadlines && (extensions || pushes || late_options))
		die("--extensions, --late-days, --late-penalty and --pushes go with --deadline");
	{
		struct strbuf err = STRBUF_INIT;

		if ((extensions && deadline_read_extensions(&b.policy, extensions, &err)) ||
		    (pushes && deadline_read_pushes(&b.policy, pushes, &err)))
			die("%s", sb_str(&err));
	}
	env = getenv("TIMEOUT_SCALE");
	if (!b.scale && env && *env)
		scale = parse_positive("TIMEOUT_SCALE", env, 100);

	b.subs = real_path(argv[optind]);
	if (!b.subs || !is_dir(b.subs))
		die("submissions folder '%s' %s", argv[optind],
		    b.subs ? "is not a directory" : "does not exist");
	b.exe = real_path("/proc/self/exe");
	if (!b.exe)
		die("cannot find the grader's own path: %s", strerror(errno));
	b.kit = batch_resolve_kit(kit_arg);
	resolve_stages(&b, stage_arg);
	if (!b.time_limit)
		b.time_limit = STAGE_SECONDS * (double)b.nstages * scale;

	find_submissions(&b);
	if (!b.n)
		die("no submissions in %s: a folder or a .zip, .tar.gz or .tgz archive per student",
		    b.subs);
	keep_shard(&b);
	for (size_t i = 0; i < b.n; i++) {
		const char *tool = !b.v[i].archive ? NULL : b.v[i].kind == ARCHIVE_ZIP ? "unzip" : "tar";
		char *path = tool ? find_in_path(tool) : NULL;

		if (tool && !path)
			die("%s is not installed: install the Debian package '%s' (make deps does it)",
			    tool, tool);
		free(path);
	}

	{
		char *students = xstrfmt("%s/students", out);

		if (mkdir_p(students))
			die("cannot create %s: %s", students, strerror(errno));
		free(students);
		b.out = real_path(out);
	}
	b.scratch = xstrfmt("%s/racecourse-batch.XXXXXX",
			    getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(b.scratch))
		die("cannot create a scratch directory in %s: %s", b.scratch, strerror(errno));
	/* A sandbox may run the student's code as another user, below this. */
	chmod(b.scratch, 0711);
	b.sh = mmap(NULL, sizeof(*b.sh) + b.n * sizeof(*b.sh->out), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b.sh == MAP_FAILED)
		die("cannot map memory for the workers: %s", strerror(errno));
	batch_catch_interrupts();

	check_out_deadlines(&b);
	/* What is unchanged since its result was written is not graded again. */
	if (batch_run_workers(&b, batch_stamp_main, 1) && !reaper_interrupted())
		die("cannot hash the submissions");
	b.todo = xcalloc(b.n, sizeof(*b.todo));
	for (size_t i = 0; i < b.n && !reaper_interrupted(); i++) {
		if (*b.sh->out[i].stamp)
			b.v[i].stamp = xstrdup(b.sh->out[i].stamp);
		if (b.sh->out[i].skip)
			nskipped++;
		else
			b.todo[b.ntodo++] = i;
	}

	b.tty = isatty(2) && !getenv("CI");
	nworkers = b.ntodo < (size_t)b.jobs ? b.ntodo : (size_t)b.jobs;
	if (!reaper_interrupted())
		fprintf(stderr, "racecourse: batch: grading %zu of %zu submissions (%zu unchanged), "
			"%zu at a time\n", b.ntodo, b.n, nskipped, nworkers);
	if (batch_run_workers(&b, batch_worker_main, nworkers))
		rc = 1;
	if (b.tty && atomic_load(&b.sh->ndone))
		fputc('\n', stderr);
	/* Before the scratch folder goes: it holds the deadlines' checkouts. */
	if (b.similar && !reaper_interrupted() && check_similarity(&b))
		rc = 1;
	if (remove_tree(b.scratch))
		warn("cannot remove the scratch directory %s", b.scratch);
	if (reaper_interrupted()) {
		fprintf(stderr, "racecourse: interrupted: the %zu results written are kept; "
			"run again to go on\n", atomic_load(&b.sh->ndone));
		return 130;
	}

	ids = xcalloc(b.n, sizeof(*ids));
	for (size_t i = 0; i < b.n; i++) {
		const struct outcome *o = &b.sh->out[i];

		ids[i] = b.v[i].id;
		if (o->done && !o->graded && (o->flags & GB_BROKEN_ARCHIVE))
			nbroken++;
		else if (o->done && !o->graded && b.v[i].undated)
			nundated++;
		else if (o->done && !o->graded)
			nfailed++;
		else if (!o->skip && !o->done)
			nfailed++;	/* a worker died before it */
	}
	if (batch_write_gradebook(b.out, b.kit, b.stages, b.nstages, ids, b.n))
		rc = 1;
	printf("graded %zu, skipped %zu unchanged", b.ntodo - nfailed - nbroken - nundated, nskipped);
	if (nbroken)
		printf(", %zu broken archive%s", nbroken, nbroken == 1 ? "" : "s");
	if (nundated)
		printf(", %zu with nothing to grade by the deadline", nundated);
	if (nfailed)
		printf(", %zu could not be graded", nfailed);
	print_times(now() - started, (double)atomic_load(&b.sh->msec) / 1000.0);
	printf("gradebook: %s/gradebook.csv\nreport: %s/report.html\n", b.out, b.out);
	if (nfailed)
		rc = 1;

	free(ids);
	for (size_t i = 0; i < b.n; i++) {
		free(b.v[i].id);
		free(b.v[i].entry);
		free(b.v[i].stamp);
		free(b.v[i].parent);
		free(b.v[i].undated);
	}
	for (size_t i = 0; i < b.nstages; i++)
		free(b.stages[i]);
	free(b.stages);
	free(b.stage_arg);
	free(b.v);
	free(b.todo);
	free(b.scratch);
	deadline_policy_release(&b.policy);
	free(b.subs);
	free(b.out);
	free(b.kit);
	free(b.exe);
	munmap(b.sh, sizeof(*b.sh) + b.n * sizeof(*b.sh->out));
	return rc;
}
