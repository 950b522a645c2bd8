/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/errors.h"
#include "db/host_tokens.h"
#include "db/hosts.h"
#include "db/stmt.h"

#define HTOK_COLS                                                              \
	"public_id, label, " DB_TS("created_at") ", " DB_TS("last_used_at")

static int htok_from_row(const PGresult *r, int row, struct db_host_token *t);

/* Run with the host row locked (db_exec_locked): the count is exact. */
static const struct db_stmt st_create = {
	"htok_create",
	"INSERT INTO host_tokens (host_id, account_id, public_id, secret_hash,"
	" label) SELECT id, account_id, $3, decode($4, 'hex'), $5 FROM hosts"
	" WHERE id = $2 AND account_id = $1 AND deleted_at IS NULL"
	" AND (SELECT count(*) FROM host_tokens t WHERE t.host_id = $2) < $6"
	" RETURNING " HTOK_COLS,
	6
};
static const struct db_stmt st_list = {
	"htok_list",
	"SELECT " HTOK_COLS " FROM host_tokens"
	" WHERE account_id = $1 AND host_id = $2 ORDER BY id",
	2
};
static const struct db_stmt st_delete = {
	"htok_delete",
	"DELETE FROM host_tokens WHERE account_id = $1 AND host_id = $2"
	" AND public_id = $3 RETURNING id",
	3
};

static const struct db_stmt st_relabel = {
	"htok_relabel",
	"UPDATE host_tokens SET label = $4 WHERE account_id = $1"
	" AND host_id = $2 AND public_id = $3 RETURNING " HTOK_COLS,
	4
};

static int
htok_from_row(const PGresult *r, int row, struct db_host_token *t)
{
	memset(t, 0, sizeof(*t));
	if (db_col_copy(r, row, 0, t->id, sizeof(t->id)) ||
	    db_col_copy(r, row, 1, t->label, sizeof(t->label)) ||
	    db_col_copy(r, row, 2, t->created_at, sizeof(t->created_at)) ||
	    db_col_copy(r, row, 3, t->last_used_at, sizeof(t->last_used_at)))
		return DDNS_EDB;
	return 0;
}

int
db_host_token_create(struct db_conn *c, long long account_id, long long host_id,
		     const char *public_id, const uint8_t *hash,
		     size_t hash_len, const char *label, unsigned max_tokens,
		     struct db_host_token *out)
{
	char acc[24], hid[24], hex[2 * AUTH_TOKEN_HASH_LEN + 1];
	char max[16];
	const char *p[6] = { acc, hid, public_id, hex, label, max };
	PGresult *r;
	int err;

	if (hash_len != AUTH_TOKEN_HASH_LEN)
		return DDNS_EINVAL;
	snprintf(max, sizeof(max), "%u", max_tokens);
	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(hid, sizeof(hid), "%lld", host_id);
	sodium_bin2hex(hex, sizeof(hex), hash, hash_len);
	if ((r = db_exec_locked(c, &db_host_lock, p + 1, &st_create, p,
				&err)) == NULL)
		return err;
	/* The caller found the live host: no row means the limit. */
	err = PQntuples(r) == 1 ? htok_from_row(r, 0, out) : DDNS_ELIMIT;
	PQclear(r);
	return err;
}

int
db_host_token_list(struct db_conn *c, long long account_id, long long host_id,
		   int (*cb)(void *arg, const struct db_host_token *t),
		   void *arg)
{
	char acc[24], hid[24];
	const char *p[2] = { acc, hid };
	struct db_host_token t;
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(hid, sizeof(hid), "%lld", host_id);
	if ((r = db_exec(c, &st_list, p, &err)) == NULL)
		return err;
	for (int i = 0; i < PQntuples(r) && err == 0; i++)
		if ((err = htok_from_row(r, i, &t)) == 0)
			err = cb(arg, &t);
	PQclear(r);
	return err;
}

int
db_host_token_delete(struct db_conn *c, long long account_id, long long host_id,
		     const char *public_id)
{
	char acc[24], hid[24];
	const char *p[3] = { acc, hid, public_id };
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(hid, sizeof(hid), "%lld", host_id);
	if ((r = db_exec(c, &st_delete, p, &err)) == NULL)
		return err;
	err = PQntuples(r) == 1 ? 0 : DDNS_ENOENT;
	PQclear(r);
	return err;
}

int
db_host_token_relabel(struct db_conn *c, long long account_id,
		      long long host_id, const char *public_id,
		      const char *label, struct db_host_token *out)
{
	char acc[24], hid[24];
	const char *p[4] = { acc, hid, public_id, label };
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(hid, sizeof(hid), "%lld", host_id);
	if ((r = db_exec(c, &st_relabel, p, &err)) == NULL)
		return err;
	err = PQntuples(r) == 1 ? htok_from_row(r, 0, out) : DDNS_ENOENT;
	PQclear(r);
	return err;
}
