/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/errors.h"
#include "db/admin.h"
#include "db/limits.h"

static int exec_returning_id(struct db_conn *c, const struct db_stmt *st,
			     const char *const *p, long long *id);
static int exec_count(struct db_conn *c, const struct db_stmt *st,
		      const char *const *p, long long *n);
static int tx_end(struct db_conn *c, int err);

static const struct db_stmt st_zone_add = {
	"adm_zone_add",
	"INSERT INTO zones (name, primary_ns, tsig_key, default_ttl)"
	" VALUES ($1, $2, $3, $4) RETURNING id",
	4
};
static const struct db_stmt st_zone_list = {
	"adm_zone_list",
	"SELECT z.name, z.primary_ns, z.tsig_key, z.default_ttl,"
	" count(h.id) FILTER (WHERE h.deleted_at IS NULL),"
	" count(h.id) FILTER (WHERE h.version > h.pushed_version)"
	" FROM zones z LEFT JOIN hosts h ON h.zone_id = z.id"
	" GROUP BY z.id ORDER BY z.name",
	0
};
static const struct db_stmt st_zone_set = {
	"adm_zone_set",
	"WITH u AS (UPDATE zones SET primary_ns = coalesce($2, primary_ns),"
	"  tsig_key = coalesce($3, tsig_key),"
	"  default_ttl = coalesce($4::integer, default_ttl)"
	"  WHERE name = $1 RETURNING id)"
	" SELECT u.id FROM u, LATERAL (SELECT pg_notify('ddns_dirty', '')) n",
	4
};
static const struct db_stmt st_account_add = {
	"adm_account_add",
	"INSERT INTO accounts (email, password_hash) VALUES ($1, $2)"
	" RETURNING id",
	2
};
static const struct db_stmt st_account_find = {
	"adm_account_find",
	"SELECT id FROM accounts WHERE lower(email) = lower($1)", 1
};
static const struct db_stmt st_host_add = {
	"adm_host_add",
	"INSERT INTO hosts (zone_id, account_id, fqdn, ttl)"
	" SELECT z.id, $2, $1, z.default_ttl FROM zones z"
	" WHERE $1 LIKE '%.' || z.name"
	" ORDER BY length(z.name) DESC LIMIT 1 RETURNING id",
	2
};
/*
 * Limits are checked in a transaction that first locks the parent row
 * (account, host), so two concurrent adds cannot both take the last slot:
 * the count runs with a snapshot taken after the lock.
 */
static const struct db_stmt st_account_lock = {
	"adm_account_lock",
	"SELECT max_hosts FROM accounts WHERE id = $1 FOR UPDATE", 1
};
static const struct db_stmt st_host_count = {
	"adm_host_count",
	"SELECT count(*) FROM hosts WHERE account_id = $1"
	" AND deleted_at IS NULL",
	1
};
static const struct db_stmt st_host_lock = {
	"adm_host_lock",
	"SELECT id FROM hosts WHERE id = $1 AND account_id = $2 FOR UPDATE", 2
};
static const struct db_stmt st_token_count = {
	"adm_token_count",
	"SELECT count(*) FROM host_tokens WHERE host_id = $1"
	" AND account_id = $2",
	2
};
static const struct db_stmt st_host_find = {
	"adm_host_find",
	"SELECT id, account_id FROM hosts WHERE fqdn = $1"
	" AND deleted_at IS NULL", 1
};
static const struct db_stmt st_token_add = {
	"adm_token_add",
	"INSERT INTO host_tokens (host_id, account_id, public_id, secret_hash,"
	" label) VALUES ($1, $2, $3, decode($4, 'hex'), $5) RETURNING id",
	5
};

static int
exec_returning_id(struct db_conn *c, const struct db_stmt *st,
		  const char *const *p, long long *id)
{
	PGresult *r;
	int err;

	if ((r = db_exec(c, st, p, &err)) == NULL)
		return err;
	err = PQntuples(r) == 1 ? 0 : DDNS_ENOENT;
	if (err == 0 && id != NULL)
		*id = db_get_ll(r, 0, 0);
	PQclear(r);
	return err;
}

/* A single count(*) (or other number) row into *n. */
static int
exec_count(struct db_conn *c, const struct db_stmt *st, const char *const *p,
	   long long *n)
{
	PGresult *r;
	int err;

	if ((r = db_exec(c, st, p, &err)) == NULL)
		return err;
	err = PQntuples(r) == 1 ? 0 : DDNS_ENOENT;
	if (err == 0)
		*n = db_get_ll(r, 0, 0);
	PQclear(r);
	return err;
}

