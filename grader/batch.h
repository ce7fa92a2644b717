/* Grading a whole class: racecourse batch, batch-merge and batch-report. */
#ifndef RACECOURSE_BATCH_H
#define RACECOURSE_BATCH_H

/*
 * racecourse batch [options] SUBS_DIR: grades every submission in SUBS_DIR
 * (a folder, or a .zip, .tar.gz or .tgz archive, per student) by running
 * the grader itself on each, several at a time, and writes OUT/gradebook.csv,
 * OUT/report.html and OUT/students/<id>/ (see gradebook.h).  A submission
 * whose files, options and kit are unchanged since its result was written
 * is not graded again.  Returns the exit status: 0 when every submission has
 * a result, 1 when the grader could not grade some, 2 on bad usage.
 */
int batch_main(int argc, char **argv);

/*
 * racecourse batch-merge OUT... --out DIR: joins the gradebooks and student
 * folders of several batches (a class graded in shards) into DIR.
 */
int batch_merge_main(int argc, char **argv);

/* racecourse batch-report OUT: writes OUT/report.html from OUT's gradebook again. */
int batch_report_main(int argc, char **argv);

#endif
