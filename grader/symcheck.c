/* Checking the student's object file before it is linked with the kit's tests. */
#define _GNU_SOURCE
#include "symcheck.h"

#include <dlfcn.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"

/* Runs a binutils command and returns its output, or NULL when it failed. */
static char *run_tool(const char *const *argv, struct strbuf *err)
{
	struct child c = CHILD_INIT;
	char *out = NULL;

	c.argv = (const char **)argv;
	c.timeout = 60;
	c.out_cap = 16 << 20;
	if (child_run(&c) || !child_ok(&c)) {
		char *how = child_describe(&c);

		sb_addf(err, "%s %s: %s", argv[0], how, sb_str(&c.out));
		free(how);
	} else {
		out = sb_detach(&c.out);
	}
	child_release(&c);
	return out;
}

/* ---- the libraries' own symbols, read once ---- */

static struct hsearch_data library_symbols;
static bool library_symbols_read;

static void add_library(const char *cc, const char *lib)
{
	char *arg = xstrfmt("-print-file-name=%s", lib);
	const char *which[] = { cc, arg, NULL };
	struct strbuf err = STRBUF_INIT;
	char *path = run_tool(which, &err), *list, *save = NULL;

	free(arg);
	if (!path)
		goto out;
	path[strcspn(path, "\n")] = '\0';
	if (!strchr(path, '/'))
		goto out;	/* not installed: nothing of it can be redefined */
	{
		const char *nm[] = { "nm", "-D", "-P", "--defined-only", path, NULL };

		list = run_tool(nm, &err);
	}
	for (char *line = list ? strtok_r(list, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		ENTRY e = { 0 }, *found;
		char *end = strchr(line, ' ');

		if (!end)
			continue;
		*end = '\0';
		/* "write@@GLIBC_2.2.5": the name is what comes before the version. */
		line[strcspn(line, "@")] = '\0';
		e.key = xstrdup(line);
		if (!hsearch_r(e, FIND, &found, &library_symbols))
			hsearch_r(e, ENTER, &found, &library_symbols);
		else
			free(e.key);
	}
	free(list);
out:
	free(path);
	sb_release(&err);
}

/*
 * The C library, pthreads and jansson are loaded in the grader itself, so
 * the dynamic linker answers for them at once; only Criterion's few
 * symbols are listed with nm (listing libc's thousands took a second).
 */
static bool is_library_symbol(const char *cc, const char *name)
{
	ENTRY e = { .key = (char *)name }, *found;

	if (dlsym(RTLD_DEFAULT, name))
		return true;
	if (!library_symbols_read) {
		if (!hcreate_r(1 << 12, &library_symbols))
			die("out of memory");
		add_library(cc, "libcriterion.so");
		library_symbols_read = true;
	}
	return hsearch_r(e, FIND, &found, &library_symbols) != 0;
}

/* ---- the checks ---- */

static bool in_api(const struct stage *st, const char *name)
{
	for (size_t i = 0; i < st->napi; i++)
		if (!strcmp(st->api[i], name))
			return true;
	return false;
}

static int check_sections(const char *obj, const char *display, struct strbuf *err)
{
	static const char *const forbidden[] = {
		".init_array", ".fini_array", ".preinit_array", ".ctors", ".dtors", ".init", ".fini",
	};
	const char *argv[] = { "readelf", "-S", "-W", obj, NULL };
	char *list = run_tool(argv, err), *save = NULL;
	int rc = 0;

	if (!list)
		return -1;
	for (char *line = strtok_r(list, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
		for (size_t i = 0; i < sizeof(forbidden) / sizeof(*forbidden); i++) {
			const char *hit = strstr(line, forbidden[i]);
			size_t n = strlen(forbidden[i]);

			/* ".init_array" or ".init_array.00101", not ".init_arrayX" */
			if (hit && hit[-1] == ' ' && (hit[n] == ' ' || hit[n] == '.')) {
				sb_addf(err, "%s has a constructor or destructor (section %s): code that "
					"runs before main or after exit is not allowed", display, forbidden[i]);
				rc = -1;
				break;
			}
		}
	}
	free(list);
	return rc;
}

/*
 * An IFUNC symbol's resolver runs when the program is loaded, before main,
 * even when the symbol is static: a constructor by another name.
 */
static int check_ifuncs(const char *obj, const char *display, struct strbuf *err)
{
	const char *argv[] = { "readelf", "-s", "-W", obj, NULL };
	char *list = run_tool(argv, err), *save = NULL;
	int rc = 0;

	if (!list)
		return -1;
	for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, " IFUNC ")) {
			const char *name = strrchr(line, ' ');

			sb_addf(err, "%s defines an indirect function (IFUNC)%s%s: its resolver runs "
				"before main, which is not allowed", display, name ? "" : "",
				name ? name : "");
			rc = -1;
			break;
		}
	}
	free(list);
	return rc;
}

int symcheck_object(const struct grade_options *o, const struct stage *st, const char *obj,
		    const char *display, struct strbuf *err)
{
	const char *argv[] = { "nm", "-P", "-g", "--defined-only", obj, NULL };
	char *list, *save = NULL;
	int rc = 0;

	if (check_sections(obj, display, err) || check_ifuncs(obj, display, err))
		return -1;
	list = run_tool(argv, err);
	if (!list)
		return -1;
	/* nm -P: "name type value size", one global symbol a line. */
	for (char *line = strtok_r(list, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		char type;

		if (!sp)
			continue;
		*sp = '\0';
		type = sp[1];
		if (!strcmp(line, "main")) {
			sb_addf(err, "%s defines main: the kit provides the program, your file only "
				"the stage's functions", display);
			rc = -1;
		} else if (is_library_symbol(o->cc, line)) {
			sb_addf(err, "%s defines %s, a name the C library, pthreads or the test "
				"framework already define: rename it, or make it static", display, line);
			rc = -1;
		} else if (st->napi && strchr("TWi", type) && !in_api(st, line)) {
			sb_addf(err, "%s defines a global function %s, which is not part of the stage's "
				"API: make it static", display, line);
			rc = -1;
		}
	}
	free(list);
	return rc;
}
