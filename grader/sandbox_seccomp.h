/* The system-call filter on every process that runs student code (libseccomp). */
#ifndef RACECOURSE_SANDBOX_SECCOMP_H
#define RACECOURSE_SANDBOX_SECCOMP_H

#include <linux/filter.h>

#include "util.h"

/*
 * A compiled filter: in memory, for a child to load between fork and exec,
 * and in a sealed-off memory file, for bubblewrap's --seccomp.
 */
struct seccomp_filter {
	struct sock_filter *prog;	/* NULL: no filter */
	unsigned short len;		/* instructions in prog */
	int fd;				/* the memory file, close-on-exec, or -1 */
};

/* Compiles the filter.  Returns 0, or -1 (then f holds no filter). */
int seccomp_filter_make(struct seccomp_filter *f);
/*
 * A new descriptor of the compiled filter, read from its start, for one
 * bubblewrap (close-on-exec: hand it over as a child's descriptor).
 * Returns it, or -1 with errno set.
 */
int seccomp_filter_reopen(const struct seccomp_filter *f);
/*
 * Loads the filter into the calling process, with no_new_privs: between
 * fork and exec, async-signal-safe.  Returns 0 (also with no filter), or
 * -1 with errno set.
 */
int seccomp_filter_load(const struct seccomp_filter *f);
void seccomp_filter_release(struct seccomp_filter *f);

#endif
