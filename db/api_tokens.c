/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/errors.h"
#include "db/accounts.h"
#include "db/api_tokens.h"
#include "db/limits.h"
#include "db/stmt.h"

#define TOKEN_COLS                                                                \
	"public_id, name, 'read' = ANY (scopes), 'write' = ANY (scopes), " DB_TS( \
		"created_at") ", " DB_TS("expires_at") ", " DB_TS("last_used_at")

static int token_from_row(const PGresult *r, int row, struct db_api_token *t);

/*
 * The count under the account's limit and the insert in one statement,
 * run with the account row locked (db_exec_locked) so that concurrent
 * creations cannot overshoot. Expired tokens count until deleted.
 */
static const struct db_stmt st_create = {
	"apitok_create",
	"INSERT INTO api_tokens (account_id, public_id, secret_hash, name,"
	" scopes, expires_at) SELECT $1, $2, decode($3, 'hex'), $4,"
	" $5::text[], CASE WHEN $6::bigint > 0 THEN now() +"
	" $6::bigint * interval '1 second' END"
	" WHERE (SELECT count(*) FROM api_tokens WHERE account_id = $1)"
	"  < $7::int"
	" RETURNING " TOKEN_COLS,
	7
};
/* Oldest first; the cursor is the internal id of the last one shown. */
static const struct db_stmt st_list = {
	"apitok_list",
	"SELECT " TOKEN_COLS ", id FROM api_tokens WHERE account_id = $1"
	" AND id > $2::bigint ORDER BY id LIMIT $3",
	3
};
static const struct db_stmt st_delete = {
	"apitok_delete",
	"DELETE FROM api_tokens WHERE account_id = $1 AND public_id = $2"
	" RETURNING id",
	2
};
static const struct db_stmt st_lookup = {
	"apitok_lookup",
	"SELECT id, account_id, encode(secret_hash, 'hex'),"
	" 'read' = ANY (scopes), 'write' = ANY (scopes),"
	" expires_at IS NOT NULL AND expires_at <= now()"
	" FROM api_tokens WHERE public_id = $1",
	1
};
static const struct db_stmt st_touch = {
	"apitok_touch",
	"UPDATE api_tokens SET last_used_at = now() WHERE id = $1"
	" AND (last_used_at IS NULL OR last_used_at < now() - interval '1 min')",
	1
};

static int
token_from_row(const PGresult *r, int row, struct db_api_token *t)
{
	memset(t, 0, sizeof(*t));
	if (db_get_bool(r, row, 2))
		t->scopes |= DB_SCOPE_READ;
	if (db_get_bool(r, row, 3))
		t->scopes |= DB_SCOPE_WRITE;
	if (db_col_copy(r, row, 0, t->id, sizeof(t->id)) ||
	    db_col_copy(r, row, 1, t->name, sizeof(t->name)) ||
	    db_col_copy(r, row, 4, t->created_at, sizeof(t->created_at)) ||
	    db_col_copy(r, row, 5, t->expires_at, sizeof(t->expires_at)) ||
	    db_col_copy(r, row, 6, t->last_used_at, sizeof(t->last_used_at)))
		return DDNS_EDB;
	return 0;
}

int
db_api_token_create(struct db_conn *c, long long account_id,
		    const char *public_id, const uint8_t *hash, size_t hash_len,
		    const char *name, unsigned scopes, long long expires_in,
		    struct db_api_token *out)
{
	char acc[24], hex[2 * AUTH_TOKEN_HASH_LEN + 1], exp[24], max[16];
	const char *p[7] = { acc, public_id, hex, name, NULL, exp, max };
	PGresult *r;
	int err;

	if (hash_len != AUTH_TOKEN_HASH_LEN)
		return DDNS_EINVAL;
	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(exp, sizeof(exp), "%lld", expires_in);
	sodium_bin2hex(hex, sizeof(hex), hash, hash_len);
	if ((scopes & DB_SCOPE_READ) && (scopes & DB_SCOPE_WRITE))
		p[4] = "{read,write}";
	else if (scopes & DB_SCOPE_WRITE)
		p[4] = "{write}";
	else
		p[4] = "{read}";
	snprintf(max, sizeof(max), "%u", db_limits_max_account_tokens());
	if ((r = db_exec_locked(c, &db_account_lock, p, &st_create, p, &err)) ==
	    NULL)
		return err;
	err = PQntuples(r) == 1 ? token_from_row(r, 0, out) : DDNS_ELIMIT;
	PQclear(r);
	return err;
}

int
db_api_token_list(struct db_conn *c, long long account_id, long long after,
		  unsigned limit,
		  int (*cb)(void *arg, const struct db_api_token *t), void *arg)
{
	char acc[24], aft[24], lim[16];
	const char *p[3] = { acc, aft, lim };
	struct db_api_token t;
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(aft, sizeof(aft), "%lld", after);
	snprintf(lim, sizeof(lim), "%u", limit);
	if ((r = db_exec(c, &st_list, p, &err)) == NULL)
		return err;
	for (int i = 0; i < PQntuples(r) && err == 0; i++)
		if ((err = token_from_row(r, i, &t)) == 0) {
			t.seq = db_get_ll(r, i, 7);
			err = cb(arg, &t);
		}
	PQclear(r);
	return err;
}

int
db_api_token_delete(struct db_conn *c, long long account_id,
		    const char *public_id)
{
	char acc[24];
	const char *p[2] = { acc, public_id };
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	if ((r = db_exec(c, &st_delete, p, &err)) == NULL)
		return err;
	err = PQntuples(r) == 1 ? 0 : DDNS_ENOENT;
	PQclear(r);
	return err;
}

int
db_api_token_lookup(struct db_conn *c, const char *public_id,
		    struct db_api_token_auth *out)
{
	const char *p[1] = { public_id };
	PGresult *r;
	int err;

	if ((r = db_exec_read(c, &st_lookup, p, &err)) == NULL)
		return err;
	if (PQntuples(r) != 1) {
		err = DDNS_ENOENT;
		goto out;
	}
	memset(out, 0, sizeof(*out));
	out->token_id = db_get_ll(r, 0, 0);
	out->account_id = db_get_ll(r, 0, 1);
	if ((err = db_get_bytea(r, 0, 2, out->hash, sizeof(out->hash),
				&out->hash_len)) != 0)
		goto out;
	if (db_get_bool(r, 0, 3))
		out->scopes |= DB_SCOPE_READ;
	if (db_get_bool(r, 0, 4))
		out->scopes |= DB_SCOPE_WRITE;
	out->expired = db_get_bool(r, 0, 5);
out:
	PQclear(r);
	return err;
}

int
db_api_token_touch(struct db_conn *c, long long token_id)
{
	char id[24];
	const char *p[1] = { id };
	PGresult *r;
	int err;

	snprintf(id, sizeof(id), "%lld", token_id);
	if ((r = db_exec(c, &st_touch, p, &err)) == NULL)
		return err;
	PQclear(r);
	return 0;
}
