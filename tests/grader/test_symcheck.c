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
static char *check_flagged(const char *code, char **flagged)
{
	char *src = xstrfmt("%s/account.c", dir), *obj = xstrfmt("%s/account.o", dir);
	const char *argv[] = { "cc", "-c", "-g", "-O1", "-pthread", "-o", obj, src, NULL };
	char *api[] = { "account_new", "account_free" }, *imports[] = { "fork" };
	struct grade_options o = { .cc = "cc" };
	struct stage st = { .api = api, .napi = 2, .imports = imports, .nimports = 1 };
	struct strbuf err = STRBUF_INIT, flags = STRBUF_INIT;
	struct child c = CHILD_INIT;
	int rc;

	cr_assert_eq(write_file(src, code, strlen(code)), 0);
	strvec_pushv(&c.args, argv);
	c.timeout = 60;
	cr_assert_eq(child_run(&c), 0);
	cr_assert(child_ok(&c), "cc: %s", sb_str(&c.out));
	child_release(&c);
	rc = symcheck_object(&o, &st, obj, "account.c", &err, &flags);
	cr_assert_eq(rc, err.len ? -1 : 0, "rc %d with \"%s\"", rc, sb_str(&err));
	free(src);
	free(obj);
	*flagged = sb_detach(&flags);
	return sb_detach(&err);
}

/* The reason `code` was refused ("" when it was not). */
static char *check(const char *code)
{
	char *flagged, *why = check_flagged(code, &flagged);

	free(flagged);
	return why;
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
			  "static int accounts_made;\n"
			  "static int helper(int x) { return x * 2; }\n"
			  "void *account_new(void) { accounts_made = helper(accounts_made); "
			  "return malloc(8); }\n"
			  "void account_free(void *a) { free(a); }\n");

	cr_assert_str_empty(why);
	free(why);
}

Test(symcheck, refuses_main)
{
	assert_refused("int main(void) { return 0; }\n", "account.c:1: your file defines main");
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
		       "account.c:2: your file has a constructor or destructor (section .init_array)");
}

Test(symcheck, refuses_even_a_static_ifunc)
{
	assert_refused("static int real(void) { return 1; }\n"
		       "static int (*pick(void))(void) { return real; }\n"
		       "static int chosen(void) __attribute__((ifunc(\"pick\")));\n"
		       "int (*account_free)(void) = chosen;\n",
		       "defines an indirect function (IFUNC) chosen");
}

/* ---- sections by type and by name ---- */

Test(symcheck, refuses_an_init_array_typed_section_under_another_name)
{
	assert_refused("static void early(void) { }\n"
		       "__asm__(\".section .my_init,\\\"aw\\\",@init_array\\n"
		       ".quad early\\n.previous\\n\");\n"
		       "void account_free(void *a) { (void)a; early(); }\n",
		       "constructor or destructor (section .my_init)");
}

Test(symcheck, refuses_a_preinit_array_typed_section)
{
	assert_refused("static void early(void) { }\n"
		       "__asm__(\".section .data.hooks,\\\"aw\\\",@preinit_array\\n"
		       ".quad early\\n.previous\\n\");\n"
		       "void account_free(void *a) { (void)a; early(); }\n",
		       "(section .data.hooks)");
}

Test(symcheck, refuses_criterions_sections)
{
	assert_refused("static void hook(void *d) { (void)d; }\n"
		       "__attribute__((section(\"cr_pot\"), used)) static void *post = (void *)hook;\n",
		       "section cr_pot");
	assert_refused("__attribute__((section(\"cr_tst\"), used)) static int fake = 1;\n",
		       "test framework (Criterion)");
}

Test(symcheck, refuses_the_tm_clone_table)
{
	assert_refused("__attribute__((section(\".tm_clone_table\"), used)) static long t[2] = { 1, 2 };\n",
		       "transactional-memory clone table");
}

