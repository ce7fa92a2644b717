/*
 * racecourse: grades a submission of the Racecourse course kit.
 *
 * The pipeline, one module per step: find the stage (stage.c) -> stage the
 * submission (submission.c) -> build (build.c) -> run the tests and the
 * detectors (grade.c, child.c) -> read their reports (crreport.c, vgxml.c,
 * findings.c) -> score (grade.c) -> report (report.c: report_text.c,
 * report_json.c, report_junit.c, report_tap.c, report_github.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "build.h"
#include "child.h"
#include "debuginfo.h"
#include "grade.h"
#include "hint.h"
#include "lms.h"
#include "report.h"
#include "status.h"

static const char usage[] =
	"usage: racecourse [options] [SUBMISSION]\n"
	"\n"
	"Grades SUBMISSION (a directory; default: the kit's starter/) and prints a report.\n"
	"Exits 0 at full marks, 1 below, 2 when it could not grade.\n"
	"\n"
	"  -s, --stage NAME[,NAME...]  grade only these stages (default: all)\n"
	"  -f, --format NAME           the report's format (--help lists them)\n"
	"  -o, --out FILE              write the report to FILE instead of standard output\n"
	"      --seed N                seed of the schedule perturbation (default: random)\n"
	"      --detectors LIST        which of helgrind, drd, tsan and asan judge the scenarios,\n"
	"                              comma separated, or all (default) or none\n"
	"      --fast                  ThreadSanitizer alone, without Helgrind and DRD: quicker\n"
	"                              feedback, not the score of record\n"
	"      --admit-any-call        admit any library call (the other checks stay): for testing\n"
	"                              the later layers with hostile code (tests/hostile.sh)\n"
	"      --sandbox MODE          auto (default: bwrap where it works, else fallback),\n"
	"                              bwrap, fallback or none (see docs/security.md)\n"
	"      --timeout-scale X       multiply every time limit by X (also TIMEOUT_SCALE)\n"
	"      --time-limit SECONDS    end the whole run by then, whatever is still running\n"
	"      --kit DIR               the kit's root (default: the folder above the grader)\n"
	"      --keep                  keep the scratch directory and say where it is\n"
	"      --save DIR              also write each stage's JSON report to DIR/last-STAGE.json\n"
	"                              (make grade does, for make status)\n"
	"      --list                  list the stages and exit\n"
	"      --sandbox-info          say how student code would be contained here (the sandbox\n"
	"                              mode, the memory and process cap per grading) and exit\n"
	"  -h, --help                  this text\n";

struct cli {
	char *stage_list;	/* --stage's names, joined with commas, or NULL for all */
	char **stages;
	size_t nstages;
	const struct report_format *format;
	const char *out;
	const char *save;
	bool keep, list, info;
};

static unsigned parse_tools(const char *s)
{
	static const struct { const char *name; unsigned flag; } tools[] = {
		{ "helgrind", TOOL_HELGRIND }, { "drd", TOOL_DRD }, { "tsan", TOOL_TSAN },
		{ "asan", TOOL_ASAN }, { "all", TOOL_HELGRIND | TOOL_DRD | TOOL_TSAN | TOOL_ASAN },
	};
	char *copy = xstrdup(s), *save = NULL;
	unsigned flags = 0;

	if (!strcmp(s, "none")) {
		free(copy);
		return 0;
	}
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(tools) / sizeof(*tools); i++)
			if (!strcmp(t, tools[i].name))
				break;
		if (i == sizeof(tools) / sizeof(*tools))
			die("--detectors takes a comma-separated list of helgrind, drd, tsan and "
			    "asan, or all or none, not '%s'", s);
		flags |= tools[i].flag;
	}
	free(copy);
	if (!flags)
		die("--detectors takes a comma-separated list of helgrind, drd, tsan and asan, or "
		    "all or none, not '%s'", s);
	return flags;
}

/* --stage, given once or more: one comma-separated list */
static void add_stages(struct cli *cli, const char *list)
{
	char *joined = cli->stage_list ? xstrfmt("%s,%s", cli->stage_list, list) : xstrdup(list);

	free(cli->stage_list);
	cli->stage_list = joined;
}

