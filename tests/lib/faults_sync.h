/* Synchronisation fault injection for stages' tests: mutexes that cannot be made, and a count of those made and destroyed. */
#ifndef RACECOURSE_FAULTS_SYNC_H
#define RACECOURSE_FAULTS_SYNC_H

/*
 * A stage lists "faults_sync.c" in its manifest's "lib_sources" and
 * "-Wl,--wrap=pthread_mutex_init", "-Wl,--wrap=pthread_mutex_destroy" in
 * its "ldflags".  The wrappers pass every call through, counting, until a
 * test arms a failure.
 */

/*
 * Make the k-th pthread_mutex_init() from now on fail with ENOMEM, as the
 * system may (k >= 1; 0: none), and restart the counts.
 */
void mutex_init_fail_at(int k);
/* Since the start or the last mutex_init_fail_at(): the mutexes made (the failed one not counted). */
int mutex_inits(void);
/* Likewise, the pthread_mutex_destroy() calls that succeeded. */
int mutex_destroys(void);

#endif
