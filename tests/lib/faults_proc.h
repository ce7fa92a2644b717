/* Process fault injection for stages' tests: failing forks, interrupted and short calls, core dumps, closed stdio. */
#ifndef RACECOURSE_FAULTS_PROC_H
#define RACECOURSE_FAULTS_PROC_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A stage lists "faults_proc.c" in its manifest's "lib_sources" and wraps
 * the calls it injects faults into with "ldflags": -Wl,--wrap=fork for the
 * fork counter; -Wl,--wrap=waitpid,--wrap=wait,--wrap=wait3,--wrap=wait4,
 * --wrap=waitid for core-dump statuses; -Wl,--wrap=read and
 * -Wl,--wrap=write for short reads and deaths before a write.  Every
 * wrapper passes its call through unchanged until a test arms it; Criterion
 * runs each test in a process of its own, so nothing stays armed.
 */

/* Make the k-th fork() from now on fail with EAGAIN (k >= 1; 0: none), and restart the count. */
void fork_fail_at(int k);
/* How many times fork() was called since the start or the last fork_fail_at(), the failed one included. */
int fork_calls(void);

/*
 * From now on, a child that a signal killed is reported by every wait
 * function with the core-dump bit set (WCOREDUMP; CLD_DUMPED for waitid),
 * as when the system writes core files: SIGSEGV's status is then 0x8b,
 * not 0x0b, and a decoder that takes the whole low byte gets it wrong.
 */
void fault_core_dumps(bool on);

/*
 * From now on, read() in this process (not in its children) returns at
 * most `max` bytes per call, as a pipe may (0: whole reads again).
 */
void fault_short_reads(size_t max);

/*
 * The k-th write() made by any child of this process from now on (counted
 * across them all) does not happen: that child is killed by SIGKILL first,
 * as a child that dies before sending its result (0: none).
 */
void fault_child_dies_at_write(int k);

/*
 * From now on, a child of this process blocks at its first write() until
 * a byte can be read from gate_fd (one byte per child: the test writes
 * them to let the children go on); -1 turns it off.
 */
void fault_children_wait_before_write(int gate_fd);

/*
 * Interrupting a blocked call with a real signal.  interrupt_next_block()
 * starts a watcher thread; the next time the calling thread blocks in one
 * of the system calls `nrs` (SYS_wait4, SYS_read, ...), the watcher sends
 * it a signal whose handler was installed without SA_RESTART, so the call
 * fails with EINTR, as it does in a program with signal handlers.  Once
 * the handler has run, the watcher calls release(arg), which lets whatever
 * the call was waiting for happen (a child the test holds ends, data
 * arrives).  interruption_end() waits for the watcher and returns how many
 * interruptions happened (1; 0 when the thread never blocked there, and
 * release() was then called when it gave up).
 */
struct interruption;
struct interruption *interrupt_next_block(const long *nrs, size_t n, void (*release)(void *),
					  void *arg);
int interruption_end(struct interruption *it);

/*
 * The calling process with some of its standard descriptors closed: the
 * bits of `which` are 1 << fd for fds 0, 1 and 2.  Saves them aside first;
 * stdio_restore() puts them back.
 */
void stdio_close(unsigned which);
void stdio_restore(void);

/*
 * A child of the test itself that the code under test must not reap: it
 * has ended, and stays a zombie until the test checks it.  Returns its pid.
 */
int unrelated_child(void);
/* Whether that child is still there to be reaped by the test, with its exit code 9 (it is then reaped). */
bool unrelated_child_intact(int pid);

/*
 * What children this process still has, per waitpid(-1, WNOHANG): "none",
 * "a zombie" (reaped on the way) or "a running child".
 */
const char *children_left(void);

#endif
