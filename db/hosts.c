/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "db/events.h"
#include "db/hosts.h"
#include "db/notify.h"
#include "db/placement.h"
#include "db/stmt.h"

static int parse_addr_col(const PGresult *r, int col, bool *has,
			  struct ddns_addr *a);
static int host_from_row(const PGresult *r, int row, struct db_host_info *h,
			 bool email);
static int host_rows(PGresult *r, bool email,
		     int (*cb)(void *arg, const struct db_host_info *h),
		     void *arg);

static const struct db_stmt st_lookup = {
	"host_by_token",
	"SELECT t.id, t.secret_hash, h.id, h.account_id, h.fqdn,"
	" host(h.ipv4), host(h.ipv6), h.offline"
	" FROM host_tokens t JOIN hosts h ON h.id = t.host_id"
	" WHERE t.public_id = $1 AND h.deleted_at IS NULL",
	1
};

/*
 * One statement so that the change, its history row and the token's last
 * use commit together without a transaction round trip. No pg_notify()
 * here: PostgreSQL serialises notifying commits behind one lock held
 * through the WAL flush, which capped accepted changes at the disk's fsync
 * rate. db_host_apply() wakes its own pusher in-process (db/notify.h);
 * other instances' pushers find the row on their next interval.
 */
/*
 * Tokens in the change bucket now: full when never used ($13 = burst),
 * refilled at burst per $14 seconds since bucket_at.
 */
#define BUCKET_NOW                                                             \
	"least($13::float8, coalesce(bucket_tokens, $13::float8) +"            \
	" extract(epoch FROM now() - coalesce(bucket_at, now()))::float8 *"    \
	" $13::float8 / $14::float8)"

/*
 * The change bucket ($13 = 0: no limit) is taken in the same UPDATE, so a
 * "good" costs no extra round trip and concurrent instances cannot both
 * spend the last token (the row lock re-evaluates the WHERE). No row back
 * means the bucket was empty or the host is gone; st_live tells which.
 */
static const struct db_stmt st_apply = {
	"host_apply",
	"WITH u AS (UPDATE hosts SET"
	"  ipv4 = CASE WHEN $3 THEN $4::inet ELSE ipv4 END,"
	"  ipv6 = CASE WHEN $5 THEN $6::inet ELSE ipv6 END,"
	"  offline = $7, version = version + 1, updated_at = now(),"
	"  bucket_tokens = CASE WHEN $13::float8 > 0 THEN " BUCKET_NOW " - 1"
	"  END, bucket_at = now()"
	"  WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL"
	"  AND ($13::float8 = 0 OR " BUCKET_NOW " >= 1)"
	"  RETURNING id, ipv4, ipv6),"
	" t AS (UPDATE host_tokens SET last_used_at = now()"
	"  WHERE id = $8 AND host_id = $1),"
	" e AS (" DB_EVENT_INSERT("u", "$9::inet", "$10", "$11", "$12") ")"
	" SELECT id FROM u",
	14
};

/*
 * A statement of its own, so that it reads the latest committed row: in
 * st_apply a read of hosts would see the snapshot taken before the UPDATE
 * waited for a concurrent change, when the bucket still held a token.
 */
static const struct db_stmt st_live = {
	"host_live",
	"SELECT 1 FROM hosts WHERE id = $1 AND account_id = $2"
	" AND deleted_at IS NULL",
	2
};

static const struct db_stmt st_find = {
	"host_find",
	"SELECT id, account_id FROM hosts WHERE fqdn = $1"
	" AND deleted_at IS NULL",
	1
};

static const struct db_stmt st_requeue = {
	"host_requeue",
	"WITH u AS (UPDATE hosts SET version = version + 1"
	"  WHERE zone_id = $1 AND id = ANY ($2::bigint[])"
	"  AND version = pushed_version RETURNING id)"
	" SELECT count(*) FROM u",
	2
};

const struct db_stmt db_host_lock = {
	"host_lock",
	"SELECT 1 FROM hosts WHERE id = $1 FOR NO KEY UPDATE",
	1
};

