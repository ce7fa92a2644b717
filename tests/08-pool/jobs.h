/* Jobs for 08-pool's tests: a gate the test opens, and jobs that count their runs and say where they ran. */
#ifndef RACECOURSE_POOL_JOBS_H
#define RACECOURSE_POOL_JOBS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "pool.h"

/*
 * A gate: held jobs wait in gate_pass() until the test calls gate_open().
 * Threads announce themselves with gate_arrive(); gate_await(n) blocks
 * until n have.  Made with the static initialisers, so that the tests'
 * own locks are never counted as the pool's (faults_sync counts
 * pthread_mutex_init).
 */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	bool open;
	int arrived;
};

void gate_init(struct gate *g);
void gate_pass(struct gate *g);
void gate_open(struct gate *g);
void gate_arrive(struct gate *g);
void gate_await(struct gate *g, int n);

/*
 * A job held at a gate: held_job(h) passes the gate, then sets `finished`
 * and returns `result`.
 */
struct held {
	struct gate gate;
	atomic_bool finished;
	void *result;
};

void held_init(struct held *h, void *result);
void *held_job(void *arg);

/*
 * Counted jobs: counted_job(&c[i]) adds one to c[i].runs, notes whether it
 * ran on a thread the pool created, and returns counted_result(i).
 */
struct counted {
	int i;
	atomic_int runs;
	atomic_bool off_pool;	/* ran on a thread the pool did not create */
};

void counted_init(struct counted *c, int n);
void *counted_job(void *arg);
void *counted_result(int i);

/* Submits counted_job(&c[i]) and fails the test, with `what`, when pool_submit refuses it. */
struct job *submit_counted(struct pool *p, struct counted *c, const char *what);

/* A pool of n workers, or the test fails. */
struct pool *new_pool(size_t n);

#endif
