/* Gradebooks for learning platforms: Canvas's and Moodle's CSV imports. */
#ifndef RACECOURSE_LMS_H
#define RACECOURSE_LMS_H

#include <stddef.h>

#include "gradebook.h"
#include "util.h"

enum lms_kind { LMS_CANVAS, LMS_MOODLE };

/* One student as the platform knows them: a row of the mapping file. */
struct lms_person {
	char *id;		/* the batch's id (the submission's name) */
	char *lms_id;		/* Canvas's user ID; for Moodle, what the import matches on */
	char *name, *sis_id, *section;	/* "" when the mapping file does not say */
};

/* The mapping file: a header id,lms_id[,name[,sis_id[,section]]], a row per student. */
struct lms_map {
	struct lms_person *people;
	size_t n, alloc;
};

/*
 * Reads a mapping file.  Returns 0, or -1 with a one-line reason in err (no
 * such header, a row without an id or lms_id, an id mapped twice).
 */
int lms_map_read(struct lms_map *m, const char *path, struct strbuf *err);
void lms_map_release(struct lms_map *m);
/* The person the batch's `id` is, or NULL. */
const struct lms_person *lms_map_find(const struct lms_map *m, const char *id);

/*
 * Writes the gradebook for the platform: a column per stage ("TITLE 03-race")
 * and the total ("TITLE"), a row per mapped student (the others are left
 * out).  Returns 0, or -1 with errno set.
 */
int lms_write(const struct gradebook *gb, const struct lms_map *m, enum lms_kind kind,
	      const char *title, const char *path);

/* racecourse batch-export OUT --lms canvas|moodle --map MAP.csv [--out FILE] [--title T] */
int lms_export_main(int argc, char **argv);

#endif
