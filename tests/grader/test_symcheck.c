/* Unit tests of the checks on a student's object, on objects compiled here. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "symcheck.h"

static char dir[] = "/tmp/racecourse-symcheck-test.XXXXXX";

static void make_dir(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	remove_tree(dir);
}

/*
 * Compiles `code` as the student's account.c of a stage whose API is
 * account_new and account_free, checks it, and returns the reason it was
 * refused ("" when it was not).
 */
static char *check(const char *code)
{
	char *src = xstrfmt("%s/account.c", dir), *obj = xstrfmt("%s/account.o", dir);
	const char *argv[] = { "cc", "-c", "-O1", "-o", obj, src, NULL };
	char *api[] = { "account_new", "account_free" };
	struct grade_options o = { .cc = "cc" };
	struct stage st = { .api = api, .napi = 2 };
	struct strbuf err = STRBUF_INIT;
	struct child c = CHILD_INIT;
	int rc;

	cr_assert_eq(write_file(src, code, strlen(code)), 0);
	c.argv = argv;
	c.timeout = 60;
	cr_assert_eq(child_run(&c), 0);
	cr_assert(child_ok(&c), "cc: %s", sb_str(&c.out));
	child_release(&c);
	rc = symcheck_object(&o, &st, obj, "account.c", &err);
	cr_assert_eq(rc, err.len ? -1 : 0, "rc %d with \"%s\"", rc, sb_str(&err));
	free(src);
	free(obj);
	return sb_detach(&err);
}

static void assert_refused(const char *code, const char *reason)
{
	char *why = check(code);

	cr_assert(strstr(why, reason), "wanted \"%s\", got \"%s\"", reason, why);
	free(why);
}

TestSuite(symcheck, .init = make_dir, .fini = remove_dir);

Test(symcheck, accepts_the_api_static_helpers_and_data)
{
	char *why = check("#include <stdlib.h>\n"
			  "int accounts_made;\n"
			  "static int helper(int x) { return x * 2; }\n"
			  "void *account_new(void) { accounts_made = helper(accounts_made); "
			  "return malloc(8); }\n"
			  "void account_free(void *a) { free(a); }\n");

	cr_assert_str_empty(why);
	free(why);
}

Test(symcheck, refuses_main)
{
	assert_refused("int main(void) { return 0; }\n", "account.c defines main");
}

Test(symcheck, refuses_a_global_function_outside_the_api)
{
	assert_refused("int account_peek(void) { return 1; }\n",
		       "defines a global function account_peek, which is not part of the stage's API");
}

Test(symcheck, refuses_a_weak_function_outside_the_api)
{
	assert_refused("__attribute__((weak)) int account_peek(void) { return 1; }\n",
		       "global function account_peek");
}

Test(symcheck, refuses_a_global_label_of_inline_asm)
{
	assert_refused("__asm__(\".text\\n.globl account_jump\\naccount_jump: ret\\n\");\n",
		       "global function account_jump");
}

Test(symcheck, refuses_a_name_of_the_c_library)
{
	assert_refused("#include <stddef.h>\n"
		       "long write(int fd, const void *b, size_t n) { (void)fd; (void)b; return (long)n; }\n",
		       "defines write, a name the C library");
}

Test(symcheck, refuses_a_variable_named_like_a_library_function)
{
	assert_refused("int exit = 3;\n", "defines exit");
}

Test(symcheck, refuses_a_name_of_criterion)
{
	assert_refused("void criterion_initialize(void) { }\n", "defines criterion_initialize");
}

Test(symcheck, refuses_a_constructor)
{
	assert_refused("volatile int ready;\n"
		       "__attribute__((constructor)) static void early(void) { ready = 1; }\n",
		       "has a constructor or destructor (section .init_array)");
}

Test(symcheck, refuses_even_a_static_ifunc)
{
	assert_refused("static int real(void) { return 1; }\n"
		       "static int (*pick(void))(void) { return real; }\n"
		       "static int chosen(void) __attribute__((ifunc(\"pick\")));\n"
		       "int (*account_free)(void) = chosen;\n",
		       "defines an indirect function (IFUNC) chosen");
}
