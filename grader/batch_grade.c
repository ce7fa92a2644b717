/* racecourse batch grading one submission: the grader run on it, its outcome recorded in the student's folder. */
#define _GNU_SOURCE
#include "batch_class.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "gradebook.h"
#include "reaper.h"
#include "strvec.h"

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

/*
 * Records the outcome in the student's folder: results.json, report.txt
 * (the grader's own text report, in text_tmp when it graded), batch.json.
 */
static void record(const struct job *j, const struct outcome *o, const char *dir,
		   const char *tmp_results, json_t *results, const char *text_tmp,
		   struct student_meta *meta)
{
	char *path = xstrfmt("%s/results.json", dir);
	char *report = xstrfmt("%s/report.txt", dir);
	struct strbuf graded = STRBUF_INIT;
	char *text;

	if (results) {
		if (rename(tmp_results, path))
			warn("cannot write %s: %s", path, strerror(errno));
	} else {
		unlink(tmp_results);
		unlink(path);
	}
	if (results && read_file(text_tmp, &graded))
		warn("cannot read the grader's text report %s: %s", text_tmp, strerror(errno));
	unlink(text_tmp);
	text = gradebook_text_report(j->id, results, o->flags, meta->problem,
				     results ? sb_str(&graded) : NULL);
	if (write_file(report, text, strlen(text)))
		warn("cannot write %s: %s", report, strerror(errno));
	if (student_meta_write(meta, dir))
		warn("cannot write %s/batch.json: %s", dir, strerror(errno));
	sb_release(&graded);
	free(text);
	free(report);
	free(path);
}

/*
 * Grades one submission with the grader itself, and records the outcome
 * in o and in the student's folder.  Returns false when reaper_interrupted().
 */
static bool grade_job(struct batch *b, struct job *j, struct outcome *o)
{
	char *dir = xstrfmt("%s/students/%s", b->out, j->id);
	char *work = xstrfmt("%s/%zu", b->scratch, (size_t)(j - b->v));
	char *tmpdir = xstrfmt("%s/tmp", work);
	char *tmp_env = xstrfmt("TMPDIR=%s", tmpdir);
	char *results_tmp = xstrfmt("%s/results.json.tmp", dir);
	char *text_tmp = xstrfmt("%s/report.txt.tmp", dir);
	char *limit = xstrfmt("%g", b->time_limit);
	char *parent, *rel = NULL;
	const char *env[] = { tmp_env, NULL };
	struct student_meta meta = { 0 };
	struct child c = CHILD_INIT;
	struct strbuf err = STRBUF_INIT;
	json_t *results = NULL;
	double started = now();
	bool finished = true;

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
		strvec_pushv(&c.args, (const char *[]){ "/proc/self/exe", "--format", "json",
			     "--out", results_tmp, "--text-out", text_tmp, "--kit", b->kit,
			     "--stage", b->stage_arg, "--time-limit", limit, NULL });
		if (b->seed)
			strvec_pushv(&c.args, (const char *[]){ "--seed", b->seed, NULL });
		if (b->scale)
			strvec_pushv(&c.args, (const char *[]){ "--timeout-scale", b->scale, NULL });
		if (b->detectors)
			strvec_pushv(&c.args, (const char *[]){ "--detectors", b->detectors, NULL });
		strvec_pushv(&c.args, (const char *[]){ "--", rel, NULL });
		c.dir = parent;
		c.env = env;
		/* The grader ends itself at its limit; this is in case it cannot. */
		c.timeout = b->time_limit + GRACE_SECONDS;
		c.out_cap = 64 * 1024;
		/* Interrupted, child_finish() ends the grader, which ends what it runs. */
		if (!reaper_interrupted() && !child_start(&c))
			child_finish(&c);
		if (reaper_interrupted()) {
			finished = false;
			unlink(results_tmp);
			unlink(text_tmp);
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
	record(j, o, dir, results_tmp, results, text_tmp, &meta);
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
	free(text_tmp);
	free(tmp_env);
	free(tmpdir);
	free(work);
	free(dir);
	return finished;
}

/* A worker: grades the next submission not yet taken, until none is left. */
void batch_worker_main(struct batch *b)
{
	for (;;) {
		size_t k = atomic_fetch_add(&b->sh->next, 1);
		double started = now();
		struct outcome *o;

		if (reaper_interrupted() || k >= b->ntodo)
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
}
