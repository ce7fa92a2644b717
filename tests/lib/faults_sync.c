/* Synchronisation fault injection for stages' tests: mutexes that cannot be made, and a count of those made and destroyed. */
#include "faults_sync.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

static atomic_int init_calls, inits, destroys;
static atomic_int fail_at;

int __real_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr);
int __real_pthread_mutex_destroy(pthread_mutex_t *m);
int __wrap_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr);
int __wrap_pthread_mutex_destroy(pthread_mutex_t *m);

int __wrap_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
	int rc;

	if (atomic_fetch_add(&init_calls, 1) + 1 == atomic_load(&fail_at))
		return ENOMEM;
	rc = __real_pthread_mutex_init(m, attr);
	if (!rc)
		atomic_fetch_add(&inits, 1);
	return rc;
}

int __wrap_pthread_mutex_destroy(pthread_mutex_t *m)
{
	int rc = __real_pthread_mutex_destroy(m);

	if (!rc)
		atomic_fetch_add(&destroys, 1);
	return rc;
}

void mutex_init_fail_at(int k)
{
	atomic_store(&fail_at, k);
	atomic_store(&init_calls, 0);
	atomic_store(&inits, 0);
	atomic_store(&destroys, 0);
}

int mutex_inits(void)
{
	return atomic_load(&inits);
}

int mutex_destroys(void)
{
	return atomic_load(&destroys);
}
