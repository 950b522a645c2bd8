/* SPDX-License-Identifier: MIT */
/*
 * ACME DNS-01 challenge values of a host (TXT at _acme-challenge.<name>).
 * Every change bumps the host's version, so the pusher sends the new TXT
 * set with the host's next push.
 */
#ifndef DDNS_DB_ACME_H
#define DDNS_DB_ACME_H

#include "db/conn.h"

#define DB_ACME_MAX 4         /* values per host */
#define DB_ACME_VALUE_MAX 255 /* bytes per value */

/*
 * Adds value (validated by the caller) to live host host_id of account_id
 * in one statement, with a host_events row (source/user_agent may be NULL),
 * then wakes the pushers (db_changed). A value already present is kept once. Returns 0,
 * DDNS_ENOENT (no such host), DDNS_ELIMIT (DB_ACME_MAX values already) or
 * DDNS_EDB.
 */
int db_acme_add(struct db_conn *c, long long host_id, long long account_id,
		const char *value, const char *source, const char *user_agent);

/* Removes every value of the host, likewise in one statement. 0,
 * DDNS_ENOENT or DDNS_EDB. */
int db_acme_clear(struct db_conn *c, long long host_id, long long account_id,
		  const char *source, const char *user_agent);

#endif