Test(symcheck, refuses_an_unknown_section_and_code_outside_text)
{
	assert_refused("__attribute__((section(\".mine\"), used)) static int x = 1;\n",
		       "section .mine");
	assert_refused("__attribute__((section(\".data.run\"))) void account_free(void *a) { (void)a; }\n",
		       "executable code outside .text");
}

/* Bytes written at run time escape the scan of code: nothing writable may run. */
Test(symcheck, refuses_code_that_can_be_written_and_an_executable_stack)
{
	assert_refused("__asm__(\".section .text.patchable,\\\"awx\\\",@progbits\\n\\tret\\n.previous\");\n"
		       "void account_free(void *a) { (void)a; }\n",
		       "a section both writable and executable");
	assert_refused("__asm__(\".section .note.GNU-stack,\\\"x\\\",@progbits\\n.previous\");\n"
		       "void account_free(void *a) { (void)a; }\n",
		       "an executable stack");
}

Test(symcheck, accepts_thread_local_and_read_only_data)
{
	char *why = check("#include <stdlib.h>\n"
			  "static _Thread_local int calls;\n"
			  "static const char *const names[] = { \"a\", \"b\" };\n"
			  "void *account_new(void) { calls++; return (void *)names[calls & 1]; }\n"
			  "void account_free(void *a) { (void)a; }\n");

	cr_assert_str_empty(why);
	free(why);
}

/* ---- defined symbols ---- */

Test(symcheck, refuses_a_global_variable_outside_the_api)
{
	assert_refused("int accounts_made;\n", "account.c:1: your file defines a global variable accounts_made");
}

Test(symcheck, refuses_a_tm_clone_hook_object)
{
	assert_refused("void *_ITM_registerTMCloneTable = 0;\n", "_ITM_registerTMCloneTable");
	assert_refused("char __TMC_END__[8];\n", "__TMC_END__");
}

/* ---- imported symbols ---- */

Test(symcheck, refuses_dlsym_with_its_line)
{
	assert_refused("#define _GNU_SOURCE\n#include <dlfcn.h>\n"
		       "void *account_new(void)\n{\n"
		       "\treturn dlsym(RTLD_DEFAULT, \"malloc\");\n}\n",
		       "account.c:5: your code uses dlsym, which finds or loads code at run time");
}

Test(symcheck, refuses_calls_that_reach_outside)
{
	static const char *const calls[][2] = {
		{ "#include <unistd.h>\nlong r; void account_free(void *a) { (void)a; r = syscall(1); }", "syscall" },
		{ "#include <stdio.h>\nvoid *account_new(void) { return fopen(\"/proc/self/environ\", \"r\"); }", "fopen" },
		{ "#include <stdlib.h>\nvoid *account_new(void) { return getenv(\"HOME\"); }", "getenv" },
		{ "extern char **environ;\nvoid *account_new(void) { return environ; }", "environ" },
		{ "extern void *__start_cr_tst[] __attribute__((weak));\nvoid *account_new(void) { return __start_cr_tst; }",
		  "__start_cr_tst" },
		{ "void criterion_abort_test(void);\nvoid account_free(void *a) { (void)a; criterion_abort_test(); }",
		  "calls the test framework" },
		{ "#include <sys/mman.h>\nvoid *account_new(void) { return mmap(0, 4096, 7, 0x22, -1, 0); }", "maps memory" },
		{ "#include <sys/prctl.h>\nvoid account_free(void *a) { (void)a; prctl(4, 0); }", "prctl" },
		{ "#include <stdlib.h>\nvoid account_free(void *a) { (void)a; atexit(0); }", "after exit" },
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(*calls); i++)
		assert_refused(calls[i][0], calls[i][1]);
}

