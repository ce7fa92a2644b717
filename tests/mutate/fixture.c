/* A fixture for make mutate's self-test — every operator finds something here (é: a non-ASCII byte first). */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/wait.h>

#define SLOTS 4

struct box {
	pthread_mutex_t a, b;
	pthread_rwlock_t rw;
	pthread_cond_t changed;
	int ready;
	long n;
	long slots[SLOTS];
};

long box_move(struct box *x, long amount)
{
	long before;

	if (amount <= 0 || amount > 100)
		return -1;
	before = amount * 2;
	pthread_mutex_lock(&x->a);
	pthread_mutex_lock(&x->b);
	x->n += amount;
	x->slots[0] = x->n - before;
	pthread_mutex_unlock(&x->b);
	pthread_mutex_unlock(&x->a);
	before++;
	return before;
}

bool box_take(struct box *x, long amount)
{
	bool ok = false;

	pthread_mutex_lock(&x->a);
	if (x->n == 0) {
		pthread_mutex_unlock(&x->a);
		return false;
	}
	if (x->n >= amount && amount != 0) {
		x->n -= amount;
		ok = true;
	}
	pthread_mutex_unlock(&x->a);
	return ok;
}

void box_wait(struct box *x)
{
	pthread_mutex_lock(&x->a);
	while (!x->ready)
		pthread_cond_wait(&x->changed, &x->a);
	pthread_mutex_unlock(&x->a);
}

void box_ready(struct box *x)
{
	pthread_mutex_lock(&x->a);
	x->ready = 1;
	pthread_cond_broadcast(&x->changed);
	pthread_mutex_unlock(&x->a);
}

int box_try(struct box *x)
{
	if (pthread_mutex_trylock(&x->b) != 0)
		return 0;
	x->n--;
	pthread_mutex_unlock(&x->b);
	return 1;
}

void box_write(struct box *x, long v)
{
	pthread_rwlock_wrlock(&x->rw);
	for (int i = 0; i < SLOTS; i++)
		x->slots[i] = v;
	pthread_rwlock_unlock(&x->rw);
}

int box_reap(pid_t pid, pthread_t t)
{
	int status = 0;

	pthread_join(t, NULL);
	while (waitpid(pid, &status, 0) < 0)
		;
	return status;
}
