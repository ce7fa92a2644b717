/* Checking the student's object file before it is linked with the kit's tests. */
#define _GNU_SOURCE
#include "symcheck.h"

#include <dlfcn.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"

/*
 * Every listing comes from readelf.  nm would do as well, but binutils'
 * nm loads each linker plugin it finds (LLVM's is 100 MB), and that was
 * a tenth of a stage's build.
 */

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

/* One row of readelf's symbol table, pointing into the line it was read from. */
struct symbol {
	const char *name;	/* without its version: "write", not "write@@GLIBC_2.2.5" */
	const char *type;	/* FUNC, OBJECT, IFUNC, NOTYPE... */
	const char *bind;	/* LOCAL, GLOBAL, WEAK or UNIQUE */
	bool defined;
};

/*
 * Splits a row of `readelf -s -W`:
 *   "    9: 0000000000000000    73 FUNC    GLOBAL DEFAULT    1 account_new"
 * and of --dyn-syms, whose names may carry a version and " (3)".  Returns
 * false for the headers, blank lines and the nameless first row.
 */
static bool parse_symbol(char *line, struct symbol *s)
{
	char *field[12], *save = NULL, *tok;
	size_t n = 0;

	for (tok = strtok_r(line, " \t", &save); tok && n < 12; tok = strtok_r(NULL, " \t", &save))
		field[n++] = tok;
	if (n && field[n - 1][0] == '(')
		n--;	/* the version's index */
	/* Num: Value Size Type Bind Vis [other...] Ndx Name */
	if (n < 8 || field[0][strlen(field[0]) - 1] != ':' || field[0][0] < '0' || field[0][0] > '9')
		return false;
	s->name = field[n - 1];
	field[n - 1][strcspn(field[n - 1], "@")] = '\0';
	s->type = field[3];
	s->bind = field[4];
	s->defined = strcmp(field[n - 2], "UND") != 0;
	return *s->name != '\0';
}

/* ---- the libraries' own symbols, read once ---- */

static struct hsearch_data library_symbols;
static bool library_symbols_read;

static void add_library(const char *cc, const char *lib)
{
	char *arg = xstrfmt("-print-file-name=%s", lib);
	const char *which[] = { cc, arg, NULL };
	struct strbuf err = STRBUF_INIT;
	char *path = run_tool(which, &err), *list = NULL, *save = NULL;

	free(arg);
	if (!path)
		goto out;
	path[strcspn(path, "\n")] = '\0';
	if (!strchr(path, '/'))
		goto out;	/* not installed: nothing of it can be redefined */
	{
		const char *readelf[] = { "readelf", "--dyn-syms", "-W", path, NULL };

		list = run_tool(readelf, &err);
	}
	for (char *line = list ? strtok_r(list, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		ENTRY e = { 0 }, *found;
		struct symbol s;

		if (!parse_symbol(line, &s) || !s.defined || !strcmp(s.bind, "LOCAL"))
			continue;
		e.key = xstrdup(s.name);
		if (!hsearch_r(e, FIND, &found, &library_symbols))
			hsearch_r(e, ENTER, &found, &library_symbols);
		else
			free(e.key);
	}
out:
	free(list);
	free(path);
	sb_release(&err);
}

/*
 * The C library, pthreads and jansson are loaded in the grader itself, so
 * the dynamic linker answers for them at once; only Criterion's few
 * symbols are listed with readelf (listing libc's thousands took a second).
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

/* Is one symbol of the student's object refused?  If so, says why in err. */
static bool refused(const struct grade_options *o, const struct stage *st,
		    const struct symbol *s, const char *display, struct strbuf *err)
{
	/* C compilers make only FUNC; a global label of inline asm is NOTYPE */
	bool function = !strcmp(s->type, "FUNC") || !strcmp(s->type, "IFUNC") ||
			!strcmp(s->type, "NOTYPE");

	/* An IFUNC's resolver runs when the program is loaded, before main, even when static. */
	if (!strcmp(s->type, "IFUNC")) {
		sb_addf(err, "%s defines an indirect function (IFUNC) %s: its resolver runs "
			"before main, which is not allowed", display, s->name);
		return true;
	}
	if (!strcmp(s->bind, "LOCAL") || !s->defined)
		return false;
	if (!strcmp(s->name, "main")) {
		sb_addf(err, "%s defines main: the kit provides the program, your file only "
			"the stage's functions", display);
		return true;
	}
	if (is_library_symbol(o->cc, s->name)) {
		sb_addf(err, "%s defines %s, a name the C library, pthreads or the test "
			"framework already define: rename it, or make it static", display, s->name);
		return true;
	}
	if (st->napi && function && !in_api(st, s->name)) {
		sb_addf(err, "%s defines a global function %s, which is not part of the stage's "
			"API: make it static", display, s->name);
		return true;
	}
	return false;
}

int symcheck_object(const struct grade_options *o, const struct stage *st, const char *obj,
		    const char *display, struct strbuf *err)
{
	const char *argv[] = { "readelf", "-s", "-W", obj, NULL };
	char *list, *save = NULL;
	int rc = 0;

	if (check_sections(obj, display, err))
		return -1;
	list = run_tool(argv, err);
	if (!list)
		return -1;
	for (char *line = strtok_r(list, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
		struct symbol s;

		if (parse_symbol(line, &s) && refused(o, st, &s, display, err))
			rc = -1;
	}
	free(list);
	return rc;
}