/* Columns host_from_row() reads, in this order; add the e-mail last. */
#define HOST_COLS                                                            \
	"h.id, h.account_id, h.fqdn, z.name, host(h.ipv4), host(h.ipv6),"    \
	" h.ttl, h.offline, " DB_TS("h.created_at") ", "                     \
	DB_TS("h.updated_at") ", h.pushed_version >= h.version,"            \
	" COALESCE(h.push_refused_rcode, '')"
#define HOST_FROM " FROM hosts h JOIN zones z ON z.id = h.zone_id"

/*
 * One statement: the room left under the account's host limit and the
 * insert into the zone db_place_host() chose (a new host is dirty: its
 * first push clears whatever DNS still had at the name). Run with the
 * account row locked (db_exec_locked) so that the count is exact.
 */
static const struct db_stmt st_create = {
	"host_create",
	"WITH a AS (SELECT max_hosts > (SELECT count(*) FROM hosts"
	"  WHERE account_id = $2 AND deleted_at IS NULL) AS room"
	"  FROM accounts WHERE id = $2),"
	" i AS (INSERT INTO hosts (zone_id, account_id, fqdn, ttl)"
	"  SELECT $4, $2, $1, $3 FROM a WHERE a.room RETURNING id)"
	" SELECT (SELECT id FROM i)",
	4
};

static const struct db_stmt st_get = {
	"host_get",
	"SELECT " HOST_COLS HOST_FROM
	" WHERE h.account_id = $1 AND h.fqdn = $2 AND h.deleted_at IS NULL",
	2
};

/* Keyset pagination on (account_id, fqdn): hosts_account_idx. */
static const struct db_stmt st_list = {
	"host_list",
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
	"host_update",
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
	" e AS (" DB_EVENT_INSERT("u", "$11::inet", "$12",
				  "CASE WHEN NOT changed THEN 'nochg'"
				  " WHEN offline THEN 'good offline'"
				  " ELSE 'good' END", "'api'") ")"
	" SELECT u.changed FROM u",
	12
};

static const struct db_stmt st_delete = {
	"host_delete",
	"WITH h AS (UPDATE hosts SET deleted_at = now(), version = version + 1,"
	"  updated_at = now() WHERE fqdn = $2 AND deleted_at IS NULL"
	"  AND ($1::bigint = 0 OR account_id = $1) RETURNING id),"
	" t AS (DELETE FROM host_tokens WHERE host_id IN (SELECT id FROM h)),"
	" a AS (DELETE FROM acme_challenges WHERE host_id IN"
	"  (SELECT id FROM h))"
	" SELECT h.id FROM h",
	2
};

static const struct db_stmt st_list_all = {
	"host_list_all",
	"SELECT " HOST_COLS ", a.email" HOST_FROM
	" JOIN accounts a ON a.id = h.account_id WHERE h.deleted_at IS NULL"
	" AND ($1::text IS NULL OR lower(a.email) = lower($1))"
	" ORDER BY h.fqdn",
	1
};

static int
parse_addr_col(const PGresult *r, int col, bool *has, struct ddns_addr *a)
{
	const char *s = db_get_str(r, 0, col);

	*has = s != NULL;
	if (s == NULL)
		return 0;
	return ddns_addr_parse(s, strlen(s), a) == 0 ? 0 : DDNS_EDB;
}

int
db_token_host_lookup(struct db_conn *c, const char *public_id,
		     struct db_token_host *out)
{
	const char *p[1] = { public_id };
	const char *fqdn;
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
	if ((err = db_get_bytea(r, 0, 1, out->hash, sizeof(out->hash),
				&out->hash_len)) != 0)
		goto out;
	out->host.id = db_get_ll(r, 0, 2);
	out->host.account_id = db_get_ll(r, 0, 3);
	fqdn = db_get_str(r, 0, 4);
	if (fqdn == NULL || strlen(fqdn) >= sizeof(out->host.fqdn)) {
		err = DDNS_EDB;
		goto out;
	}
	memcpy(out->host.fqdn, fqdn, strlen(fqdn) + 1);
	if ((err = parse_addr_col(r, 5, &out->host.has_v4, &out->host.v4)) ||
	    (err = parse_addr_col(r, 6, &out->host.has_v6, &out->host.v6)))
		goto out;
	out->host.offline = strcmp(PQgetvalue(r, 0, 7), "t") == 0;
out:
	PQclear(r);
	return err;
}

