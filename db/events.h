/* SPDX-License-Identifier: MIT */
/*
 * Update history of a host (host_events) and its retention. Retention is
 * applied by a trigger once per inserting statement, for every host it
 * inserted for (migrations/0013_events_prune_batch.sql), with the limits
 * stored by db_events_retention_set(); reads also hide events past the
 * age limit.
 */
#ifndef DDNS_DB_EVENTS_H
#define DDNS_DB_EVENTS_H

#include "db/conn.h"

/*
 * The one way a history row is written: a data-modifying CTE inside the
 * statement of the change it records (so both commit together, in one
 * round trip), reading the changed host's id, ipv4 and ipv6 from the CTE
 * named src. source, user_agent, result and via are SQL expressions.
 * Used by db/hosts.c and db/acme.c; nothing else writes host_events.
 */
#define DB_EVENT_INSERT(src, source, user_agent, result, via)                  \
	"INSERT INTO host_events"                                              \
	" (host_id, source, user_agent, result, ipv4, ipv6, via)"              \
	" SELECT id, " source ", " user_agent ", " result ", ipv4, ipv6, " via \
	" FROM " src

struct db_event {
	char at[DB_TS_LEN];
	char source[48]; /* "" = unknown */
	char user_agent[256];
	char result[64];
	char ipv4[48], ipv6[48];
	char via[16];
};

/* The account's host's events, newest first, at most limit. */
int db_events_list(struct db_conn *c, long long account_id, long long host_id,
		   unsigned limit,
		   int (*cb)(void *arg, const struct db_event *e), void *arg);

/* Stores the retention limits every writer applies. 0 or DDNS_EDB. */
int db_events_retention_set(struct db_conn *c, unsigned max_age_days,
			    unsigned max_per_host);

#endif