/* A fortified or C99 alias is judged as the call it stands for, not admitted by its shape. */
Test(symcheck, judges_a_fortified_call_as_its_plain_call)
{
	char *why = check("#define _FORTIFY_SOURCE 2\n#include <stdio.h>\n#include <string.h>\n"
			  "void *account_new(char *d, const char *s, int n)\n"
			  "{\n\tmemcpy(d, s, (size_t)n);\n\tprintf(\"%d\\n\", n);\n"
			  "\tsscanf(s, \"%d\", &n);\n\treturn d;\n}\n");

	cr_assert_str_empty(why);
	free(why);
	assert_refused("#include <sys/types.h>\nint __dprintf_chk(int, int, const char *, ...);\n"
		       "void account_free(void *a) { __dprintf_chk(8, 1, \"%p\", a); }\n",
		       "account.c:3: your code uses __dprintf_chk, which is not among");
	assert_refused("#include <sys/types.h>\n"
		       "ssize_t __readlink_chk(const char *, char *, size_t, size_t);\n"
		       "void account_free(void *a) { __readlink_chk(\"x\", a, 8, 8); }\n",
		       "uses __readlink_chk");
	assert_refused("#include <setjmp.h>\nvoid __longjmp_chk(jmp_buf, int);\nstatic jmp_buf j;\n"
		       "void account_free(void *a) { (void)a; __longjmp_chk(j, 1); }\n",
		       "uses __longjmp_chk, which jumps out of a function");
	assert_refused("#include <stdio.h>\nint __isoc99_scanf(const char *, ...);\n"
		       "void account_free(void *a) { __isoc99_scanf(\"%p\", &a); }\n",
		       "uses __isoc99_scanf");
}

Test(symcheck, flags_an_ending_call_the_stage_does_not_list)
{
	char *flagged, *why = check_flagged("#include <stdlib.h>\n"
					    "void account_free(void *a)\n{\n\tfree(a);\n\texit(0);\n}\n",
					    &flagged);

	cr_assert_str_empty(why);
	cr_assert(strstr(flagged, "account.c:5: calls exit, which ends the process"), "%s", flagged);
	free(why);
	free(flagged);
}

Test(symcheck, allows_the_stages_own_imports)
{
	char *flagged, *why = check_flagged("#include <unistd.h>\n"
					    "void *account_new(void) { return (void *)(long)fork(); }\n",
					    &flagged);

	cr_assert_str_empty(why);
	cr_assert_str_empty(flagged);
	free(why);
	free(flagged);
}

/* ---- code ---- */

Test(symcheck, refuses_a_syscall_instruction)
{
	assert_refused("void account_free(void *a)\n{\n\t(void)a;\n"
		       "\t__asm__ volatile(\"mov $60, %%eax\\n\\tsyscall\" ::: \"rax\", \"rcx\", \"r11\");\n}\n",
		       "account.c:4: your code has a system call instruction (syscall)");
}

Test(symcheck, refuses_syscall_bytes_hidden_in_another_instruction)
{
	/* a jump into the middle of `mov $0x050f, %eax` would run the syscall */
	assert_refused("void account_free(void *a) { (void)a; __asm__ volatile(\"mov $0x050f, %%eax\" ::: \"rax\"); }\n",
		       "system call instruction");
}

/* A relocation whose value is the same wherever the code is linked writes its bytes too. */
Test(symcheck, refuses_a_syscall_spelled_by_a_relocation)
{
	assert_refused("__asm__(\".text\\ngadget:\\n\\t.reloc ., R_X86_64_PC32, gadget+0x050f\\n"
		       "\\t.long 0\\n\\tret\\n\");\n"
		       "void account_free(void *a) { (void)a; }\n",
		       "system call instruction (syscall)");
	assert_refused("__asm__(\".set spelled, 0x340f\\n.text\\n\\t.reloc ., R_X86_64_16, spelled\\n"
		       "\\t.short 0\\n\\tret\\n\");\n"
		       "void account_free(void *a) { (void)a; }\n",
		       "system call instruction (sysenter)");
}