/* Commits when err is 0, else rolls back; returns the outcome. */
static int
tx_end(struct db_conn *c, int err)
{
	if (err == 0)
		return db_command(c, "COMMIT") == 0 ? 0 : DDNS_EDB;
	db_command(c, "ROLLBACK");
	return err;
}

int
db_zone_add(struct db_conn *c, const char *name, const char *primary,
	    const char *key, int ttl, long long *id)
{
	char t[16];
	const char *p[4] = { name, primary, key, t };

	snprintf(t, sizeof(t), "%d", ttl);
	return exec_returning_id(c, &st_zone_add, p, id);
}

int
db_admin_zone_list(struct db_conn *c,
		   int (*cb)(void *arg, const struct db_zone_row *z), void *arg)
{
	struct db_zone_row z;
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_zone_list, NULL, &err)) == NULL)
		return err;
	for (int i = 0; i < PQntuples(r) && err == 0; i++) {
		memset(&z, 0, sizeof(z));
		if (db_get_text(r, i, 0, z.name, sizeof(z.name)) ||
		    db_get_text(r, i, 1, z.primary, sizeof(z.primary)) ||
		    db_get_text(r, i, 2, z.key, sizeof(z.key))) {
			err = DDNS_EDB;
			break;
		}
		z.ttl = (int)db_get_ll(r, i, 3);
		z.hosts = db_get_ll(r, i, 4);
		z.pending = db_get_ll(r, i, 5);
		err = cb(arg, &z);
	}
	PQclear(r);
	return err;
}

int
db_zone_set(struct db_conn *c, const char *name, const char *primary,
	    const char *key, int ttl)
{
	char t[16];
	const char *p[4] = { name, primary, key, ttl > 0 ? t : NULL };
	PGresult *r;
	int err;

	snprintf(t, sizeof(t), "%d", ttl);
	if ((r = db_exec(c, &st_zone_set, p, &err)) == NULL)
		return err;
	err = PQntuples(r) == 1 ? 0 : DDNS_ENOENT;
	PQclear(r);
	return err;
}

int
db_account_add(struct db_conn *c, const char *email, const char *pwhash,
	       long long *id)
{
	const char *p[2] = { email, pwhash };

	return exec_returning_id(c, &st_account_add, p, id);
}

int
db_account_find(struct db_conn *c, const char *email, long long *id)
{
	const char *p[1] = { email };

	return exec_returning_id(c, &st_account_find, p, id);
}

int
db_host_add(struct db_conn *c, const char *fqdn, long long account_id,
	    long long *id)
{
	char acc[24];
	const char *p[2] = { fqdn, acc };
	long long max = 0, n = 0;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	if (db_command(c, "BEGIN") != 0)
		return DDNS_EDB;
	if ((err = exec_count(c, &st_account_lock, p + 1, &max)) != 0 ||
	    (err = exec_count(c, &st_host_count, p + 1, &n)) != 0)
		return tx_end(c, err);
	if (n >= max)
		return tx_end(c, DDNS_ELIMIT);
	err = exec_returning_id(c, &st_host_add, p, id);
	return tx_end(c, err == DDNS_ENOENT ? DDNS_ENOTZONE : err);
}

int
db_host_find(struct db_conn *c, const char *fqdn, long long *id,
	     long long *account_id)
{
	const char *p[1] = { fqdn };
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_host_find, p, &err)) == NULL)
		return err;
	err = PQntuples(r) == 1 ? 0 : DDNS_ENOENT;
	if (err == 0) {
		*id = db_get_ll(r, 0, 0);
		*account_id = db_get_ll(r, 0, 1);
	}
	PQclear(r);
	return err;
}

int
db_host_token_add(struct db_conn *c, long long host_id, long long account_id,
		  const char *public_id, const uint8_t *hash, size_t hash_len,
		  const char *label, long long *id)
{
	char hid[24], acc[24], hex[2 * 64 + 1];
	const char *p[5] = { hid, acc, public_id, hex, label };
	long long locked = 0, n = 0;
	int err;

	if (hash_len > 64)
		return DDNS_EINVAL;
	snprintf(hid, sizeof(hid), "%lld", host_id);
	snprintf(acc, sizeof(acc), "%lld", account_id);
	sodium_bin2hex(hex, sizeof(hex), hash, hash_len);
	if (db_command(c, "BEGIN") != 0)
		return DDNS_EDB;
	if ((err = exec_count(c, &st_host_lock, p, &locked)) != 0 ||
	    (err = exec_count(c, &st_token_count, p, &n)) != 0)
		return tx_end(c, err);
	if (n >= (long long)db_limits_max_tokens())
		return tx_end(c, DDNS_ELIMIT);
	return tx_end(c, exec_returning_id(c, &st_token_add, p, id));
}
