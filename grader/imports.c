/* Which library calls a student's object may make: the allowlist of admission. */
#include "imports.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

/*
 * Everything a solution of any stage may call.  Names are shell globs.  The list is of ordinary calls: nothing that finds code at run
 * time, opens files, reads the environment, maps memory or reaches other
 * processes.  A stage adds its own (fork, exec...) in its manifest.
 */
static const char *const allowed[] = {
	/* memory */
	"malloc", "calloc", "realloc", "reallocarray", "free", "aligned_alloc", "posix_memalign",
	/* strings and characters */
	"memcpy", "memmove", "memset", "memcmp", "memchr", "strlen", "strnlen", "strcpy", "strncpy",
	"stpcpy", "strcat", "strncat", "strcmp", "strncmp", "strcasecmp", "strncasecmp", "strchr",
	"strrchr", "strstr", "strdup", "strndup", "strtok", "strtok_r", "strspn", "strcspn",
	"strpbrk", "isalpha", "isdigit", "isalnum", "isspace", "isupper", "islower", "isprint",
	"ispunct", "isxdigit", "toupper", "tolower", "__ctype_b_loc", "__ctype_tolower_loc",
	"__ctype_toupper_loc",
	/* numbers, sorting */
	"abs", "labs", "llabs", "div", "ldiv", "qsort", "bsearch", "strtol", "strtoul", "strtoll",
	"strtoull", "strtod", "atoi", "atol", "atoll", "rand", "srand", "rand_r", "random",
	"srandom", "drand48", "lrand48", "erand48", "nrand48", "strsep", "memccpy",
	/* output and errors; abort ends a test as failed, so it forges nothing */
	"printf", "fprintf", "vprintf", "vfprintf", "snprintf", "vsnprintf", "sprintf", "vsprintf",
	"puts", "fputs", "fputc", "putc", "putchar", "fwrite", "fflush", "perror", "stdout",
	"stderr", "sscanf", "__errno_location", "strerror", "strerror_r", "__xpg_strerror_r",
	"__assert_fail", "abort",
	/* time */
	"clock_gettime", "clock_nanosleep", "time", "clock", "gettimeofday", "timespec_get",
	"difftime", "nanosleep", "usleep", "sleep", "sched_yield", "sysconf", "get_nprocs",
	"getpid",
	/* threads */
	"pthread_create", "pthread_join", "pthread_detach", "pthread_self", "pthread_equal",
	"pthread_once", "pthread_mutex_*", "pthread_mutexattr_*", "pthread_cond_*",
	"pthread_condattr_*", "pthread_rwlock_*", "pthread_rwlockattr_*", "pthread_spin_*",
	"pthread_barrier_*", "pthread_barrierattr_*", "pthread_attr_*", "pthread_key_create",
	"pthread_key_delete", "pthread_getspecific", "pthread_setspecific", "sem_init",
	"sem_destroy", "sem_wait", "sem_trywait", "sem_timedwait", "sem_post", "sem_getvalue",
	"__pthread_register_cancel", "__pthread_unregister_cancel", "__pthread_unwind_next",
	/* C11 threads */
	"thrd_create", "thrd_join", "thrd_detach", "thrd_current", "thrd_equal", "thrd_yield",
	"thrd_sleep", "mtx_*", "cnd_*", "call_once", "tss_*",
	/* what compilers call on their own: stack protector, atomics (fortified calls: below) */
	"__stack_chk_fail", "__atomic_*", "__sync_*",
	/* the linker's, for thread-local data and weak references in position-independent code */
	"_GLOBAL_OFFSET_TABLE_", "__tls_get_addr",
};

/*
 * Allowed, but they end a process or a thread: in a stage that does not
 * list them, a test body that ends early is how a forged result looks.
 */
static const char *const ending[] = {
	"exit", "_exit", "_Exit", "quick_exit", "pthread_exit", "kill", "raise", "pthread_kill",
	"pthread_cancel", "thrd_exit",
};

