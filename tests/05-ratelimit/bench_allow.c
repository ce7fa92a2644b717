/* Benchmark of stage 05: ratelimiter_allow() throughput with 1 and 2 threads. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ratelimit.h"

#define NUSERS 64
#define RUN_NS 400000000LL	/* each measurement runs for 0.4 s */

static char users[NUSERS][16];

struct bench {
	ratelimiter_t *rl;
	pthread_barrier_t start;
	long long deadline;	/* CLOCK_MONOTONIC ns, set before the threads start */
};

struct worker {
	struct bench *b;
	int id;
	long long ops;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned i = (unsigned)w->id * 17;

	pthread_barrier_wait(&w->b->start);
	/* Look at the time only every 1024 calls, so the clock costs little. */
	while (now_ns() < w->b->deadline) {
		for (int k = 0; k < 1024; k++)
			ratelimiter_allow(w->b->rl, users[i++ % NUSERS]);
		w->ops += 1024;
	}
	return NULL;
}

/* Ops per second of nthreads calling allow() over the same users for RUN_NS. */
static double measure(int nthreads)
{
	struct bench b;
	pthread_t tids[2];
	struct worker ws[2];
	long long t0, ops = 0;

	/* A limit few users reach: most calls are allowed and counted. */
	b.rl = ratelimiter_new(1000000000, 1000, NULL, NULL);
	if (!b.rl || pthread_barrier_init(&b.start, NULL, nthreads + 1)) {
		fprintf(stderr, "bench_allow: cannot set up the limiter\n");
		exit(1);
	}
	for (int i = 0; i < nthreads; i++) {
		ws[i] = (struct worker){ .b = &b, .id = i };
		if (pthread_create(&tids[i], NULL, worker_main, &ws[i])) {
			fprintf(stderr, "bench_allow: cannot start a thread\n");
			exit(1);
		}
	}
	t0 = now_ns();
	b.deadline = t0 + RUN_NS;
	pthread_barrier_wait(&b.start);
	for (int i = 0; i < nthreads; i++) {
		pthread_join(tids[i], NULL);
		ops += ws[i].ops;
	}
	pthread_barrier_destroy(&b.start);
	ratelimiter_free(b.rl);
	return ops / ((now_ns() - t0) / 1e9);
}

int main(void)
{
	for (int i = 0; i < NUSERS; i++)
		snprintf(users[i], sizeof(users[i]), "user-%02d", i);
	printf("ratelimit allow: 1 thread  %.1f Mops/s\n", measure(1) / 1e6);
	printf("ratelimit allow: 2 threads %.1f Mops/s\n", measure(2) / 1e6);
	return 0;
}
