/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/errors.h"
#include "db/sessions.h"
#include "db/stmt.h"

#define HASH_HEX (2 * AUTH_SESSION_HASH_LEN + 1)

static void hash_hex(const uint8_t hash[AUTH_SESSION_HASH_LEN],
		     char hex[HASH_HEX]);
static int session_from_row(const PGresult *r, struct db_session *out);

/* The prune runs in the same statement: one round trip per sign-in. */
static const struct db_stmt st_create = {
	"sess_create",
	"WITH gone AS (DELETE FROM sessions WHERE account_id = $1 AND"
	" (expires_at <= now()"
	"  OR last_seen_at <= now() - $3::bigint * interval '1 second'"
	"  OR id IN (SELECT id FROM sessions WHERE account_id = $1"
	"   ORDER BY id DESC OFFSET $5::bigint - 1)))"
	" INSERT INTO sessions (account_id, secret_hash, expires_at)"
	" VALUES ($1, decode($2, 'hex'),"
	"  now() + $4::bigint * interval '1 second')"
	" RETURNING id, account_id,"
	"  (SELECT email FROM accounts WHERE id = $1)",
	5
};
static const struct db_stmt st_lookup = {
	"sess_lookup",
	"WITH s AS (SELECT s.id, s.account_id, s.last_seen_at, a.email"
	"  FROM sessions s JOIN accounts a ON a.id = s.account_id"
	"  WHERE s.secret_hash = decode($1, 'hex') AND s.expires_at > now()"
	"  AND s.last_seen_at > now() - $2::bigint * interval '1 second'),"
	" t AS (UPDATE sessions SET last_seen_at = now() FROM s"
	"  WHERE sessions.id = s.id"
	"  AND s.last_seen_at < now() - interval '1 minute')"
	" SELECT id, account_id, email FROM s",
	2
};
static const struct db_stmt st_delete = {
	"sess_delete",
	"DELETE FROM sessions WHERE secret_hash = decode($1, 'hex')"
	" RETURNING id",
	1
};
static const struct db_stmt st_end_others = {
	"sess_end_others",
	"DELETE FROM sessions WHERE account_id = $1 AND id <> $2", 2
};

static void
hash_hex(const uint8_t hash[AUTH_SESSION_HASH_LEN], char hex[HASH_HEX])
{
	sodium_bin2hex(hex, HASH_HEX, hash, AUTH_SESSION_HASH_LEN);
}

static int
session_from_row(const PGresult *r, struct db_session *out)
{
	memset(out, 0, sizeof(*out));
	out->id = db_get_ll(r, 0, 0);
	out->account_id = db_get_ll(r, 0, 1);
	return db_col_copy(r, 0, 2, out->email, sizeof(out->email));
}

int
db_session_create(struct db_conn *c, long long account_id,
		  const uint8_t hash[AUTH_SESSION_HASH_LEN], unsigned idle_s,
		  unsigned max_s, struct db_session *out)
{
	char acc[24], hex[HASH_HEX], idle[16], max[16], keep[16];
	const char *p[5] = { acc, hex, idle, max, keep };
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(idle, sizeof(idle), "%u", idle_s);
	snprintf(max, sizeof(max), "%u", max_s);
	snprintf(keep, sizeof(keep), "%d", DB_SESSIONS_PER_ACCOUNT);
	hash_hex(hash, hex);
	r = db_exec(c, &st_create, p, &err);
	sodium_memzero(hex, sizeof(hex));
	if (r == NULL)
		return err;
	err = PQntuples(r) == 1 ? session_from_row(r, out) : DDNS_EDB;
	PQclear(r);
	return err;
}

int
db_session_lookup(struct db_conn *c, const uint8_t hash[AUTH_SESSION_HASH_LEN],
		  unsigned idle_s, struct db_session *out)
{
	char hex[HASH_HEX], idle[16];
	const char *p[2] = { hex, idle };
	PGresult *r;
	int err;

	snprintf(idle, sizeof(idle), "%u", idle_s);
	hash_hex(hash, hex);
	r = db_exec(c, &st_lookup, p, &err);
	sodium_memzero(hex, sizeof(hex));
	if (r == NULL)
		return err;
	err = PQntuples(r) == 1 ? session_from_row(r, out) : DDNS_ENOENT;
	PQclear(r);
	return err;
}

int
db_session_delete(struct db_conn *c, const uint8_t hash[AUTH_SESSION_HASH_LEN])
{
	char hex[HASH_HEX];
	const char *p[1] = { hex };
	PGresult *r;
	int err;

	hash_hex(hash, hex);
	r = db_exec(c, &st_delete, p, &err);
	sodium_memzero(hex, sizeof(hex));
	if (r == NULL)
		return err;
	err = PQntuples(r) >= 1 ? 0 : DDNS_ENOENT;
	PQclear(r);
	return err;
}

int
db_session_end_others(struct db_conn *c, long long account_id,
		      long long keep_id, long long *n)
{
	char acc[24], keep[24];
	const char *p[2] = { acc, keep };
	const char *t;
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(keep, sizeof(keep), "%lld", keep_id);
	if ((r = db_exec(c, &st_end_others, p, &err)) == NULL)
		return err;
	t = PQcmdTuples(r);
	if (n != NULL)
		*n = (t != NULL && *t != '\0') ? strtoll(t, NULL, 10) : 0;
	PQclear(r);
	return 0;
}
