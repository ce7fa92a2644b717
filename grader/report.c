/* The report formats the grader can write. */
#include "report.h"

#include <string.h>

const struct report_format report_formats[] = {
	{ "text", "for people: a line per test, the findings, Score: X/Y", report_text },
	{ "json", "Gradescope's results.json", report_json },
	{ "junit", "JUnit XML, for Jenkins, GitLab and GitHub test reporters", report_junit },
	{ "tap", "TAP version 13", report_tap },
	{ "github", "GitHub Actions: annotations at your lines, the text report, a job summary",
	  report_github },
	{ NULL, NULL, NULL },
};

const struct report_format *report_format_find(const char *name)
{
	for (const struct report_format *f = report_formats; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}
