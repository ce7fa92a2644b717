/* The class report: one self-contained HTML page of where a class struggles. */
#ifndef RACECOURSE_GRADEBOOK_HTML_H
#define RACECOURSE_GRADEBOOK_HTML_H

#include "gradebook.h"
#include "html.h"
#include "util.h"

/*
 * Writes report.html for the gradebook: a score histogram per stage and of
 * the totals, the share of the class with each flag, the tests failed most
 * often, the detector findings seen most often by stage, file:line and kind,
 * and a table of the students linking to their report.txt (under
 * students/<id>/, as a batch writes them beside the page).  Inline CSS and
 * SVG only: no script, nothing fetched.  `title` heads the page.  Returns 0,
 * or -1 with errno set.
 */
int gradebook_write_html(const struct gradebook *gb, const char *title, const char *path);

#endif