Test(symcheck, refuses_valgrinds_client_requests)
{
	assert_refused("int account_free(void)\n{\n\tint r = 0;\n"
		       "\t__asm__ volatile(\"rolq $3,%%rdi\\n\\trolq $13,%%rdi\\n\\trolq $61,%%rdi\\n"
		       "\\trolq $51,%%rdi\\n\\txchgq %%rbx,%%rbx\" : \"=d\"(r) : \"a\"(0), \"0\"(r) : \"memory\");\n"
		       "\treturn r;\n}\n",
		       "valgrind client request");
}

Test(symcheck, refuses_what_is_not_an_object)
{
	struct grade_options o = { .cc = "cc" };
	struct stage st = { 0 };
	struct strbuf err = STRBUF_INIT;
	char *path = xstrfmt("%s/junk.o", dir);

	cr_assert_eq(write_file(path, "\177ELF junk", 9), 0);
	cr_assert_eq(symcheck_object(&o, &st, path, "account.c", &err, NULL), -1);
	cr_assert(strstr(sb_str(&err), "not an ELF object"), "%s", sb_str(&err));
	sb_release(&err);
	free(path);
}

Test(symcheck, flags_a_proc_path_where_the_stage_allows_exec)
{
	char *flagged, *why = check_flagged("#include <unistd.h>\n"
					    "void *account_new(void)\n{\n"
					    "\treturn (void *)(long)fork() ? 0 : \"/proc/self/environ\";\n}\n",
					    &flagged);

	cr_assert_str_empty(why);
	cr_assert(strstr(flagged, "account.c:4: has the string \"/proc/\""), "%s", flagged);
	free(why);
	free(flagged);
}

Test(symcheck, a_refusal_says_what_to_change)
{
	char *why = check("#include <stdlib.h>\n"
			  "void *account_new(void)\n{\n\treturn getenv(\"HOME\");\n}\n");

	cr_assert_str_eq(why, "account.c:4: your code uses getenv, which reads the environment, "
			 "where the grader's settings are: no solution of this stage needs it. Remove "
			 "it, and use only the C library's ordinary functions (and those the "
			 "assignment asks for)");
	free(why);
}

/* ---- other spellings of the same attacks ---- */

Test(symcheck, refuses_other_ways_to_find_code_at_run_time)
{
	assert_refused("#define _GNU_SOURCE\n#include <dlfcn.h>\n"
		       "void *account_new(void) { return dlvsym(RTLD_NEXT, \"malloc\", \"GLIBC_2.2.5\"); }\n",
		       "uses dlvsym");
	assert_refused("void *__libc_dlsym(void *, const char *);\n"
		       "void *account_new(void) { return __libc_dlsym(0, \"malloc\"); }\n",
		       "uses __libc_dlsym");
	assert_refused("extern char __executable_start[];\n"
		       "void *account_new(void) { return __executable_start; }\n",
		       "uses __executable_start");
	assert_refused("extern int main(void) __attribute__((weak));\n"
		       "void *account_new(void) { return (void *)main; }\n",
		       "uses main");
}

Test(symcheck, refuses_constructors_spelled_otherwise)
{
	assert_refused("static void late(void) { }\n"
		       "__attribute__((section(\".init_array.00099\"), used)) static void (*p)(void) = late;\n",
		       "constructor or destructor (section .init_array.00099)");
	assert_refused("static volatile int done;\n"
		       "__attribute__((destructor)) static void late(void) { done = 1; }\n",
		       "constructor or destructor (section .fini_array)");
}

Test(symcheck, refuses_the_older_system_call_instructions)
{
	assert_refused("void account_free(void *a) { (void)a; __asm__ volatile(\"int $0x80\"); }\n",
		       "system call instruction (int $0x80)");
	assert_refused("void account_free(void *a) { (void)a; __asm__ volatile(\"sysenter\"); }\n",
		       "system call instruction (sysenter)");
}
