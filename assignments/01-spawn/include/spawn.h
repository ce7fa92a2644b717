/* Stage 01 API: start child processes, wait for them, get their results back through pipes. */
#ifndef RACECOURSE_SPAWN_H
#define RACECOURSE_SPAWN_H

#include <stddef.h>

/*
 * How a child ended, the way a shell reports it ("$?"), in every function
 * below: its exit code (0 to 255) when it exited, or 128 + the signal
 * number when a signal killed it (SIGKILL gives 137, SIGSEGV gives 139).
 *
 * Every function waits for each child it started before it returns, in
 * success and in failure alike: no zombie is left behind.  They wait for
 * their own children only (by pid), never for other children the caller
 * may have.  A child never returns into the caller's code, and never
 * flushes the copies of the caller's stdio buffers it inherited: what the
 * caller had buffered before the call is printed once, by the caller.
 */

/*
 * Start n child processes that all run at the same time; child i calls
 * fn(i, arg) and exits with the value fn returns (its low 8 bits, like any
 * exit code).  The child ends with _exit(), which does not flush stdio: if
 * fn prints with stdio it must fflush() before it returns.
 *
 * statuses has n entries, owned by the caller; statuses[i] receives how
 * child i ended.
 *
 * Returns 0 once all n children were started and have ended, whatever
 * they exited with.  n == 0 starts nothing, leaves statuses untouched and
 * returns 0.  Returns -1 with errno set:
 *   EINVAL  n < 0 (statuses untouched);
 *   ENOMEM  no memory for the bookkeeping (no child started, statuses
 *           untouched);
 *   fork's errno (EAGAIN...) when a fork failed: no further child is
 *           started, the children already started are still waited for
 *           and their statuses filled in, and statuses[i] is -1 for every
 *           child that was never started.
 */
int spawn_workers(int n, int (*fn)(int index, void *arg), void *arg, int statuses[]);

/*
 * Run the program argv[0], searched for in PATH like the shell does, with
 * the arguments argv (NULL-terminated), and capture its standard output
 * into out, a buffer of cap bytes owned by the caller.  out receives the
 * first cap - 1 bytes of output and a NUL after them.  Output beyond that
 * is read and thrown away, so the program never blocks on a full pipe and
 * runs to its end.  The program's standard input and standard error are
 * the caller's.
 *
 * Returns how the program ended (see the top of this file); 127 when it
 * could not be executed (not found, not executable), as the shell does.
 * Returns -1 with errno set when cap == 0 (EINVAL, out untouched) or when
 * pipe() or fork() failed (their errno; out is then "").  Leaves no file
 * descriptor open and no child behind.
 */
int run_capture(char *const argv[], char *out, size_t cap);

/*
 * Sum values[0], ..., values[len - 1] with child processes: the values are
 * cut into contiguous slices whose sizes differ by at most one, each child
 * sums one slice into a long long and sends that partial sum to the parent
 * through a pipe, and the parent adds the partial sums up.  (A child
 * cannot add into the parent's variables: after fork() it has its own copy
 * of the memory.)
 *
 * Uses min(nprocs, len) children, so that no child has nothing to sum;
 * len == 0 gives 0 and starts no child.
 *
 * Returns the sum.  On failure returns 0 with errno set (a caller that
 * must tell a failure from a sum of 0 sets errno to 0 first, as with
 * strtol):
 *   EINVAL  nprocs < 1;
 *   ENOMEM  no memory for the bookkeeping;
 *   pipe's or fork's errno when one failed: no further child is started,
 *           and those already started are waited for;
 *   EIO     a child ended without sending its partial sum.
 * Leaves no file descriptor open and no child behind.
 */
long long parallel_sum(const int *values, size_t len, int nprocs);

#endif
