/* SPDX-License-Identifier: MIT */
/*
 * Abuse-limit state that several ddnsd instances share through PostgreSQL:
 * failed authentications per client prefix (the only writer of
 * auth_failures), and the host-token limit. (The per-host change bucket
 * lives in db_host_apply's single statement, see db/hosts.h.)
 */
#ifndef DDNS_DB_LIMITS_H
#define DDNS_DB_LIMITS_H

#include "common/names.h"
#include "db/conn.h"

/*
 * Records one failed authentication from prefix (an address already masked
 * to its /32 or /64) in a fixed window of window_s seconds, starting a new
 * window when the last one has passed, and deletes a few expired rows.
 * *count receives the failures of the current window including this one,
 * *remaining_s the seconds until that window ends. One statement.
 * Returns 0 or DDNS_EDB.
 */
int db_auth_failure_record(struct db_conn *c, const struct ddns_addr *prefix,
			   unsigned window_s, unsigned *count,
			   unsigned *remaining_s);

/* Tokens a host may have (DDNS_MAX_TOKENS_PER_HOST); set once at start. */
void db_limits_set_max_tokens(unsigned n);
unsigned db_limits_max_tokens(void);

#endif
