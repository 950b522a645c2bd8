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

/* A client's prefix and its wide prefix, masked, with their lengths. */
struct db_auth_prefixes {
	struct ddns_addr narrow, wide;
	unsigned narrow_len, wide_len; /* 32/64, 24/48 */
};

/* Failures in the current window of each, and the seconds it has left. */
struct db_auth_counts {
	unsigned narrow, narrow_left_s;
	unsigned wide, wide_left_s;
};

/*
 * Records one failed authentication against both prefixes in a fixed
 * window of window_s seconds each (a new window when the last one has
 * passed), and deletes up to 16 expired rows, in one statement: the
 * table stays at about two rows per failure of the current window.
 * Returns 0 or DDNS_EDB.
 */
int db_auth_failure_record(struct db_conn *c, const struct db_auth_prefixes *px,
			   unsigned window_s, struct db_auth_counts *out);

/* Tokens a host may have (DDNS_MAX_TOKENS_PER_HOST); set once at start. */
void db_limits_set_max_tokens(unsigned n);
unsigned db_limits_max_tokens(void);

/* Account API tokens an account may have (DDNS_MAX_TOKENS_PER_ACCOUNT). */
void db_limits_set_max_account_tokens(unsigned n);
unsigned db_limits_max_account_tokens(void);

#endif
