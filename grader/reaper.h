/* Ending what the grader started: on Ctrl-C, and the orphans left once its children are done. */
#ifndef RACECOURSE_REAPER_H
#define RACECOURSE_REAPER_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * SIGINT, SIGTERM and SIGHUP interrupt the grader.  What it started is
 * registered here while it runs: the process group of each child
 * (child.c registers every child it starts) and plain processes (racecourse
 * batch's workers).  An interrupt signals every one of them, calls the
 * cleanup hook with true (sandbox.h: the grading's cgroup), and then
 *
 *   - by default, the process dies of the signal, as if it had no handler
 *     (a shell sees 128 + the signal): since nothing will be left to wait
 *     for them, what it registered gets SIGKILL, and so do its children
 *     and their orphans as reaper_end_orphans() ends them;
 *   - after reaper_carry_on(), it lives on and winds down by itself:
 *     reaper_interrupted() turns true, and what it registered gets SIGTERM,
 *     so that a grader among them ends what it runs in turn.  child.c gives
 *     the children it supervises SIGKILL after CHILD_KILL_GRACE.
 *
 * A process forked from one that registered starts with nothing registered
 * (a worker does not signal its siblings); the setting of reaper_carry_on()
 * and the hook are inherited.
 */

/*
 * Installs the handlers and makes this process the subreaper of what it
 * starts (orphans of its children come back to it, not to init), once per
 * process: child_start() calls it.
 */
void reaper_setup(void);
/* An interrupt no longer kills this process (nor the ones it forks): see above. */
void reaper_carry_on(void);
/* Whether an interrupt came, after reaper_carry_on(). */
bool reaper_interrupted(void);

/*
 * Registers pid, as its process group when group is true, until
 * reaper_forget(pid).  Returns 0, or -1 when too many are registered (it is
 * then not signalled).  Async-signal-safe, as is reaper_forget().
 */
int reaper_add(pid_t pid, bool group);
void reaper_forget(pid_t pid);

/*
 * Sets the one function (NULL: none) called with true when the process is
 * interrupted, from the handler (async-signal-safe calls only), and with
 * false by reaper_end_orphans().
 */
void reaper_set_cleanup(void (*fn)(bool interrupted));

/*
 * Kills and reaps every child of ours (of the main thread: the grader
 * forks from it alone) with its process group, then calls the cleanup hook
 * with false.  For when the
 * children we started have ended: what is left is their orphans (we are
 * the subreaper), such as a daemon that left its group with setsid().
 * Any other child of ours (one forked, not started with child_start())
 * goes too: call it when there is none.
 */
void reaper_end_orphans(void);

#endif
