/* SPDX-License-Identifier: MIT */
/*
 * Console sessions (table sessions; this file is its only writer). A
 * session is found by the hash of its cookie secret (auth/session.h) and
 * is valid while it is younger than its absolute lifetime and was used
 * within the idle lifetime; both are given by the caller (configuration).
 */
#ifndef DDNS_DB_SESSIONS_H
#define DDNS_DB_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "auth/session.h"
#include "db/accounts.h"
#include "db/conn.h"

/* Sessions an account may hold at once; the oldest go first. */
#define DB_SESSIONS_PER_ACCOUNT 20

struct db_session {
	long long id;
	long long account_id;
	char email[DB_EMAIL_MAX + 1];
};

/*
 * Stores a new session of account_id that lives at most max_s seconds.
 * Removes the account's sessions that have ended (idle_s, max_s) and the
 * oldest beyond DB_SESSIONS_PER_ACCOUNT. Fills out. Returns 0,
 * DDNS_EEXIST (hash collision) or DDNS_EDB.
 */
int db_session_create(struct db_conn *c, long long account_id,
		      const uint8_t hash[AUTH_SESSION_HASH_LEN],
		      unsigned idle_s, unsigned max_s, struct db_session *out);

/*
 * The live session with this hash, and its account's e-mail; records the
 * use (at most one write a minute per session). Returns 0, DDNS_ENOENT
 * (unknown, idle too long or too old) or DDNS_EDB.
 */
int db_session_lookup(struct db_conn *c,
		      const uint8_t hash[AUTH_SESSION_HASH_LEN],
		      unsigned idle_s, struct db_session *out);

/* Ends the session with this hash. 0, DDNS_ENOENT or DDNS_EDB. */
int db_session_delete(struct db_conn *c,
		      const uint8_t hash[AUTH_SESSION_HASH_LEN]);

/*
 * Ends every session of the account but keep_id (0: all of them), e.g.
 * after a password change. Sets *n to the number ended (n may be NULL).
 * 0 or DDNS_EDB.
 */
int db_session_end_others(struct db_conn *c, long long account_id,
			  long long keep_id, long long *n);

#endif
