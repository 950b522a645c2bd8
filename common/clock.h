/* SPDX-License-Identifier: MIT */
/* Monotonic time for timeouts, backoff and durations. */
#ifndef DDNS_COMMON_CLOCK_H
#define DDNS_COMMON_CLOCK_H

/* Milliseconds of CLOCK_MONOTONIC (never goes back, arbitrary origin). */
long long ddns_now_ms(void);

#endif