int
db_host_apply(struct db_conn *c, long long host_id, long long account_id,
	      const struct db_host_change *ch)
{
	char id[24], acc[24], tok[24], v4[48], v6[48], burst[16], win[16];
	const char *p[14];
	PGresult *r;
	int err, n;

	snprintf(id, sizeof(id), "%lld", host_id);
	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(tok, sizeof(tok), "%lld", ch->token_id);
	/* A set family of 0 clears the address (SQL NULL). */
	if (ch->set_v4 && ch->v4.family != 0)
		ddns_addr_format(&ch->v4, v4, sizeof(v4));
	if (ch->set_v6 && ch->v6.family != 0)
		ddns_addr_format(&ch->v6, v6, sizeof(v6));
	p[0] = id;
	p[1] = acc;
	p[2] = ch->set_v4 ? "t" : "f";
	p[3] = ch->set_v4 && ch->v4.family != 0 ? v4 : NULL;
	p[4] = ch->set_v6 ? "t" : "f";
	p[5] = ch->set_v6 && ch->v6.family != 0 ? v6 : NULL;
	p[6] = ch->offline ? "t" : "f";
	p[7] = tok;
	p[8] = ch->source;
	p[9] = ch->user_agent;
	p[10] = ch->result;
	p[11] = ch->via;
	snprintf(burst, sizeof(burst), "%u", ch->bucket_burst);
	snprintf(win, sizeof(win), "%u",
		 ch->bucket_window_s > 0 ? ch->bucket_window_s : 1);
	p[12] = burst;
	p[13] = win;
	if ((r = db_exec(c, &st_apply, p, &err)) == NULL)
		return err;
	n = PQntuples(r);
	PQclear(r);
	if (n == 1) {
		db_changed(c, DB_CHANGED_LOCAL);
		return 0;
	}
	if (ch->bucket_burst == 0)
		return DDNS_ENOENT;
	/* Still there, so the UPDATE found the bucket empty. */
	if ((n = db_host_live(c, host_id, account_id)) < 0)
		return n;
	return n == 1 ? DDNS_EABUSE : DDNS_ENOENT;
}

int
db_host_live(struct db_conn *c, long long host_id, long long account_id)
{
	char id[24], acc[24];
	const char *p[2] = { id, acc };
	PGresult *r;
	int err, n;

	snprintf(id, sizeof(id), "%lld", host_id);
	snprintf(acc, sizeof(acc), "%lld", account_id);
	if ((r = db_exec(c, &st_live, p, &err)) == NULL)
		return err;
	n = PQntuples(r);
	PQclear(r);
	return n == 1;
}

static int
host_from_row(const PGresult *r, int row, struct db_host_info *h, bool email)
{
	memset(h, 0, sizeof(*h));
	h->id = db_get_ll(r, row, 0);
	h->account_id = db_get_ll(r, row, 1);
	h->ttl = (int)db_get_ll(r, row, 6);
	h->offline = db_get_bool(r, row, 7);
	h->pushed = db_get_bool(r, row, 10);
	if (db_col_copy(r, row, 2, h->name, sizeof(h->name)) ||
	    db_col_copy(r, row, 3, h->zone, sizeof(h->zone)) ||
	    db_col_copy(r, row, 4, h->ipv4, sizeof(h->ipv4)) ||
	    db_col_copy(r, row, 5, h->ipv6, sizeof(h->ipv6)) ||
	    db_col_copy(r, row, 8, h->created_at, sizeof(h->created_at)) ||
	    db_col_copy(r, row, 9, h->updated_at, sizeof(h->updated_at)) ||
	    db_col_copy(r, row, 11, h->refused_rcode,
			sizeof(h->refused_rcode)))
		return DDNS_EDB;
	if (email && db_col_copy(r, row, 12, h->email, sizeof(h->email)))
		return DDNS_EDB;
	return 0;
}

