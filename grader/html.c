/* Escaping text for the HTML pages the grader writes. */
#include "html.h"

#include <string.h>

void html_escape(struct strbuf *sb, const char *text)
{
	for (const char *p = text ? text : ""; *p; p++) {
		switch (*p) {
		case '&': sb_adds(sb, "&amp;"); break;
		case '<': sb_adds(sb, "&lt;"); break;
		case '>': sb_adds(sb, "&gt;"); break;
		case '"': sb_adds(sb, "&quot;"); break;
		case '\'': sb_adds(sb, "&#39;"); break;
		default: sb_add(sb, p, 1);
		}
	}
}

void url_escape(struct strbuf *sb, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			sb_add(sb, (const char *)p, 1);
		else
			sb_addf(sb, "%%%02X", *p);
	}
}