static void check_tools(const struct grade_options *o)
{
	char *path = find_in_path(o->cc);
	const char *missing;

	if (!path)
		die("no C compiler '%s': install the Debian package 'gcc' (or set CC)", o->cc);
	free(path);
	missing = build_find_libraries(o->cc);
	if (missing)
		die("%s (make grade does it for you)", missing);
	if ((o->tools & TOOL_VALGRIND) && !(path = find_in_path("valgrind")))
		die("valgrind is not installed: install the Debian package 'valgrind' "
		    "(make grade does it for you), or grade with --detectors none");
	free(o->tools & TOOL_VALGRIND ? path : NULL);
}

/*
 * Writes each stage's result, as a one-stage JSON report, to
 * DIR/last-STAGE.json for `racecourse status`: a file per stage, so that
 * grading one stage replaces that stage's result only.  A failure is a
 * warning: the grading itself went fine.
 */
static void save_results(const struct grade_run *run, const char *dir)
{
	if (mkdir_p(dir)) {
		warn("cannot save the results in %s: %s", dir, strerror(errno));
		return;
	}
	for (size_t i = 0; i < run->nstages; i++) {
		struct grade_run one = *run;
		const struct stage_result *res = &run->stages[i];
		char *path = xstrfmt("%s/last-%s.json", dir, res->stage.name);
		char *tmp = xstrfmt("%s.tmp", path);
		FILE *f = fopen(tmp, "we");

		one.stages = &run->stages[i];
		one.nstages = 1;
		one.score = res->score;
		one.max_score = res->max_score;
		if (!f || report_json(f, &one, false) || fclose(f) || rename(tmp, path)) {
			warn("cannot save %s: %s", path, strerror(errno));
			remove(tmp);
		}
		free(path);
		free(tmp);
	}
}

static char *format_names(void)
{
	struct strbuf sb = STRBUF_INIT;

	for (const struct report_format *f = report_formats; f->name; f++)
		sb_addf(&sb, "%s%s", sb.len ? ", " : "", f->name);
	return sb_detach(&sb);
}

/*
 * Commands other than grading: `racecourse NAME ARGS...` runs NAME's main
 * with argv[0] set to NAME.
 */
struct command {
	const char *name;
	const char *about;
	int (*main)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "hint", "show the next hint for the stage you are on", hint_main },
	{ "status", "your progress: each stage's last score, and what is next", status_main },
	{ "batch", "grade a whole class: gradebook.csv, report.html", batch_main },
	{ "batch-merge", "join the gradebooks of several batches (shards)", batch_merge_main },
	{ "batch-report", "write a batch's report.html again", batch_report_main },
	{ "batch-export", "a batch's gradebook for Canvas or Moodle to import", lms_export_main },
	{ NULL, NULL, NULL },
};

