/* SPDX-License-Identifier: MIT */
#include <time.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/latch.h"

int
ddns_latch_init(struct ddns_latch *l)
{
	pthread_condattr_t ca;
	int err;

	l->count = 0;
	if (pthread_condattr_init(&ca) != 0)
		return DDNS_ENOMEM;
	err = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	      pthread_cond_init(&l->cond, &ca) != 0;
	pthread_condattr_destroy(&ca);
	if (err)
		return DDNS_ENOMEM;
	pthread_mutex_init(&l->lock, NULL);
	return 0;
}

void
ddns_latch_up(struct ddns_latch *l)
{
	pthread_mutex_lock(&l->lock);
	l->count++;
	pthread_mutex_unlock(&l->lock);
}

void
ddns_latch_down(struct ddns_latch *l)
{
	pthread_mutex_lock(&l->lock);
	if (l->count > 0 && --l->count == 0)
		pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

bool
ddns_latch_wait(struct ddns_latch *l, long long deadline_ms)
{
	struct timespec until;
	long long left = deadline_ms - ddns_now_ms();
	bool done;

	if (left < 0)
		left = 0;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(left / 1000);
	until.tv_nsec += (long)(left % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&l->lock);
	while (l->count > 0 &&
	       pthread_cond_timedwait(&l->cond, &l->lock, &until) == 0)
		;
	done = l->count == 0;
	pthread_mutex_unlock(&l->lock);
	return done;
}

void
ddns_latch_destroy(struct ddns_latch *l)
{
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
}
