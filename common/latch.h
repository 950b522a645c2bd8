/* SPDX-License-Identifier: MIT */
/*
 * A count of running threads that can be waited for with a deadline, so
 * that a shutdown can give up on a thread stuck in a network exchange
 * (pthread_join() cannot time out).
 */
#ifndef DDNS_COMMON_LATCH_H
#define DDNS_COMMON_LATCH_H

#include <pthread.h>
#include <stdbool.h>

struct ddns_latch {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* on CLOCK_MONOTONIC */
	unsigned count;
};

/* Count 0. Returns 0 or DDNS_ENOMEM. */
int ddns_latch_init(struct ddns_latch *l);

/* One more thread running (before it starts) / one less (as it ends). */
void ddns_latch_up(struct ddns_latch *l);
void ddns_latch_down(struct ddns_latch *l);

/* Waits until the count is 0 or deadline_ms (of ddns_now_ms()) passes.
 * True when it reached 0. */
bool ddns_latch_wait(struct ddns_latch *l, long long deadline_ms);

void ddns_latch_destroy(struct ddns_latch *l);

#endif
