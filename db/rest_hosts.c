/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "db/rest_hosts.h"

/* Columns host_from_row() reads, in this order; add the e-mail last. */
#define HOST_COLS                                                            \
	"h.id, h.account_id, h.fqdn, z.name, host(h.ipv4), host(h.ipv6),"    \
	" h.ttl, h.offline, " DB_TS("h.created_at") ", "                     \
	DB_TS("h.updated_at") ", h.pushed_version >= h.version"
#define HOST_FROM " FROM hosts h JOIN zones z ON z.id = h.zone_id"

static int host_from_row(const PGresult *r, int row, struct db_rest_host *h,
			 bool email);
static int host_rows(PGresult *r, bool email,
		     int (*cb)(void *arg, const struct db_rest_host *h),
		     void *arg);

static const struct db_stmt st_zones = {
	"rest_zones",
	"SELECT name, default_ttl, owner_account_id IS NULL FROM zones"
	" WHERE owner_account_id IS NULL OR owner_account_id = $1"
	" ORDER BY name",
	1
};

/*
 * One statement: the zone the account may use, the room left under its
 * host limit, the insert and the wake-up of the pusher (a new host is
 * dirty: its first push clears whatever DNS still had at the name). Run
 * with the account row locked (db_exec_locked) so that the count is exact.
 */
static const struct db_stmt st_create = {
	"rest_host_create",
	"WITH z AS (SELECT id, default_ttl FROM zones"
	"  WHERE right($1, length(name) + 1) = '.' || name"
	"  AND (owner_account_id IS NULL OR owner_account_id = $2)"
	"  ORDER BY length(name) DESC LIMIT 1),"
	" a AS (SELECT max_hosts > (SELECT count(*) FROM hosts"
	"  WHERE account_id = $2 AND deleted_at IS NULL) AS room"
	"  FROM accounts WHERE id = $2),"
	" i AS (INSERT INTO hosts (zone_id, account_id, fqdn, ttl)"
	"  SELECT z.id, $2, $1, coalesce($3::integer, z.default_ttl)"
	"  FROM z, a WHERE a.room RETURNING id),"
	" n AS (SELECT pg_notify('ddns_dirty', '') FROM i)"
	" SELECT (SELECT id FROM i), EXISTS (SELECT 1 FROM z),"
	" coalesce((SELECT room FROM a), false), (SELECT count(*) FROM n)",
	3
};

static const struct db_stmt st_account_lock = {
	"rest_account_lock",
	"SELECT 1 FROM accounts WHERE id = $1 FOR NO KEY UPDATE",
	1
};

static const struct db_stmt st_get = {
	"rest_host_get",
	"SELECT " HOST_COLS HOST_FROM
	" WHERE h.account_id = $1 AND h.fqdn = $2 AND h.deleted_at IS NULL",
	2
};

/* Keyset pagination on (account_id, fqdn): hosts_account_idx. */
static const struct db_stmt st_list = {
	"rest_host_list",
	"SELECT " HOST_COLS HOST_FROM
	" WHERE h.account_id = $1 AND h.deleted_at IS NULL"
	" AND ($2::text IS NULL OR h.fqdn > $2)"
	" ORDER BY h.fqdn LIMIT $3",
	3
};

/*
 * A PATCH that changes nothing writes no new version (no DNS push) and is
 * recorded as nochg. Whether it changed is decided in the UPDATE itself,
 * on the row as it is after any concurrent change (a read in a CTE would
 * see an older snapshot); RETURNING tells it by updated_at = now().
 */
#define PATCH_CHANGES                                                          \
	"(($3 AND ipv4 IS DISTINCT FROM $4::inet) OR"                          \
	" ($5 AND ipv6 IS DISTINCT FROM $6::inet) OR"                          \
	" ($7 AND ttl IS DISTINCT FROM $8::integer) OR"                        \
	" ($9 AND offline IS DISTINCT FROM $10::boolean))"