/* Whether others may pass through dir and every folder above it. */
static bool open_to_others(const char *dir)
{
	char *path = real_path(dir), *slash;
	bool open = path != NULL;

	while (open && *path) {
		struct stat st;

		open = !stat(path, &st) && (st.st_mode & S_IXOTH);
		slash = strrchr(path, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	free(path);
	return open;
}

/*
 * valgrind's runs in bubblewrap read the C library's debug information
 * without its DWARF (see debuginfo.h): made once, in the kit's build/
 * where it can be written and the sandbox's user can reach it (bubblewrap
 * binds it as that user), else in the scratch directory.
 */
static void lean_debuginfo(struct sandbox *sb, const char *kit, const char *work)
{
	char *cache = xstrfmt("%s/build/debuginfo", kit);

	if (mkdir_p(cache) || access(cache, W_OK) || (sb->switch_user && !open_to_others(cache))) {
		free(cache);
		cache = xstrdup(work);
	}
	sb->debug_full = debuginfo_lean_libc(cache, &sb->debug_lean);
	free(cache);
}

/* Is the variable set, to something other than "" and "0"? */
static bool env_on(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0");
}

static unsigned long random_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16)) % 1000000 + 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "stage", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 'S' },
		{ "detectors", required_argument, NULL, 'D' },
		{ "sandbox", required_argument, NULL, 'B' },
		{ "timeout-scale", required_argument, NULL, 'T' },
		{ "time-limit", required_argument, NULL, 'L' },
		{ "kit", required_argument, NULL, 'K' },
		{ "keep", no_argument, NULL, 'k' },
		{ "fast", no_argument, NULL, 'F' },
		{ "admit-any-call", no_argument, NULL, 'A' },
		{ "save", required_argument, NULL, 'V' },
		{ "list", no_argument, NULL, 'l' },
		{ "sandbox-info", no_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct grade_options o = { .tools = TOOL_HELGRIND | TOOL_DRD | TOOL_TSAN | TOOL_ASAN, .timeout_scale = 1 };
	struct cli cli = { 0 };
	struct grade_run run = { .options = &o };
	char *kit = NULL, *sub, *work, **names, *resources;
	const char *tmp;
	const char *env;
	size_t nnames;
	bool seeded = false;
	const char *sandbox_mode = "auto";
	struct sandbox sandbox;
	struct strbuf err = STRBUF_INIT;
	FILE *out = stdout;
	double started = now();
	int opt;

	for (const struct command *c = commands; argc > 1 && c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->main(argc - 1, argv + 1);

	env = getenv("TIMEOUT_SCALE");
	if (env && *env)
		o.timeout_scale = parse_positive("TIMEOUT_SCALE", env, 100);
	while ((opt = getopt_long(argc, argv, "s:f:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': add_stages(&cli, optarg); break;
		case 'f':
			cli.format = report_format_find(optarg);
			if (!cli.format)
				die("unknown format '%s' (the formats are: %s)", optarg, format_names());
			break;
		case 'o': cli.out = optarg; break;
		case 'S': {
			char *end;

			errno = 0;
			o.seed = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || !o.seed)
				die("--seed takes a whole number above 0, not '%s'", optarg);
			seeded = true;
			break;
		}
		case 'D': o.tools = parse_tools(optarg); break;
		case 'B': sandbox_mode = optarg; break;
		case 'T': o.timeout_scale = parse_positive("--timeout-scale", optarg, 100); break;
		case 'L': o.deadline = started + parse_positive("--time-limit", optarg, 1e9); break;
		case 'K': kit = real_path(optarg); if (!kit) die("no kit at %s: %s", optarg, strerror(errno)); break;
		case 'k': cli.keep = true; break;
		case 'F': o.fast = true; break;
		case 'A': o.admit_any_call = true; break;
		case 'V': cli.save = optarg; break;
		case 'l': cli.list = true; break;
		case 'I': cli.info = true; break;
		case 'h':
			fputs(usage, stdout);
			fputs("\nformats:\n", stdout);
			for (const struct report_format *f = report_formats; f->name; f++)
				printf("  %-13s %s\n", f->name, f->about);
			fputs("\ncommands (racecourse COMMAND --help):\n", stdout);
			for (const struct command *c = commands; c->name; c++)
				printf("  %-13s %s\n", c->name, c->about);
			return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	/* ThreadSanitizer alone, however it was asked for, is the quick feedback */
	if (o.fast && o.tools)
		o.tools = TOOL_TSAN;
	o.fast = o.tools == TOOL_TSAN;
	if (argc - optind > 1)
		die("grade one submission at a time (got %d); see --help", argc - optind);
	if (!kit && !(kit = stage_default_kit()))
		die("cannot find the grader's own path: %s", strerror(errno));
	o.kit = kit;
	if (cli.list) {
		nnames = stage_select(kit, NULL, &names, &err);
		if (!nnames)
			die("%s", sb_str(&err));
		for (size_t i = 0; i < nnames; i++)
			puts(names[i]);
		return 0;
	}

	/* What to grade, and where. */
	o.sub_display = optind < argc ? argv[optind] : "starter";
	sub = optind < argc ? real_path(argv[optind]) : xstrfmt("%s/starter", kit);
	if (!sub || !is_dir(sub))
		die("submission '%s' %s", o.sub_display,
		    sub ? "is not a directory" : "does not exist");
	o.sub = sub;
	cli.nstages = stage_select(kit, cli.stage_list, &cli.stages, &err);
	if (!cli.nstages)
		die("%s", sb_str(&err));
	o.cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
	o.seed = seeded ? o.seed : random_seed();
	check_tools(&o);
	if (cli.out && !(out = fopen(cli.out, "we")))
		die("cannot write %s: %s", cli.out, strerror(errno));
	o.progress = isatty(2) && !getenv("CI");

	if (sandbox_init(&sandbox, sandbox_mode, &err))
		die("%s", sb_str(&err));
	resources = sandbox_describe_resources(&sandbox);
	if (cli.info) {
		printf("sandbox: %s\nresources: %s\n", sandbox_mode_name(sandbox.mode), resources);
		free(resources);
		sandbox_release(&sandbox);
		return 0;
	}
	/* Root grades for an instructor, who expects the cap: say when it is not there. */
	if (geteuid() == 0 && sandbox.mode != SANDBOX_NONE && sandbox.cgroup.kind == CGROUP_NONE)
		warn("%s (see docs/security.md)", resources);
	if (sandbox.mode == SANDBOX_FALLBACK && !sandbox.switch_user)
		warn("no bubblewrap: student code runs as you and can read and change your files "
		     "(see docs/security.md)");
	else if (sandbox.mode == SANDBOX_FALLBACK && !sandbox.private_mounts)
		warn("no bubblewrap and no mount namespace: student code can read the kit, write in "
		     "/tmp and reach the network (see docs/security.md)");
	/* Nothing of the kit (solutions, hidden tests) nor of other submissions. */
	sandbox_hide(&sandbox, kit);
	sandbox_hide(&sandbox, sub);
	/* Nor your files, where bubblewrap runs it as you. */
	sandbox_hide_home(&sandbox, (const char *const[]){ o.cc, "valgrind", "gdb", "bwrap", NULL });
	/*
	 * Nor the CA certificates, of no use without a network: Criterion's
	 * libgit2 reads every one of them as each test's process starts, a
	 * fifth of that start.
	 */
	sandbox_hide(&sandbox, "/etc/ssl/certs");
	o.sandbox = &sandbox;
	run.sandbox = sandbox_mode_name(sandbox.mode);
	run.resources = resources;
	run.cap = sandbox.mode == SANDBOX_NONE ? NULL : cgroup_kind_name(sandbox.cgroup.kind);

	tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	/* The sandbox's own user must be able to reach its folder, through every parent. */
	if (sandbox.switch_user && !open_to_others(tmp)) {
		warn("TMPDIR=%s is in a folder other users cannot enter, as the sandbox's user "
		     "must: grading in /tmp instead", tmp);
		tmp = "/tmp";
	}
	work = xstrfmt("%s/racecourse.XXXXXX", tmp);
	if (!mkdtemp(work))
		die("cannot create a scratch directory in %s: %s", work, strerror(errno));
	/* The sandbox's user may pass through to its stage's folder, and no further. */
	if (sandbox.switch_user && chmod(work, 0711))
		die("cannot open %s to the sandbox's user: %s", work, strerror(errno));
	o.work = work;
	/* RACECOURSE_FULL_DEBUGINFO=1: all of it, as outside bubblewrap (make bench compares) */
	if ((o.tools & TOOL_VALGRIND) && sandbox.mode == SANDBOX_BWRAP && !env_on("RACECOURSE_FULL_DEBUGINFO"))
		lean_debuginfo(&sandbox, kit, work);

	/* Grade every stage; one that cannot be graded scores 0 and the rest go on. */
	run.stages = xcalloc(cli.nstages, sizeof(*run.stages));
	for (size_t i = 0; i < cli.nstages; i++) {
		struct stage_result *res = &run.stages[i];

		if (grade_stage(&o, cli.stages[i], res))
			die("%s", res->problem);
		run.nstages++;
		run.score += res->score;
		run.max_score += res->max_score;
	}
	run.elapsed = now() - started;

	if (!cli.format)
		cli.format = report_format_find("text");
	if (cli.format->write(out, &run, !cli.out && isatty(1) && !getenv("NO_COLOR")))
		die("cannot write the report: %s", strerror(errno));
	if (out != stdout && fclose(out))
		die("cannot write %s: %s", cli.out, strerror(errno));
	else if (out == stdout && fflush(stdout))
		die("cannot write the report: %s", strerror(errno));

	if (cli.save)
		save_results(&run, cli.save);
	if (cli.keep)
		fprintf(stderr, "racecourse: the scratch directory is %s\n", work);
	else if (remove_tree(work))
		warn("cannot remove the scratch directory %s", work);

	for (size_t i = 0; i < run.nstages; i++)
		stage_result_release(&run.stages[i]);
	free(run.stages);
	for (size_t i = 0; i < cli.nstages; i++)
		free(cli.stages[i]);
	free(cli.stages);
	free(cli.stage_list);
	free(work);
	sandbox_release(&sandbox);
	free(resources);
	sb_release(&err);
	free(sub);
	free(kit);
	return run.score == run.max_score ? 0 : 1;
}
