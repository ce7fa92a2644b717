/* AddressSanitizer's witness: threads that start after their creator moved on. */
#ifndef RACECOURSE_LATE_START_H
#define RACECOURSE_LATE_START_H

/*
 * Linked into the AddressSanitizer build of the scenarios only (the grader
 * adds -Wl,--wrap=pthread_create, pthread_join and pthread_exit there):
 * every thread created waits before its start routine until its creator
 * calls this, joins, exits or returns, or a second has passed.  perturb.c's
 * wrappers call it on every lock, unlock and condition wait; it is weak so
 * that the other builds, which do not link late_start.c, need not have it.
 */
void late_start_release(void) __attribute__((weak));

#endif