static const struct db_stmt st_update = {
	"rest_host_update",
	"WITH u AS (UPDATE hosts SET"
	"  ipv4 = CASE WHEN $3 THEN $4::inet ELSE ipv4 END,"
	"  ipv6 = CASE WHEN $5 THEN $6::inet ELSE ipv6 END,"
	"  ttl = CASE WHEN $7 THEN $8::integer ELSE ttl END,"
	"  offline = CASE WHEN $9 THEN $10::boolean ELSE offline END,"
	"  version = version + CASE WHEN " PATCH_CHANGES " THEN 1 ELSE 0 END,"
	"  updated_at = CASE WHEN " PATCH_CHANGES " THEN now()"
	"   ELSE updated_at END"
	"  WHERE id = $2 AND account_id = $1 AND deleted_at IS NULL"
	"  RETURNING id, ipv4, ipv6, offline, updated_at = now() AS changed),"
	" e AS (INSERT INTO host_events"
	"  (host_id, source, user_agent, result, ipv4, ipv6, via)"
	"  SELECT id, $11::inet, $12,"
	"  CASE WHEN NOT changed THEN 'nochg'"
	"   WHEN offline THEN 'good offline' ELSE 'good' END,"
	"  ipv4, ipv6, 'api' FROM u)"
	" SELECT u.id FROM u LEFT JOIN LATERAL"
	"  (SELECT pg_notify('ddns_dirty', '') WHERE u.changed) n ON true",
	12
};

static const struct db_stmt st_delete = {
	"rest_host_delete",
	"WITH h AS (UPDATE hosts SET deleted_at = now(), version = version + 1,"
	"  updated_at = now() WHERE fqdn = $2 AND deleted_at IS NULL"
	"  AND ($1::bigint = 0 OR account_id = $1) RETURNING id),"
	" t AS (DELETE FROM host_tokens WHERE host_id IN (SELECT id FROM h)),"
	" a AS (DELETE FROM acme_challenges WHERE host_id IN"
	"  (SELECT id FROM h))"
	" SELECT h.id FROM h, LATERAL (SELECT pg_notify('ddns_dirty', '')) n",
	2
};

static const struct db_stmt st_admin_list = {
	"adm_host_list",
	"SELECT " HOST_COLS ", a.email" HOST_FROM
	" JOIN accounts a ON a.id = h.account_id WHERE h.deleted_at IS NULL"
	" AND ($1::text IS NULL OR lower(a.email) = lower($1))"
	" ORDER BY h.fqdn",
	1
};

static int
host_from_row(const PGresult *r, int row, struct db_rest_host *h, bool email)
{
	memset(h, 0, sizeof(*h));
	h->id = db_get_ll(r, row, 0);
	h->account_id = db_get_ll(r, row, 1);
	h->ttl = (int)db_get_ll(r, row, 6);
	h->offline = db_col_bool(r, row, 7);
	h->pushed = db_col_bool(r, row, 10);
	if (db_col_copy(r, row, 2, h->name, sizeof(h->name)) ||
	    db_col_copy(r, row, 3, h->zone, sizeof(h->zone)) ||
	    db_col_copy(r, row, 4, h->ipv4, sizeof(h->ipv4)) ||
	    db_col_copy(r, row, 5, h->ipv6, sizeof(h->ipv6)) ||
	    db_col_copy(r, row, 8, h->created_at, sizeof(h->created_at)) ||
	    db_col_copy(r, row, 9, h->updated_at, sizeof(h->updated_at)))
		return DDNS_EDB;
	if (email && db_col_copy(r, row, 11, h->email, sizeof(h->email)))
		return DDNS_EDB;
	return 0;
}

/* Calls cb for each row; clears r. */
static int
host_rows(PGresult *r, bool email,
	  int (*cb)(void *arg, const struct db_rest_host *h), void *arg)
{
	struct db_rest_host h;
	int err = 0;

	for (int i = 0; i < PQntuples(r) && err == 0; i++)
		if ((err = host_from_row(r, i, &h, email)) == 0)
			err = cb(arg, &h);
	PQclear(r);
	return err;
}