/* Calls cb for each row; clears r. */
static int
host_rows(PGresult *r, bool email,
	  int (*cb)(void *arg, const struct db_host_info *h), void *arg)
{
	struct db_host_info h;
	int err = 0;

	for (int i = 0; i < PQntuples(r) && err == 0; i++)
		if ((err = host_from_row(r, i, &h, email)) == 0)
			err = cb(arg, &h);
	PQclear(r);
	return err;
}

int
db_host_create(struct db_conn *c, long long account_id, const char *name,
	       int ttl, const struct db_placement_rules *rules, long long *id,
	       char *detail, size_t detailsz)
{
	char acc[24], t[16], zid[24];
	const char *p[4] = { name, acc, t, zid };
	struct db_place pl;
	PGresult *r;
	int err;

	if ((err = db_place_host(c, account_id, name, rules, &pl, detail,
				 detailsz)) != 0)
		return err;
	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(t, sizeof(t), "%d", ttl >= 0 ? ttl : pl.default_ttl);
	snprintf(zid, sizeof(zid), "%lld", pl.zone_id);
	if ((r = db_exec_locked(c, &db_account_lock, p + 1, &st_create, p,
				&err)) == NULL) {
		if (err == DDNS_EEXIST)
			snprintf(detail, detailsz, "name: already taken");
		return err;
	}
	if (PQntuples(r) != 1) {
		err = DDNS_EDB;
	} else if (PQgetisnull(r, 0, 0)) {
		err = DDNS_ELIMIT;
		snprintf(detail, detailsz,
			 "the account's host limit is reached");
	} else {
		*id = db_get_ll(r, 0, 0);
	}
	PQclear(r);
	if (err == 0)
		db_changed(c, DB_CHANGED_ALL);
	return err;
}

int
db_host_get(struct db_conn *c, long long account_id, const char *name,
		 struct db_host_info *out)
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
db_host_list(struct db_conn *c, long long account_id, const char *after,
		  unsigned limit,
		  int (*cb)(void *arg, const struct db_host_info *h),
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
db_host_update(struct db_conn *c, long long account_id,
		    long long host_id, const struct db_host_patch *pa,
		    const char *source, const char *user_agent)
{
	char acc[24], id[24], ttl[16];
	const char *p[12];
	PGresult *r;
	bool changed;
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
	changed = n == 1 && db_get_bool(r, 0, 0);
	PQclear(r);
	if (changed)
		db_changed(c, DB_CHANGED_ALL);
	return n == 1 ? 0 : DDNS_ENOENT;
}

int
db_host_delete(struct db_conn *c, long long account_id,
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
	if (n != 1)
		return DDNS_ENOENT;
	db_changed(c, DB_CHANGED_ALL);
	return 0;
}

int
db_host_list_all(struct db_conn *c, const char *email,
		   int (*cb)(void *arg, const struct db_host_info *h),
		   void *arg)
{
	const char *p[1] = { email };
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_list_all, p, &err)) == NULL)
		return err;
	return host_rows(r, true, cb, arg);
}

int
db_host_find(struct db_conn *c, const char *fqdn, long long *id,
	     long long *account_id)
{
	const char *p[1] = { fqdn };
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_find, p, &err)) == NULL)
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
db_host_requeue(struct db_conn *c, long long zone_id, const long long *ids,
		size_t n, size_t *marked)
{
	struct ddns_buf arr = { 0 };
	const char *p[2];
	char zid[24];
	long long v = 0;
	int err;

	*marked = 0;
	if (n == 0)
		return 0;
	if ((err = db_id_array(&arr, ids, n)) != 0)
		goto out;
	snprintf(zid, sizeof(zid), "%lld", zone_id);
	p[0] = zid;
	p[1] = (const char *)arr.data;
	if ((err = db_exec_ll(c, &st_requeue, p, &v)) != 0)
		goto out;
	*marked = (size_t)v;
	if (v > 0)
		db_changed(c, DB_CHANGED_ALL);
out:
	ddns_buf_free(&arr);
	return err;
}
