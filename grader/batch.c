/* Grading a whole class: racecourse batch, batch-merge and batch-report. */
#define _GNU_SOURCE
#include "batch.h"

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
	"      --detectors LIST        helgrind,drd (default), helgrind, drd or none\n"
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

/* Per stage, the default whole-run limit of one submission, before TIMEOUT_SCALE. */
#define STAGE_SECONDS 120.0
/* What a grader gets beyond its own --time-limit before it is killed. */
#define GRACE_SECONDS 30.0
#define MAX_JOBS 256


struct job {
	char *id;
	char *entry;		/* its name in SUBS_DIR: "alice", "alice.zip" */
	bool archive;		/* else a folder */
	enum archive_kind kind;	/* of an archive */
	char *parent;		/* the folder that holds entry: SUBS_DIR, or a deadline's checkout */
	struct deadline_pick pick;	/* with a deadline: the commit graded */
	bool dated;		/* pick is set */
	char *undated;		/* with a deadline, why nothing could be graded; or NULL */
	char *stamp;		/* hash of what grading it depends on, or NULL */
};

/*
 * The batch grades with a pool of worker processes, each grading one
 * submission at a time through child_run().  Not threads: child.c wakes
 * up on SIGCHLD through one pipe per process, which several supervising
 * threads would steal from each other.  Not child_finish_all() on several
 * graders: it returns when all have ended, so one slow submission would
 * hold the other slots idle.  The workers share this, in a mapping.
 */
struct outcome {
	char stamp[65];		/* hex, or "" when it could not be hashed */
	bool skip;		/* unchanged since its result was written */
	bool done;		/* a worker finished it */
	bool graded;		/* the grader wrote a result */
	int score, max;
	unsigned flags;
};

struct shared {
	atomic_size_t next;	/* the next of todo[] to take */
	atomic_size_t ndone, nfailed;
	atomic_llong msec;	/* time the finished ones took */
	struct outcome out[];	/* one per job */
};

struct batch {
	/* the options */
	char *subs, *out, *kit;
	char *exe;		/* the grader's file, for the stamp */
	char **stages;
	size_t nstages;
	char *stage_arg;	/* "02-counter,03-race" */
	const char *seed, *scale, *detectors;
	double time_limit;
	long jobs;
	bool force;
	unsigned shard, nshards;
	struct deadline_policy policy;
	bool deadlines;		/* --deadline: grade repositories as they were then */
	bool similar;		/* --similar: the similarity check after grading */

	char *scratch;
	struct job *v;
	size_t n;
	size_t *todo;		/* indexes in v of what is to grade */
	size_t ntodo;
	struct shared *sh;
	bool tty;
};

/* ---- interruption: Ctrl-C ends the graders too (they run in groups of their own) ---- */

static volatile sig_atomic_t interrupted;
static volatile pid_t grader_pid;		/* in a worker: the grader it runs */
static pid_t worker_pids[MAX_JOBS + 1];		/* in the batch: its workers */
static volatile sig_atomic_t nworker_pids;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
	if (grader_pid > 0)
		kill(-grader_pid, SIGTERM);
	for (int i = 0; i < nworker_pids; i++)
		kill(worker_pids[i], SIGTERM);
}

static void catch_interrupts(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Runs fn(b) in a process of its own: a worker. Returns its pid. */
static pid_t start_worker(void (*fn)(struct batch *), struct batch *b)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("cannot start a worker process: %s", strerror(errno));
	if (pid)
		return pid;
	nworker_pids = 0;
	fn(b);
	fflush(NULL);
	_exit(0);
}

/* Waits for the workers; returns how many did not end well. */
static int wait_workers(const pid_t *pids, size_t n)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		int status;

		while (waitpid(pids[i], &status, 0) < 0)
			if (errno != EINTR)
				die("cannot wait for a worker: %s", strerror(errno));
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			if (!interrupted)
				warn("a worker of the batch %s %d", WIFEXITED(status) ?
				     "exited with status" : "was killed by signal",
				     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			bad++;
		}
	}
	return bad;
}

/*
 * A grader killed at its limit leaves its own children behind; child.c
 * made us their subreaper, so they are ours now: end them, so that nothing
 * outlives the batch.  Called when no child of ours is being supervised.
 */
