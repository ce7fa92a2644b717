/* Escaping text for the HTML pages the grader writes. */
#ifndef RACECOURSE_HTML_H
#define RACECOURSE_HTML_H

#include "util.h"

/* Appends text with &, <, >, " and ' escaped for HTML. */
void html_escape(struct strbuf *sb, const char *text);

/* Appends text as a path segment of a link: every byte but the unreserved ones, percent-encoded. */
void url_escape(struct strbuf *sb, const char *text);

#endif
