/* The system-call filter on every process that runs student code (libseccomp). */
#define _GNU_SOURCE
#include "sandbox_seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

/*
 * Calls no test, scenario, compiler, valgrind or ThreadSanitizer needs,
 * each of which would let student code reach another process (the test
 * runner's memory and descriptors), the kernel's surface beyond ordinary
 * work, or out of its namespaces.  Refused with EPERM, as a kernel that
 * forbids them would.
 */
static const char *const refused[] = {
	/* other processes: memory, descriptors, comparison */
	"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd",
	"pidfd_send_signal", "kcmp", "process_madvise", "process_mrelease",
	/* the kernel's less ordinary surface */
	"userfaultfd", "perf_event_open", "bpf", "keyctl", "add_key",
	"request_key", "kexec_load", "kexec_file_load", "init_module", "finit_module",
	"delete_module", "iopl", "ioperm", "swapon", "swapoff", "reboot", "acct",
	"quotactl", "lookup_dcookie", "vhangup", "syslog", "settimeofday", "clock_settime",
	"clock_adjtime", "adjtimex", "sethostname", "setdomainname", "nfsservctl",
	"open_by_handle_at", "name_to_handle_at", "io_uring_setup", "io_uring_enter",
	"io_uring_register", "fanotify_init", "mbind", "move_pages", "migrate_pages",
	/* mounts and namespaces */
	"mount", "umount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
	"fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "unshare", "setns",
};

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Namespace flags that clone() may not have. */
#define NAMESPACE_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
			 CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME)

static int build(scmp_filter_ctx ctx)
{
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		int nr = seccomp_syscall_resolve_name(refused[i]);

		/* A call this architecture does not have needs no rule. */
		if (nr != __NR_SCMP_ERROR && seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0))
			return -1;
	}
	/*
	 * personality(0xffffffff) only asks: ThreadSanitizer does, and so
	 * does valgrind's launcher.  Changing it (ASLR off) is refused.
	 */
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
			     SCMP_A0(SCMP_CMP_NE, 0xffffffffu)))
		return -1;
	/* clone's first argument is its flags (on x86-64 and most others): no namespace. */
	for (unsigned long bit = 1; bit; bit <<= 1)
		if ((NAMESPACE_FLAGS & bit) &&
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, bit, bit)))
			return -1;
	/* clone3 passes its flags in memory a filter cannot read: libc falls back to clone. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0))
		return -1;
	return 0;
}

int seccomp_filter_make(struct seccomp_filter *f)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	off_t size;
	int fd = -1;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (!ctx)
		return -1;
	fd = memfd_create("racecourse-seccomp", MFD_CLOEXEC);
	if (fd < 0 || build(ctx) || seccomp_export_bpf(ctx, fd))
		goto fail;
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(struct sock_filter) ||
	    size / sizeof(struct sock_filter) > 0xffff)
		goto fail;
	f->prog = xmalloc((size_t)size);
	if (pread(fd, f->prog, (size_t)size, 0) != size)
		goto fail;
	f->len = (unsigned short)(size / sizeof(struct sock_filter));
	f->fd = fd;
	seccomp_release(ctx);
	return 0;
fail:
	free(f->prog);
	f->prog = NULL;
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return -1;
}

int seccomp_filter_reopen(const struct seccomp_filter *f)
{
	char path[64];
	int n;

	if (f->fd < 0)
		return -1;
	/* A description of its own: bubblewrap reads from the offset it finds. */
	n = snprintf(path, sizeof(path), "/proc/self/fd/%d", f->fd);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	return open(path, O_RDONLY | O_CLOEXEC);
}

int seccomp_filter_load(const struct seccomp_filter *f)
{
	struct sock_fprog prog = { .len = f->len, .filter = f->prog };

	if (!f->prog)
		return 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

void seccomp_filter_release(struct seccomp_filter *f)
{
	free(f->prog);
	if (f->fd >= 0)
		close(f->fd);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}