int
db_zone_list(struct db_conn *c, long long account_id,
	     int (*cb)(void *arg, const struct db_zone_info *z), void *arg)
{
	char acc[24];
	const char *p[1] = { acc };
	struct db_zone_info z;
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	if ((r = db_exec(c, &st_zones, p, &err)) == NULL)
		return err;
	for (int i = 0; i < PQntuples(r) && err == 0; i++) {
		memset(&z, 0, sizeof(z));
		z.default_ttl = (int)db_get_ll(r, i, 1);
		z.shared = db_col_bool(r, i, 2);
		if ((err = db_col_copy(r, i, 0, z.name, sizeof(z.name))) == 0)
			err = cb(arg, &z);
	}
	PQclear(r);
	return err;
}

int
db_rest_host_create(struct db_conn *c, long long account_id,
		    const char *name, int ttl, long long *id)
{
	char acc[24], t[16];
	const char *p[3] = { name, acc, ttl >= 0 ? t : NULL };
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(t, sizeof(t), "%d", ttl);
	if ((r = db_exec_locked(c, &st_account_lock, p + 1, &st_create, p,
				&err)) == NULL)
		return err;
	if (PQntuples(r) != 1)
		err = DDNS_EDB;
	else if (!PQgetisnull(r, 0, 0))
		*id = db_get_ll(r, 0, 0);
	else if (!db_col_bool(r, 0, 1))
		err = DDNS_ENOTZONE;
	else
		err = DDNS_ELIMIT;
	PQclear(r);
	return err;
}

int
db_rest_host_get(struct db_conn *c, long long account_id, const char *name,
		 struct db_rest_host *out)
{
	char acc[24];
	const char *p[2] = { acc, name };
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	if ((r = db_exec(c, &st_get, p, &err)) == NULL)
		return err;
	err = PQntuples(r) == 1 ? host_from_row(r, 0, out, false)
				: DDNS_ENOENT;
	PQclear(r);
	return err;
}

int
db_rest_host_list(struct db_conn *c, long long account_id, const char *after,
		  unsigned limit,
		  int (*cb)(void *arg, const struct db_rest_host *h),
		  void *arg)
{
	char acc[24], lim[16];
	const char *p[3] = { acc, after, lim };
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(lim, sizeof(lim), "%u", limit);
	if ((r = db_exec(c, &st_list, p, &err)) == NULL)
		return err;
	return host_rows(r, false, cb, arg);
}

int
db_rest_host_update(struct db_conn *c, long long account_id,
		    long long host_id, const struct db_host_patch *pa,
		    const char *source, const char *user_agent)
{
	char acc[24], id[24], ttl[16];
	const char *p[12];
	PGresult *r;
	int err, n;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(id, sizeof(id), "%lld", host_id);
	snprintf(ttl, sizeof(ttl), "%d", pa->ttl);
	p[0] = acc;
	p[1] = id;
	p[2] = pa->set_v4 ? "t" : "f";
	p[3] = pa->set_v4 ? pa->v4 : NULL;
	p[4] = pa->set_v6 ? "t" : "f";
	p[5] = pa->set_v6 ? pa->v6 : NULL;
	p[6] = pa->set_ttl ? "t" : "f";
	p[7] = pa->set_ttl ? ttl : NULL;
	p[8] = pa->set_offline ? "t" : "f";
	p[9] = pa->offline ? "t" : "f";
	p[10] = source;
	p[11] = user_agent;
	if ((r = db_exec(c, &st_update, p, &err)) == NULL)
		return err;
	n = PQntuples(r);
	PQclear(r);
	return n == 1 ? 0 : DDNS_ENOENT;
}

int
db_rest_host_delete(struct db_conn *c, long long account_id,
		    const char *name)
{
	char acc[24];
	const char *p[2] = { acc, name };
	PGresult *r;
	int err, n;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	if ((r = db_exec(c, &st_delete, p, &err)) == NULL)
		return err;
	n = PQntuples(r);
	PQclear(r);
	return n == 1 ? 0 : DDNS_ENOENT;
}

int
db_admin_host_list(struct db_conn *c, const char *email,
		   int (*cb)(void *arg, const struct db_rest_host *h),
		   void *arg)
{
	const char *p[1] = { email };
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_admin_list, p, &err)) == NULL)
		return err;
	return host_rows(r, true, cb, arg);
}
