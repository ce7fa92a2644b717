/* AddressSanitizer's witness: threads that start after their creator moved on. */
#ifndef RACECOURSE_LATE_START_H
#define RACECOURSE_LATE_START_H

#include <pthread.h>

/*
 * Linked into the AddressSanitizer build of the scenarios only (the grader
 * adds -Wl,--wrap=pthread_join and pthread_exit there): every thread that
 * scenario_main.c's wrapper of pthread_create hands to late_start_create()
 * waits before its start routine until its creator calls
 * late_start_release(), joins, exits or returns, or a second has passed.
 * perturb.c's wrappers call late_start_release() on every lock, unlock
 * and condition wait.  Both are weak so that the other builds, which do
 * not link late_start.c, need not have them.
 */
int late_start_create(pthread_t *tid, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
	__attribute__((weak));
void late_start_release(void) __attribute__((weak));

#endif
