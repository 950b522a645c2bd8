/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "db/accounts.h"
#include "db/sessions.h"
#include "db/stmt.h"

static int account_from_row(const PGresult *r, int row, struct db_account *a);

static const struct db_stmt st_create = {
	"acct_create",
	"INSERT INTO accounts (email, password_hash) VALUES ($1, $2)"
	" RETURNING id, email, " DB_TS("created_at") ", 0, max_hosts",
	2
};
static const struct db_stmt st_login = {
	"acct_login",
	"SELECT id, password_hash FROM accounts WHERE lower(email) = lower($1)"
	" AND password_hash IS NOT NULL",
	1
};
static const struct db_stmt st_find = {
	"acct_find", "SELECT id FROM accounts WHERE lower(email) = lower($1)", 1
};
static const struct db_stmt st_set_max_hosts = {
	"acct_set_max_hosts",
	"UPDATE accounts SET max_hosts = $2 WHERE lower(email) = lower($1)"
	" RETURNING id",
	2
};
const struct db_stmt db_account_lock = {
	"acct_lock", "SELECT 1 FROM accounts WHERE id = $1 FOR NO KEY UPDATE", 1
};
static const struct db_stmt st_list = {
	"acct_list",
	"SELECT a.id, a.email, " DB_TS(
		"a.created_at") ","
				" (SELECT count(*) FROM hosts h WHERE h.account_id = a.id"
				"  AND h.deleted_at IS NULL), a.max_hosts"
				" FROM accounts a ORDER BY a.id",
	0
};
static const struct db_stmt st_pw_get = {
	"acct_pw_get",
	"SELECT password_hash FROM accounts WHERE id = $1"
	" AND password_hash IS NOT NULL",
	1
};
static const struct db_stmt st_pw_set = {
	"acct_pw_set",
	"UPDATE accounts SET password_hash = $2 WHERE id = $1 RETURNING id", 2
};
/* Only when no host row remains: tombstones must reach DNS first. */
static const struct db_stmt st_delete = {
	"acct_delete",
	"WITH a AS (SELECT id, EXISTS (SELECT 1 FROM hosts h"
	"  WHERE h.account_id = accounts.id) AS busy"
	"  FROM accounts WHERE lower(email) = lower($1) FOR UPDATE),"
	" d AS (DELETE FROM accounts WHERE id IN"
	"  (SELECT id FROM a WHERE NOT busy) RETURNING id)"
	" SELECT a.busy FROM a",
	1
};

static int
account_from_row(const PGresult *r, int row, struct db_account *a)
{
	memset(a, 0, sizeof(*a));
	a->id = db_get_ll(r, row, 0);
	a->hosts = db_get_ll(r, row, 3);
	a->max_hosts = (int)db_get_ll(r, row, 4);
	if (db_col_copy(r, row, 1, a->email, sizeof(a->email)) ||
	    db_col_copy(r, row, 2, a->created_at, sizeof(a->created_at)))
		return DDNS_EDB;
	return 0;
}

int
db_account_create(struct db_conn *c, const char *email, const char *pwhash,
		  struct db_account *out)
{
	const char *p[2] = { email, pwhash };
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_create, p, &err)) == NULL)
		return err;
	err = PQntuples(r) == 1 ? account_from_row(r, 0, out) : DDNS_EDB;
	PQclear(r);
	return err;
}

int
db_account_login(struct db_conn *c, const char *email, long long *id,
		 char *hash, size_t hashsz)
{
	const char *p[1] = { email };
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_login, p, &err)) == NULL)
		return err;
	if (PQntuples(r) != 1) {
		err = DDNS_ENOENT;
	} else {
		*id = db_get_ll(r, 0, 0);
		err = db_col_copy(r, 0, 1, hash, hashsz);
	}
	PQclear(r);
	return err;
}

int
db_account_find(struct db_conn *c, const char *email, long long *id)
{
	const char *p[1] = { email };

	return db_exec_ll(c, &st_find, p, id);
}

int
db_account_set_max_hosts(struct db_conn *c, const char *email, int max_hosts)
{
	char n[16];
	const char *p[2] = { email, n };

	snprintf(n, sizeof(n), "%d", max_hosts);
	return db_exec_ll(c, &st_set_max_hosts, p, NULL);
}

int
db_account_list(struct db_conn *c,
		int (*cb)(void *arg, const struct db_account *a), void *arg)
{
	struct db_account a;
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_list, NULL, &err)) == NULL)
		return err;
	for (int i = 0; i < PQntuples(r) && err == 0; i++) {
		if ((err = account_from_row(r, i, &a)) == 0)
			err = cb(arg, &a);
	}
	PQclear(r);
	return err;
}

int
db_account_delete(struct db_conn *c, const char *email)
{
	const char *p[1] = { email };
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_delete, p, &err)) == NULL)
		return err;
	if (PQntuples(r) != 1)
		err = DDNS_ENOENT;
	else
		err = db_get_bool(r, 0, 0) ? DDNS_EACCES : 0;
	PQclear(r);
	return err;
}

int
db_account_password_get(struct db_conn *c, long long id, char *hash,
			size_t hashsz)
{
	char acc[24];
	const char *p[1] = { acc };
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", id);
	if ((r = db_exec(c, &st_pw_get, p, &err)) == NULL)
		return err;
	err = PQntuples(r) == 1 ? db_col_copy(r, 0, 0, hash, hashsz)
				: DDNS_ENOENT;
	PQclear(r);
	return err;
}

/* The new hash and the end of the other sessions commit together. */
int
db_account_password_set(struct db_conn *c, long long id, const char *pwhash,
			long long keep_session, long long *ended)
{
	char acc[24];
	const char *p[2] = { acc, pwhash };
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", id);
	if (db_command(c, "BEGIN") != 0)
		return DDNS_EDB;
	if ((r = db_exec(c, &st_pw_set, p, &err)) == NULL)
		goto fail;
	err = PQntuples(r) == 1 ? 0 : DDNS_ENOENT;
	PQclear(r);
	if (err != 0 ||
	    (err = db_session_end_others(c, id, keep_session, ended)) != 0)
		goto fail;
	if (db_command(c, "COMMIT") == 0)
		return 0;
	err = DDNS_EDB;
fail:
	db_command(c, "ROLLBACK");
	return err;
}