static void end_orphans(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t me = getpid();

	while (d && (e = readdir(d))) {
		struct strbuf stat = STRBUF_INIT;
		char *path, *paren;
		int ppid, pgrp;
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid <= 0 || pid == me)
			continue;
		path = xstrfmt("/proc/%d/stat", (int)pid);
		/* pid (comm) state ppid pgrp ...: comm may hold anything but ends at the last ')' */
		if (!read_file(path, &stat) && (paren = strrchr(sb_str(&stat), ')')) &&
		    sscanf(paren + 1, " %*c %d %d", &ppid, &pgrp) == 2 && ppid == me) {
			if (pgrp > 1 && pgrp != getpgrp())
				kill(-pgrp, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
		sb_release(&stat);
		free(path);
	}
	if (d)
		closedir(d);
}

/* ---- hashing: sha256sum, from coreutils, which every Debian system has ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Adds the regular files under root/rel (rel may be "") to files, as paths
 * relative to root.  Names that start with a dot (.git, .DS_Store) are left
 * out: the grader never reads them.  Symbolic links to folders are not
 * followed.
 */
static void list_files(const char *root, const char *rel, char ***files, size_t *n, size_t *alloc)
{
	char *path = *rel ? xstrfmt("%s/%s", root, rel) : xstrdup(root);
	DIR *d = opendir(path);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *sub, *full;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		sub = *rel ? xstrfmt("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		full = xstrfmt("%s/%s", root, sub);
		if (!lstat(full, &st) && S_ISDIR(st.st_mode)) {
			list_files(root, sub, files, n, alloc);
			free(sub);
		} else if (!stat(full, &st) && S_ISREG(st.st_mode)) {
			ALLOC_GROW(*files, *n + 1, *alloc);
			(*files)[(*n)++] = sub;
		} else {
			free(sub);
		}
		free(full);
	}
	if (d)
		closedir(d);
	free(path);
}

/* Appends sha256sum's lines for files (relative to dir). Returns 0, or -1. */
static int sha256_files(const char *dir, char **files, size_t n, struct strbuf *listing)
{
	enum { CHUNK = 200 };
	const char **argv = xcalloc(CHUNK + 3, sizeof(*argv));
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i += CHUNK) {
		struct child c = CHILD_INIT;
		size_t k = 0;

		argv[k++] = "sha256sum";
		argv[k++] = "--";
		for (size_t f = i; f < n && f < i + CHUNK; f++)
			argv[k++] = files[f];
		argv[k] = NULL;
		c.argv = argv;
		c.dir = dir;
		c.timeout = 300;
		c.out_cap = 16 << 20;
		if (child_run(&c) || !child_ok(&c) || c.out_dropped)
			rc = -1;
		else
			sb_add(listing, c.out.buf, c.out.len);
		child_release(&c);
	}
	free(argv);
	return rc;
}

/* The SHA-256 of text as 64 hex digits (malloc'd), or NULL. `file` is a scratch path. */
static char *sha256_text(const char *file, const struct strbuf *text)
{
	const char *argv[] = { "sha256sum", "--", file, NULL };
	struct child c = CHILD_INIT;
	char *hex = NULL;

	c.argv = argv;
	c.timeout = 60;
	if (!write_file(file, sb_str(text), text->len) && !child_run(&c) && child_ok(&c) &&
	    c.out.len > 64)
		hex = xstrfmt("%.64s", c.out.buf);
	child_release(&c);
	unlink(file);
	return hex;
}

/*
 * What a result depends on besides the submission: the options, the grader
 * and the kit's files for these stages.  NULL when they cannot be read.
 */
