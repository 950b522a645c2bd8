/* SPDX-License-Identifier: MIT */
#include <time.h>

#include "common/clock.h"

long long
ddns_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
