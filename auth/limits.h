/* SPDX-License-Identifier: MIT */
/*
 * In-memory abuse limits of one ddnsd instance: the "nochg" flood counter
 * per host and the cache of client prefixes blocked after failed
 * authentications. Fixed-size tables, safe to call from any thread, no
 * I/O. The state that must hold across instances (failure counts, the
 * change bucket) is in PostgreSQL, see db/limits.h and db/hosts.h.
 */
#ifndef DDNS_AUTH_LIMITS_H
#define DDNS_AUTH_LIMITS_H

#include "common/config.h"
#include "common/names.h"

struct auth_limits_conf {
	unsigned change_burst;    /* address changes per host ... */
	unsigned change_window_s; /* ... per this many seconds; 0 burst = off */
	unsigned nochg_per_min;   /* nochg answers per host per minute; 0 off */
	unsigned fail_max;        /* failed authentications per prefix ... */
	unsigned fail_window_s;   /* ... per window; 0 max = off */
	unsigned checkip_per_min; /* checkip answers per client prefix per
				   * minute; 0 off */
};

/*
 * Takes the limits from cfg and clears the tables. Call once at start
 * after auth_init(); before that the defaults of README.md apply.
 */
void auth_limits_init(const struct ddns_config *cfg);

/* The limits in force (static storage). */
const struct auth_limits_conf *auth_limits(void);

/* The prefix a client is counted by: IPv4 /32, IPv6 /64 (rest zeroed). */
void auth_limits_prefix(const struct ddns_addr *client,
			struct ddns_addr *prefix);

/*
 * Seconds this client's prefix stays blocked for failed authentications,
 * or 0 when it is not blocked (by what this instance has learnt).
 */
unsigned auth_limits_blocked(const struct ddns_addr *client);

/*
 * Notes the shared failure count of the client's prefix, as returned by
 * db_auth_failure_record(): from fail_max failures on, the prefix is
 * blocked for remaining_s seconds. Returns true if it is now blocked.
 */
bool auth_limits_failed(const struct ddns_addr *client, unsigned count,
			unsigned remaining_s);

/*
 * Counts one "nochg" of host_id in the current minute. Returns 0, or
 * DDNS_EABUSE when this makes more than nochg_per_min in that minute.
 */
int auth_limits_nochg(long long host_id);

/*
 * Counts one checkip request of the client's prefix (IPv4 /32, IPv6 /64)
 * in the current minute. Returns 0, or DDNS_EABUSE when this makes more
 * than checkip_per_min; *retry_s then gets the seconds to the next minute.
 */
int auth_limits_checkip(const struct ddns_addr *client, unsigned *retry_s);

#endif