static char *kit_listing(const struct batch *b)
{
	struct strbuf sb = STRBUF_INIT;
	char **files = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	sb_addf(&sb, "racecourse batch 1\nstages %s\nseed %s\nscale %s\ndetectors %s\n"
		"time-limit %g\n", b->stage_arg, b->seed ? b->seed : "random",
		b->scale ? b->scale : "1", b->detectors ? b->detectors : "default", b->time_limit);
	list_files(b->kit, "tests/lib", &files, &n, &alloc);
	for (size_t i = 0; i < b->nstages; i++) {
		char *a = xstrfmt("assignments/%s", b->stages[i]);
		char *t = xstrfmt("tests/%s", b->stages[i]);

		list_files(b->kit, a, &files, &n, &alloc);
		list_files(b->kit, t, &files, &n, &alloc);
		free(a);
		free(t);
	}
	qsort(files, n, sizeof(*files), cmp_str);
	ALLOC_GROW(files, n + 1, alloc);
	files[n++] = xstrdup(b->exe);
	rc = sha256_files(b->kit, files, n, &sb);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	if (rc) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

/* The stamp of a job: the hash of the kit's listing and of every file of the submission. */
static char *job_stamp(const struct batch *b, const struct job *j, const char *kit)
{
	struct strbuf sb = STRBUF_INIT;
	char **files = NULL;
	size_t n = 0, alloc = 0;
	char *file, *hex = NULL;
	int rc;

	if (!j->archive) {
		list_files(j->parent, j->entry, &files, &n, &alloc);
		qsort(files, n, sizeof(*files), cmp_str);
	} else {
		files = xcalloc(1, sizeof(*files));
		files[n++] = xstrdup(j->entry);
	}
	sb_adds(&sb, kit);
	if (j->dated)
		sb_addf(&sb, "commit %s at %lld due %lld late %d penalty %g\n", j->pick.commit,
			(long long)j->pick.when, (long long)j->pick.due, j->pick.late_days,
			j->pick.penalty);
	else if (j->undated)
		sb_addf(&sb, "undated: %s\n", j->undated);
	sb_addf(&sb, "submission %zu files\n", n);
	rc = sha256_files(j->parent, files, n, &sb);
	file = xstrfmt("%s/stamp.txt", b->scratch);
	if (!rc)
		hex = sha256_text(file, &sb);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	free(file);
	sb_release(&sb);
	return hex;
}

/* ---- grading one submission ---- */

/* One line per finished submission; on a terminal, one line that updates. */
static void progress(struct batch *b, const struct job *j, const struct outcome *o)
{
	struct strbuf sb = STRBUF_INIT;
	size_t done = atomic_load(&b->sh->ndone), failed = atomic_load(&b->sh->nfailed);
	size_t left = b->ntodo > done ? b->ntodo - done : 0;
	char *flags = gradebook_flags_str(o->flags);

	sb_addf(&sb, "%sbatch: %zu/%zu done", b->tty ? "\r\033[K" : "racecourse: ", done, b->ntodo);
	if (failed)
		sb_addf(&sb, ", %zu not graded", failed);
	if (left && done) {
		double per = (double)atomic_load(&b->sh->msec) / 1000.0 / (double)done;
		size_t lanes = left < (size_t)b->jobs ? left : (size_t)b->jobs;
		long eta = (long)(per * (double)left / (double)lanes + 0.5);

		sb_addf(&sb, ", about %ldm%02lds left", eta / 60, eta % 60);
	}
	sb_addf(&sb, "%s%s ", b->tty ? " (last: " : " - ", j->id);
	if (o->graded)
		sb_addf(&sb, "%d/%d%s", o->score, o->max, *flags ? " " : "");
	sb_addf(&sb, "%s%s", flags, b->tty ? ")" : "\n");
	/* One write: the workers share the terminal. */
	if (write(2, sb.buf, sb.len) < 0) {
		/* Progress is a courtesy: nothing to do. */
	}
	free(flags);
	sb_release(&sb);
}

/* The last non-empty line of a child's output, for a one-line reason. */
static char *last_line(const char *text)
{
	const char *end = text + strlen(text), *start;

	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	if (end - start > 300)
		end = start + 300;
	return xstrfmt("%.*s", (int)(end - start), start);
}

/* Records the outcome in the student's folder: results.json, report.txt, batch.json. */
static void record(const struct job *j, const struct outcome *o, const char *dir,
		   const char *tmp_results, json_t *results, struct student_meta *meta)
{
	char *path = xstrfmt("%s/results.json", dir);
	char *report = xstrfmt("%s/report.txt", dir);
	char *text;

	if (results) {
		if (rename(tmp_results, path))
			warn("cannot write %s: %s", path, strerror(errno));
	} else {
		unlink(tmp_results);
		unlink(path);
	}
	text = gradebook_text_report(j->id, results, o->flags, meta->problem);
	if (write_file(report, text, strlen(text)))
		warn("cannot write %s: %s", report, strerror(errno));
	if (student_meta_write(meta, dir))
		warn("cannot write %s/batch.json: %s", dir, strerror(errno));
	free(text);
	free(report);
	free(path);
}

/*
 * Grades one submission with the grader itself, and records the outcome
 * in o and in the student's folder.  Returns false when interrupted.
 */
static bool grade_job(struct batch *b, struct job *j, struct outcome *o)
{
	char *dir = xstrfmt("%s/students/%s", b->out, j->id);
	char *work = xstrfmt("%s/%zu", b->scratch, (size_t)(j - b->v));
	char *tmpdir = xstrfmt("%s/tmp", work);
	char *tmp_env = xstrfmt("TMPDIR=%s", tmpdir);
	char *results_tmp = xstrfmt("%s/results.json.tmp", dir);
	char *limit = xstrfmt("%g", b->time_limit);
	char *parent, *rel = NULL;
	const char *env[] = { tmp_env, NULL };
	const char *argv[24];
	struct student_meta meta = { 0 };
	struct child c = CHILD_INIT;
	struct strbuf err = STRBUF_INIT;
	json_t *results = NULL;
	double started = now();
	bool finished = true;
	size_t k = 0;

	if (mkdir_p(dir) || mkdir_p(tmpdir))
		die("cannot create %s: %s", dir, strerror(errno));
	if (j->undated) {
		/* Nothing to grade: no commit by the deadline, or not a repository. */
		o->flags = GB_MISSING;
		meta.problem = xstrdup(j->undated);
		meta.stamp = j->stamp ? xstrdup(j->stamp) : NULL;
		parent = NULL;
	} else if (!j->archive) {
		parent = xstrdup(j->parent);
		rel = archive_descend(parent, j->entry);
	} else {
		char *archive = xstrfmt("%s/%s", b->subs, j->entry);
		char *into;

		/* Apart from tmp/, whatever the student's id. */
		parent = xstrfmt("%s/sub", work);
		into = xstrfmt("%s/%s", parent, j->id);
		if (archive_extract(archive, j->kind, into, &err)) {
			o->flags = GB_BROKEN_ARCHIVE;
			meta.problem = xstrfmt("broken archive: %s", sb_str(&err));
			/* Reading it again will not mend it: it counts as graded. */
			meta.stamp = j->stamp ? xstrdup(j->stamp) : NULL;
		} else {
			rel = archive_descend(parent, j->id);
		}
		free(archive);
		free(into);
	}

	if (rel) {
		/* This very binary, even if a build replaced the file meanwhile. */
		argv[k++] = "/proc/self/exe";
		argv[k++] = "--format";
		argv[k++] = "json";
		argv[k++] = "--out";
		argv[k++] = results_tmp;
		argv[k++] = "--kit";
		argv[k++] = b->kit;
		argv[k++] = "--stage";
		argv[k++] = b->stage_arg;
		argv[k++] = "--time-limit";
		argv[k++] = limit;
		if (b->seed) {
			argv[k++] = "--seed";
			argv[k++] = b->seed;
		}
		if (b->scale) {
			argv[k++] = "--timeout-scale";
			argv[k++] = b->scale;
		}
		if (b->detectors) {
			argv[k++] = "--detectors";
			argv[k++] = b->detectors;
		}
		argv[k++] = "--";
		argv[k++] = rel;
		argv[k] = NULL;
		c.argv = argv;
		c.dir = parent;
		c.env = env;
		/* The grader ends itself at its limit; this is in case it cannot. */
		c.timeout = b->time_limit + GRACE_SECONDS;
		c.out_cap = 64 * 1024;
		if (!interrupted && !child_start(&c)) {
			grader_pid = c.pid;
			if (interrupted)
				kill(-c.pid, SIGTERM);
			child_finish(&c);
			grader_pid = 0;
		}
		if (interrupted) {
			finished = false;
			unlink(results_tmp);
			goto out;
		}
		if (!c.start_errno && !c.timed_out &&
		    (child_exit_code(&c) == 0 || child_exit_code(&c) == 1))
			results = json_load_file(results_tmp, 0, NULL);
		if (json_is_object(results)) {
			o->graded = true;
			o->flags = gradebook_flags_of(results);
			/* The grader's own limit ended it: it wrote what it had. */
			if (c.elapsed >= b->time_limit * 0.99)
				o->flags |= GB_TIMEOUT;
			o->score = (int)json_integer_value(json_object_get(results, "score"));
			o->max = (int)json_integer_value(json_object_get(results, "max_score"));
			meta.stamp = j->stamp ? xstrdup(j->stamp) : NULL;
		} else {
			char *how = child_describe(&c), *line = last_line(sb_str(&c.out));

			json_decref(results);
			results = NULL;
			if (c.timed_out) {
				o->flags = GB_TIMEOUT;
				meta.problem = xstrfmt("the grader did not end within its time limit "
						       "of %g s", b->time_limit);
			} else {
				o->flags = GB_ERROR;
				meta.problem = xstrfmt("the grader could not grade it: it %s%s%s", how,
						       *line ? ": " : "", line);
			}
			free(how);
			free(line);
		}
	}
	meta.flags = o->flags & (GB_TIMEOUT | GB_BROKEN_ARCHIVE | GB_ERROR | GB_MISSING);
	meta.seconds = now() - started;
	if (j->dated) {
		meta.dated = true;
		memcpy(meta.commit, j->pick.commit, sizeof(meta.commit));
		meta.when = j->pick.when;
		meta.due = j->pick.due;
		meta.late_days = j->pick.late_days;
		meta.penalty = j->pick.penalty;
		meta.pushed = j->pick.pushed;
	}
	record(j, o, dir, results_tmp, results, &meta);
out:
	if (remove_tree(work))
		warn("cannot remove the scratch directory %s", work);
	json_decref(results);
	child_release(&c);
	student_meta_release(&meta);
	sb_release(&err);
	free(parent);
	free(rel);
	free(limit);
	free(results_tmp);
	free(tmp_env);
	free(tmpdir);
	free(work);
	free(dir);
	return finished;
}

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

/* A worker: grades the next submission not yet taken, until none is left. */
static void worker_main(struct batch *b)
{
	for (;;) {
		size_t k = atomic_fetch_add(&b->sh->next, 1);
		double started = now();
		struct outcome *o;

		if (interrupted || k >= b->ntodo)
			break;
		o = &b->sh->out[b->todo[k]];
		if (!grade_job(b, &b->v[b->todo[k]], o))
			break;
		o->done = true;
		atomic_fetch_add(&b->sh->msec, (long long)((now() - started) * 1000));
		if (!o->graded)
			atomic_fetch_add(&b->sh->nfailed, 1);
		atomic_fetch_add(&b->sh->ndone, 1);
		progress(b, &b->v[b->todo[k]], o);
	}
	end_orphans();
}

/* The stamp of every submission, and whether its result is still good (a worker too). */
static void stamp_main(struct batch *b)
{
	char *kit = kit_listing(b);

	if (!kit)
		warn("cannot hash the kit's files: every submission is graded");
	for (size_t i = 0; i < b->n && kit && !interrupted; i++) {
		struct job *j = &b->v[i];
		struct outcome *o = &b->sh->out[i];
		struct student_meta meta;
		char *dir = xstrfmt("%s/students/%s", b->out, j->id);
		char *results = xstrfmt("%s/results.json", dir);
		char *stamp = job_stamp(b, j, kit);

		if (stamp)
			snprintf(o->stamp, sizeof(o->stamp), "%s", stamp);
		if (!b->force && stamp && !student_meta_read(&meta, dir)) {
			o->skip = meta.stamp && !strcmp(meta.stamp, stamp) &&
				  (is_file(results) || (meta.flags & (GB_BROKEN_ARCHIVE | GB_MISSING)));
			student_meta_release(&meta);
		}
		free(stamp);
		free(results);
		free(dir);
	}
	free(kit);
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
	rc = similar_run(b->kit, b->stages, b->nstages, v, n, b->out, scratch, &grader_pid, &err);
	if (rc && !interrupted)
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

/* The kit is the folder that holds grader/racecourse: two levels above it. */
static char *kit_of(const char *exe)
{
	char *kit = xstrdup(exe);

	for (int i = 0; i < 2; i++) {
		char *slash = strrchr(kit, '/');

		if (slash && slash != kit)
			*slash = '\0';
	}
	return kit;
}

static char *resolve_kit(const char *arg)
{
	char *kit;

	if (arg) {
		kit = real_path(arg);
		if (!kit)
			die("no kit at %s: %s", arg, strerror(errno));
		return kit;
	}
	kit = real_path("/proc/self/exe");
	if (!kit)
		die("cannot find the grader's own path: %s", strerror(errno));
	{
		char *dir = kit_of(kit);

		free(kit);
		return dir;
	}
}

/* Resolves --stage (names or their numbers, "03") against the kit's stages. */
static void resolve_stages(struct batch *b, const char *arg)
{
	char **names;
	size_t n = stage_list(b->kit, &names);
	struct strbuf joined = STRBUF_INIT;

	if (!n)
		die("no stages in %s/assignments: is --kit right?", b->kit);
	if (!arg) {
		b->stages = names;
		b->nstages = n;
	} else {
		char *copy = xstrdup(arg), *save = NULL;
		bool *wanted = xcalloc(n, sizeof(*wanted));

		for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
			struct strbuf err = STRBUF_INIT;
			char *full = stage_resolve(b->kit, s, &err);

			if (!full)
				die("%s", sb_str(&err));
			for (size_t i = 0; i < n; i++)
				wanted[i] |= !strcmp(names[i], full);
			free(full);
			sb_release(&err);
		}
		/* The gradebook's columns in the kit's order, each once. */
		for (size_t i = 0; i < n; i++) {
			if (wanted[i]) {
				b->stages = xrealloc(b->stages, (b->nstages + 1) * sizeof(*b->stages));
				b->stages[b->nstages++] = names[i];
			} else {
				free(names[i]);
			}
		}
		free(wanted);
		free(copy);
		free(names);
		if (!b->nstages)
			die("--stage names no stage");
	}
	for (size_t i = 0; i < b->nstages; i++)
		sb_addf(&joined, "%s%s", i ? "," : "", b->stages[i]);
	b->stage_arg = sb_detach(&joined);
}

static double parse_number(const char *opt, const char *s, double max)
{
	char *end;
	double x = strtod(s, &end);

	if (end == s || *end || x <= 0 || x > max)
		die("%s takes a number above 0 (at most %g), not '%s'", opt, max, s);
	return x;
}

/* Writes OUT/gradebook.csv and OUT/report.html for these students. */
static int write_gradebook(const char *out, const char *kit, char *const *stages, size_t nstages,
			   char *const *ids, size_t nids)
{
	struct gradebook gb;
	struct strbuf err = STRBUF_INIT;
	char *csv = xstrfmt("%s/gradebook.csv", out);
	char *html = xstrfmt("%s/report.html", out);
	int rc = 0;

	gradebook_init(&gb, kit, stages, nstages);
	for (size_t i = 0; i < nids; i++) {
		if (gradebook_add(&gb, out, ids[i], &err)) {
			warn("%s", sb_str(&err));
			sb_release(&err);
		}
	}
	if (gradebook_write_csv(&gb, csv)) {
		warn("cannot write %s: %s", csv, strerror(errno));
		rc = -1;
	}
	if (gradebook_write_html(&gb, base_name(out), html)) {
		warn("cannot write %s: %s", html, strerror(errno));
		rc = -1;
	}
	gradebook_release(&gb);
	free(csv);
	free(html);
	return rc;
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
		case 'j': b.jobs = (long)parse_number("--jobs", optarg, MAX_JOBS); break;
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
		case 'T': scale = parse_number("--timeout-scale", optarg, 100); b.scale = optarg; break;
		case 'L': b.time_limit = parse_number("--time-limit", optarg, 1e6); break;
		case 'K': kit_arg = optarg; break;
		case 'd':
			if (deadline_parse_time(optarg, &b.policy.deadline))
				die("--deadline takes a time like \"2026-12-01 23:59\" (and a zone: "
				    "\"+0100\"), not '%s'", optarg);
			b.deadlines = true;
			break;
		case 'e': extensions = optarg; break;
		case 'l':
			b.policy.late_days = (int)parse_number("--late-days", optarg, 365);
			late_options = true;
			break;
		case 'p':
			b.policy.penalty = parse_number("--late-penalty", optarg, 100);
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
		scale = parse_number("TIMEOUT_SCALE", env, 100);

	b.subs = real_path(argv[optind]);
	if (!b.subs || !is_dir(b.subs))
		die("submissions folder '%s' %s", argv[optind],
		    b.subs ? "is not a directory" : "does not exist");
	b.exe = real_path("/proc/self/exe");
	if (!b.exe)
		die("cannot find the grader's own path: %s", strerror(errno));
	b.kit = resolve_kit(kit_arg);
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
	catch_interrupts();

	check_out_deadlines(&b);
	/* What is unchanged since its result was written is not graded again. */
	worker_pids[0] = start_worker(stamp_main, &b);
	nworker_pids = 1;
	if (wait_workers(worker_pids, 1) && !interrupted)
		die("cannot hash the submissions");
	nworker_pids = 0;
	b.todo = xcalloc(b.n, sizeof(*b.todo));
	for (size_t i = 0; i < b.n && !interrupted; i++) {
		if (*b.sh->out[i].stamp)
			b.v[i].stamp = xstrdup(b.sh->out[i].stamp);
		if (b.sh->out[i].skip)
			nskipped++;
		else
			b.todo[b.ntodo++] = i;
	}

	b.tty = isatty(2) && !getenv("CI");
	nworkers = b.ntodo < (size_t)b.jobs ? b.ntodo : (size_t)b.jobs;
	if (!interrupted)
		fprintf(stderr, "racecourse: batch: grading %zu of %zu submissions (%zu unchanged), "
			"%zu at a time\n", b.ntodo, b.n, nskipped, nworkers);
	for (size_t i = 0; i < nworkers && !interrupted; i++) {
		worker_pids[i] = start_worker(worker_main, &b);
		nworker_pids = (sig_atomic_t)(i + 1);
	}
	if (wait_workers(worker_pids, (size_t)nworker_pids))
		rc = 1;
	nworker_pids = 0;
	if (b.tty && atomic_load(&b.sh->ndone))
		fputc('\n', stderr);
	/* Before the scratch folder goes: it holds the deadlines' checkouts. */
	if (b.similar && !interrupted && check_similarity(&b))
		rc = 1;
	if (remove_tree(b.scratch))
		warn("cannot remove the scratch directory %s", b.scratch);
	if (interrupted) {
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
	if (write_gradebook(b.out, b.kit, b.stages, b.nstages, ids, b.n))
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

/* ---- batch-merge and batch-report ---- */

static const char merge_usage[] =
	"usage: racecourse batch-merge OUT... --out DIR\n"
	"\n"
	"Joins the gradebooks and student folders of several batches (shards of a\n"
	"class) into DIR: gradebook.csv, report.html and students/.\n"
	"\n"
	"  -o, --out DIR   where to write (required)\n"
	"      --kit DIR   the kit's root (default: the folder above the grader)\n"
	"  -h, --help      this text\n";

struct merged {
	char *id;
	const char *from;
};

static int cmp_merged(const void *a, const void *b)
{
	return strcmp(((const struct merged *)a)->id, ((const struct merged *)b)->id);
}

/* Copies the files of one student folder; the folder's old files go. */
static void copy_student(const char *from, const char *to)
{
	DIR *d;
	struct dirent *e;

	if (remove_tree(to) || mkdir_p(to))
		die("cannot write %s: %s", to, strerror(errno));
	d = opendir(from);
	if (!d)
		die("cannot read %s: %s", from, strerror(errno));
	while ((e = readdir(d))) {
		char *src = xstrfmt("%s/%s", from, e->d_name);
		char *dst = xstrfmt("%s/%s", to, e->d_name);

		if (is_file(src) && copy_file(src, dst))
			die("cannot copy %s to %s: %s", src, dst, strerror(errno));
		free(src);
		free(dst);
	}
	closedir(d);
}

int batch_merge_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "kit", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_arg = NULL, *kit_arg = NULL;
	char **stages = NULL, *out, *kit, **ids;
	size_t nstages = 0, n = 0, alloc = 0;
	struct merged *all = NULL;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': out_arg = optarg; break;
		case 'K': kit_arg = optarg; break;
		case 'h': fputs(merge_usage, stdout); return 0;
		default: fputs(merge_usage, stderr); return 2;
		}
	}
	if (!out_arg)
		die("batch-merge needs --out DIR: where to write the merged gradebook");
	if (optind >= argc)
		die("batch-merge needs the batches' folders to merge; see racecourse batch-merge --help");
	kit = resolve_kit(kit_arg);

	for (int i = optind; i < argc; i++) {
		char *csv = xstrfmt("%s/gradebook.csv", argv[i]);
		struct strbuf err = STRBUF_INIT;
		char **st, **these;
		size_t nst, nthese;

		if (gradebook_read_csv(csv, &st, &nst, &these, &nthese, &err))
			die("%s", sb_str(&err));
		if (i == optind) {
			stages = st;
			nstages = nst;
		} else {
			bool same = nst == nstages;

			for (size_t k = 0; same && k < nst; k++)
				same = !strcmp(st[k], stages[k]);
			if (!same)
				die("%s graded other stages than %s: grade every shard with the "
				    "same --stage", argv[i], argv[optind]);
			for (size_t k = 0; k < nst; k++)
				free(st[k]);
			free(st);
		}
		for (size_t k = 0; k < nthese; k++) {
			ALLOC_GROW(all, n + 1, alloc);
			all[n].id = these[k];
			all[n++].from = argv[i];
		}
		free(these);
		free(csv);
	}
	qsort(all, n, sizeof(*all), cmp_merged);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(all[i - 1].id, all[i].id))
			die("the student '%s' is in both %s and %s", all[i].id, all[i - 1].from,
			    all[i].from);

	{
		char *students = xstrfmt("%s/students", out_arg);

		if (mkdir_p(students))
			die("cannot create %s: %s", students, strerror(errno));
		free(students);
	}
	out = real_path(out_arg);
	ids = xcalloc(n ? n : 1, sizeof(*ids));
	for (size_t i = 0; i < n; i++) {
		char *from = xstrfmt("%s/students/%s", all[i].from, all[i].id);
		char *to = xstrfmt("%s/students/%s", out, all[i].id);
		char *rfrom = real_path(from), *rto = real_path(to);

		/* Merging into one of the batches themselves leaves its students where they are. */
		if (!rfrom)
			warn("%s has no folder for %s: it is merged as not graded", all[i].from, all[i].id);
		else if (!rto || strcmp(rfrom, rto))
			copy_student(from, to);
		ids[i] = all[i].id;
		free(rfrom);
		free(rto);
		free(from);
		free(to);
	}
	rc = write_gradebook(out, kit, stages, nstages, ids, n) ? 1 : 0;
	printf("merged %zu students from %d gradebooks\ngradebook: %s/gradebook.csv\n"
	       "report: %s/report.html\n", n, argc - optind, out, out);

	for (size_t i = 0; i < n; i++)
		free(all[i].id);
	free(all);
	free(ids);
	for (size_t i = 0; i < nstages; i++)
		free(stages[i]);
	free(stages);
	free(out);
	free(kit);
	return rc;
}

static const char report_usage[] =
	"usage: racecourse batch-report [--kit DIR] OUT\n"
	"\n"
	"Writes OUT/report.html again from OUT/gradebook.csv and OUT/students/.\n";

int batch_report_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kit", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kit_arg = NULL;
	char *html, *kit;
	struct strbuf err = STRBUF_INIT;
	struct gradebook gb;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'K': kit_arg = optarg; break;
		case 'h': fputs(report_usage, stdout); return 0;
		default: fputs(report_usage, stderr); return 2;
		}
	}
	if (argc - optind != 1)
		die("batch-report takes one batch folder; see racecourse batch-report --help");
	kit = resolve_kit(kit_arg);
	html = xstrfmt("%s/report.html", argv[optind]);
	if (gradebook_load(&gb, argv[optind], kit, &err))
		die("%s", sb_str(&err));
	if (gradebook_write_html(&gb, base_name(argv[optind]), html))
		die("cannot write %s: %s", html, strerror(errno));
	printf("report: %s\n", html);
	gradebook_release(&gb);
	free(html);
	free(kit);
	return 0;
}