/* Why a name is refused, for the calls a student might try. */
static const struct {
	const char *name, *why;
} reasons[] = {
	{ "dl*", "finds or loads code at run time (the tests' own functions could be reached so)" },
	{ "_dl_*", "finds or loads code at run time (the tests' own functions could be reached so)" },
	{ "syscall", "makes a raw system call" },
	{ "ptrace", "reaches into another process" },
	{ "process_vm_*", "reaches into another process" },
	{ "pidfd_*", "reaches into another process" },
	{ "kcmp", "reaches into another process" },
	{ "prctl", "changes what the process may do" },
	{ "setrlimit", "changes the process's limits" },
	{ "prlimit*", "changes the process's limits" },
	{ "personality", "changes how the process runs" },
	{ "mmap*", "maps memory (executable memory would run any code)" },
	{ "mprotect", "changes memory's protection (executable memory would run any code)" },
	{ "mremap", "maps memory" },
	{ "cr_*", "calls the test framework (Criterion) itself" },
	{ "criterion_*", "calls the test framework (Criterion) itself" },
	{ "handshake_*", "calls the kit's test runner itself" },
	{ "test_finished", "calls the kit's test runner itself" },
	{ "scenario*", "calls the kit's test runner itself" },
	{ "perturb_*", "calls the kit's test runner itself" },
	{ "__wrap_*", "calls the kit's test runner itself" },
	{ "__real_*", "goes around the kit's checks on locking or memory" },
	{ "__libc_*", "calls the C library's internals" },
	{ "_ITM_*", "registers code that runs before main" },
	{ "__TMC_END__", "registers code that runs before main" },
	{ "atexit", "runs code after exit" },
	{ "on_exit", "runs code after exit" },
	{ "at_quick_exit", "runs code after exit" },
	{ "__cxa_atexit", "runs code after exit" },
	{ "getenv", "reads the environment, where the grader's settings are" },
	{ "secure_getenv", "reads the environment, where the grader's settings are" },
	{ "environ", "reads the environment, where the grader's settings are" },
	{ "__environ", "reads the environment, where the grader's settings are" },
	{ "getauxval", "reads the environment, where the grader's settings are" },
	{ "open*", "opens files" },
	{ "fopen*", "opens files" },
	{ "freopen*", "opens files" },
	{ "creat*", "opens files" },
	{ "system", "runs a shell command" },
	{ "popen", "runs a shell command" },
	{ "signal", "changes how signals are handled" },
	{ "sigaction", "changes how signals are handled" },
	{ "*jmp", "jumps out of a function into another (past the test's end)" },
	{ "*longjmp*", "jumps out of a function into another (past the test's end)" },
};

/* Patterns are shell globs ("pthread_mutex_*", "__*_chk"). */
static bool matches(const char *pattern, const char *name)
{
	return fnmatch(pattern, name, 0) == 0;
}

static bool in_list(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (matches(list[i], name))
			return true;
	return false;
}

#define IN(list, name) in_list(list, sizeof(list) / sizeof(*list), name)

/*
 * The names the C library's headers give a call in place of its own: the
 * fortified `__read_chk` (with _FORTIFY_SOURCE) and the `__isoc99_sscanf`
 * of C99's scanf.  Each is what its plain call is, no more: a glob such as
 * "__*_chk" would admit `__dprintf_chk` (writing to any descriptor, the
 * test runner's own included), `__readlink_chk` or `__getcwd_chk`, none of
 * which a stage allows under its plain name.  Returns the plain name in
 * `buf`, or NULL when `name` is no such alias.
 */
static const char *plain_name(const char *name, char *buf, size_t size)
{
	static const char *const prefixes[] = { "__isoc99_", "__isoc23_" };
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i]))) {
			snprintf(buf, size, "%s", name + strlen(prefixes[i]));
			return *buf ? buf : NULL;
		}
	if (len > 6 && !strncmp(name, "__", 2) && !strcmp(name + len - 4, "_chk") &&
	    len - 6 < size) {
		memcpy(buf, name + 2, len - 6);
		buf[len - 6] = '\0';
		return buf;
	}
	return NULL;
}

enum import_verdict imports_judge(const struct stage *st, const char *name, const char **why)
{
	char buf[128];
	const char *plain = plain_name(name, buf, sizeof(buf));

	/* judged as the call it stands for, with that call's reason */
	if (plain)
		return imports_judge(st, plain, why);
	*why = "is not among the C library's calls this stage allows";
	if (in_list((const char *const *)st->imports, st->nimports, name))
		return IMPORT_ALLOWED;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(*reasons); i++)
		if (matches(reasons[i].name, name)) {
			*why = reasons[i].why;
			return IMPORT_REFUSED;
		}
	if (IN(ending, name)) {
		*why = "ends the process or a thread";
		return IMPORT_SUSPICIOUS;
	}
	if (IN(allowed, name))
		return IMPORT_ALLOWED;
	return IMPORT_REFUSED;
}
