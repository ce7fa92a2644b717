/* Criterion without libgit2: stand-ins for the three calls Criterion makes to it. */
#include <stddef.h>

/*
 * Criterion uses libgit2 only to show a diff when one of its new-style
 * string assertions (criterion/new/assert.h) fails; the kit's tests use the
 * classic cr_assert_* macros, which never ask for one.  Yet Criterion starts
 * libgit2 in the runner and again in every test's process, and Debian's
 * libgit2 then parses the system's whole certificate bundle: ~9 ms of
 * processor time per test.  Linked into the test program, these take the
 * library's place (before it, when Criterion is a shared library; instead
 * of it, when build.c links Criterion's static archives), and a diff asked
 * for is simply not shown: Criterion checks for that failure.
 */
int git_libgit2_init(void);
int git_libgit2_shutdown(void);
int git_diff_buffers(const void *old, size_t old_len, const char *old_path, const void *new_,
		     size_t new_len, const char *new_path, const void *options, void *file_cb,
		     void *binary_cb, void *hunk_cb, void *line_cb, void *payload);

int git_libgit2_init(void)
{
	return 1;	/* initialized once */
}

int git_libgit2_shutdown(void)
{
	return 0;	/* no longer initialized */
}

int git_diff_buffers(const void *old, size_t old_len, const char *old_path, const void *new_,
		     size_t new_len, const char *new_path, const void *options, void *file_cb,
		     void *binary_cb, void *hunk_cb, void *line_cb, void *payload)
{
	(void)old, (void)old_len, (void)old_path, (void)new_, (void)new_len, (void)new_path;
	(void)options, (void)file_cb, (void)binary_cb, (void)hunk_cb, (void)line_cb, (void)payload;
	return -1;	/* no diff */
}
