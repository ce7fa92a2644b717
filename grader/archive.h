/* Submissions in archives: listing, checking and extracting them with unzip and tar. */
#ifndef RACECOURSE_ARCHIVE_H
#define RACECOURSE_ARCHIVE_H

#include <stdbool.h>

#include "util.h"

enum archive_kind { ARCHIVE_ZIP, ARCHIVE_TAR };

/*
 * Runs a trusted tool (argv[0] is searched in PATH) for at most two minutes
 * and returns its output, stdout and stderr (malloc'd), or NULL with a
 * one-line reason in err that starts with `what`.
 */
char *tool_output(const char **argv, const char *what, struct strbuf *err);

/* Whether a member called `name` would be written outside the folder it is extracted into. */
bool archive_unsafe_name(const char *name);

/*
 * Extracts the archive into `into` (created), with unzip or tar, after
 * checking that every member is a plain file or folder that lands inside
 * it.  Returns 0, or -1 with a one-line reason in err.
 */
int archive_extract(const char *archive, enum archive_kind kind, const char *into, struct strbuf *err);

/*
 * The folder to grade, relative to parent: rel, or the folder inside it when
 * that is all it holds (an archive of one folder, a repository's clone in a
 * folder of its own).  Malloc'd.
 */
char *archive_descend(const char *parent, const char *rel);

#endif
