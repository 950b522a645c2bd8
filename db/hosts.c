/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "db/accounts.h"
#include "db/events.h"
#include "db/hosts.h"
#include "db/notify.h"
#include "db/placement.h"
#include "db/stmt.h"

static int parse_addr_col(const PGresult *r, int row, int col, bool *has,
			  struct ddns_addr *a);
static int parse_token_host(const PGresult *r, int row, int col0,
			    struct db_token_host *out);
static int host_from_row(const PGresult *r, int row, struct db_host_info *h,
			 bool email);
static int host_rows(PGresult *r, bool email,
		     int (*cb)(void *arg, const struct db_host_info *h),
		     void *arg);
static int parse_prefix_col(const PGresult *r, int row, int col,
			    struct db_host *h);
static int follow_result(PGresult *r, const struct db_follow *f, char *detail,
			 size_t detailsz);
static void follow_params(const char *acc, const char *id,
			  const struct db_follow *f, char *len, size_t lensz,
			  const char *source, const char *user_agent,
			  const char **p);
static int create_result(PGresult *r, long long *id, char *detail,
			 size_t detailsz);
struct apply_text;
static void apply_params(long long host_id, long long account_id,
			 const struct db_host_change *ch, struct apply_text *t,
			 const char **p);
static int group_params(const struct db_host_write *w, size_t n,
			struct apply_text *t, const char **rowp,
			struct ddns_buf *cols, const char **p);
static size_t group_result(const PGresult *r, struct db_host_write *w,
			   size_t n);

static const struct db_stmt st_lookup = {
	"host_by_token",
	"SELECT t.id, t.secret_hash, h.id, h.account_id, h.fqdn,"
	" host(h.ipv4), host(h.ipv6), h.offline, h.lan_prefix::text,"
	" h.follows_id IS NOT NULL, h.ipv4_follows"
	" FROM host_tokens t JOIN hosts h ON h.id = t.host_id"
	" WHERE t.public_id = $1 AND h.deleted_at IS NULL",
	1
};

/*
 * The same read for a group of tokens (db_token_host_lookup_many): one row
 * per public id found, with the id first to match rows to requests. The
 * index on host_tokens.public_id serves the = ANY() as one scan per id.
 */
static const struct db_stmt st_lookup_many = {
	"host_by_tokens",
	"SELECT t.public_id, t.id, t.secret_hash, h.id, h.account_id, h.fqdn,"
	" host(h.ipv4), host(h.ipv6), h.offline, h.lan_prefix::text,"
	" h.follows_id IS NOT NULL, h.ipv4_follows"
	" FROM host_tokens t JOIN hosts h ON h.id = t.host_id"
	" WHERE t.public_id = ANY($1::text[]) AND h.deleted_at IS NULL",
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
#define BUCKET_NOW DB_BUCKET_NOW("$13", "$14")

/*
 * The token's last use is written at most once a minute, as for account
 * tokens (db/api_tokens.c): a second row version and its WAL per change
 * for a timestamp nobody reads to the second.
 *
 * The change bucket ($13 = 0: no limit) is taken in the same UPDATE, so a
 * "good" costs no extra round trip and concurrent instances cannot both
 * spend the last token (the row lock re-evaluates the WHERE). No row back
 * means the bucket was empty or the host is gone; st_live tells which.
 */
/*
 * The AAAA of follower fh of router u: the first fh.prefix_len bits of
 * u's LAN prefix, or of u's own AAAA when the router sent no prefix
 * (migrations/0007_followers.sql).
 */
#define FOLLOW_V6(u, fh)                                                       \
	"ddns_follow_ipv6(coalesce(" u ".lan_prefix::inet, " u ".ipv6), " fh   \
	".prefix_len, " fh ".ipv6_iid)"

/*
 * The followers of router u (a CTE returning id, ipv4, ipv6, lan_prefix)
 * whose derived addresses change, updated: a new version each (pushed
 * with the router, in the same zone's batch) and no bucket token.
 */
#define FOLLOWERS_OF_U                                                                \
	" f AS (UPDATE hosts fh SET"                                                  \
	"  ipv4 = CASE WHEN fh.ipv4_follows THEN u.ipv4 ELSE fh.ipv4 END,"            \
	"  ipv6 = " FOLLOW_V6(                                                        \
		"u",                                                                  \
		"fh") ","                                                             \
		      "  version = fh.version + 1, updated_at = now()"                \
		      "  FROM u WHERE fh.follows_id = u.id AND fh.deleted_at IS NULL" \
		      "  AND ((fh.ipv4_follows AND fh.ipv4 IS DISTINCT FROM u.ipv4)"  \
		      "   OR fh.ipv6 IS DISTINCT FROM " FOLLOW_V6(                    \
			      "u",                                                    \
			      "fh") ")"                                               \
				    "  RETURNING fh.id, fh.ipv4, fh.ipv6),"

static const struct db_stmt st_apply = {
	"host_apply",
	"WITH u AS (UPDATE hosts SET"
	"  ipv4 = CASE WHEN $3 THEN $4::inet ELSE ipv4 END,"
	"  ipv6 = CASE WHEN $5 THEN $6::inet ELSE ipv6 END,"
	"  offline = $7, lan_prefix = $15::cidr,"
	"  version = version + 1, updated_at = now(),"
	"  bucket_tokens = CASE WHEN $13::float8 > 0 THEN " BUCKET_NOW " - 1"
	"  END, bucket_at = now()"
	"  WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL"
	"  AND ($13::float8 = 0 OR " BUCKET_NOW " >= 1)"
	"  RETURNING id, ipv4, ipv6, lan_prefix)," FOLLOWERS_OF_U
	" t AS (UPDATE host_tokens SET last_used_at = now()"
	"  WHERE id = $8 AND host_id = $1 AND (last_used_at IS NULL"
	"  OR last_used_at < now() - interval '1 min')),"
	" e AS (" DB_EVENT_INSERT(
		"u", "$9::inet", "$10", "$11",
		"$12") "  UNION ALL SELECT id, $9::inet, $10, 'good', ipv4, ipv6, 'follow'"
		       "  FROM f)"
		       " SELECT id FROM u",
	15
};

#define APPLY_NPARAMS 15

/* st_apply's parameters as text, for one change. */
struct apply_text {
	char id[24], acc[24], tok[24], v4[48], v6[48], burst[16], win[16];
	char prefix[64];
};

#define GROUP_BUCKET DB_BUCKET_NOW("v.burst", "v.win")

/*
 * st_apply for a group of changes to distinct hosts, one row each in the
 * parallel arrays $1..$15 (st_apply's parameters, in its order): one
 * statement and one commit for all. A host that others follow is left
 * out (no row back): db_host_apply_group() sends it alone, through
 * st_apply, which derives its followers again; so is a host whose bucket
 * is empty or that is gone, which st_apply then tells apart.
 */
static const struct db_stmt st_apply_group = {
	"host_apply_group",
	"WITH v AS (SELECT * FROM unnest($1::bigint[], $2::bigint[],"
	"  $3::bool[], $4::inet[], $5::bool[], $6::inet[], $7::bool[],"
	"  $8::bigint[], $9::inet[], $10::text[], $11::text[], $12::text[],"
	"  $13::float8[], $14::float8[], $15::cidr[])"
	"  AS v(id, acc, s4, a4, s6, a6, off, tok, src, ua, res, via, burst,"
	"  win, pfx)),"
	" u AS (UPDATE hosts SET"
	"  ipv4 = CASE WHEN v.s4 THEN v.a4 ELSE ipv4 END,"
	"  ipv6 = CASE WHEN v.s6 THEN v.a6 ELSE ipv6 END,"
	"  offline = v.off, lan_prefix = v.pfx,"
	"  version = version + 1, updated_at = now(),"
	"  bucket_tokens = CASE WHEN v.burst > 0 THEN " GROUP_BUCKET " - 1"
	"  END, bucket_at = now()"
	"  FROM v WHERE hosts.id = v.id AND hosts.account_id = v.acc"
	"  AND hosts.deleted_at IS NULL"
	"  AND (v.burst = 0 OR " GROUP_BUCKET " >= 1)"
	"  AND NOT EXISTS (SELECT 1 FROM hosts fh"
	"   WHERE fh.follows_id = hosts.id)"
	"  RETURNING hosts.id, hosts.ipv4, hosts.ipv6, v.tok, v.src, v.ua,"
	"  v.res, v.via),"
	" t AS (UPDATE host_tokens SET last_used_at = now() FROM u"
	"  WHERE host_tokens.id = u.tok AND host_tokens.host_id = u.id"
	"  AND (last_used_at IS NULL"
	"  OR last_used_at < now() - interval '1 min')),"
	" e AS (" DB_EVENT_INSERT("u", "src", "ua", "res",
				  "via") ")"
					 " SELECT id FROM u",
	APPLY_NPARAMS
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
	"host_lock", "SELECT 1 FROM hosts WHERE id = $1 FOR NO KEY UPDATE", 1
};

/* Columns host_from_row() reads, in this order; add the e-mail last. */
#define HOST_COLS                                                                                      \
	"h.id, h.account_id, h.fqdn, z.name, host(h.ipv4), host(h.ipv6),"                              \
	" h.ttl, h.offline, " DB_TS("h.created_at") ", " DB_TS(                                        \
		"h.updated_at") ", h.pushed_version >= h.version,"                                     \
				" COALESCE(h.push_refused_rcode, ''),"                                 \
				" (SELECT r.fqdn FROM hosts r WHERE r.id = h.follows_id),"             \
				" host(h.ipv6_iid), h.prefix_len, h.ipv4_follows, h.lan_prefix::text," \
				" (SELECT count(*) FROM hosts f WHERE f.follows_id = h.id"             \
				" AND f.deleted_at IS NULL)"
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
	"   ELSE updated_at END,"
	/* Only a change spends a token, as on /nic/update. */
	"  bucket_tokens = CASE WHEN NOT " PATCH_CHANGES " THEN bucket_tokens"
	"   WHEN $13::float8 > 0 THEN " BUCKET_NOW " - 1 END,"
	"  bucket_at = CASE WHEN " PATCH_CHANGES " THEN now() ELSE bucket_at"
	"   END"
	"  WHERE id = $2 AND account_id = $1 AND deleted_at IS NULL"
	"  AND (NOT " PATCH_CHANGES " OR $13::float8 = 0 OR " BUCKET_NOW
	" >= 1)"
	"  RETURNING id, ipv4, ipv6, lan_prefix, offline,"
	"  updated_at = now() AS changed)," FOLLOWERS_OF_U
	" e AS (" DB_EVENT_INSERT(
		"u", "$11::inet", "$12",
		"CASE WHEN NOT changed THEN 'nochg'"
		" WHEN offline THEN 'good offline'"
		" ELSE 'good' END",
		"'api'") "  UNION ALL SELECT id, $11::inet, $12, 'good', ipv4, ipv6, 'follow'"
			 "  FROM f)"
			 " SELECT u.changed FROM u",
	14
};

static const struct db_stmt st_bucket_wait = {
	"host_bucket_wait",
	"SELECT CASE WHEN $2::float8 = 0 THEN 0 ELSE"
	" greatest(0, ceil((1 - " DB_BUCKET_NOW(
		"$2", "$3") ") * $3::float8"
			    " / $2::float8))::int END"
			    " FROM hosts WHERE id = $1 AND deleted_at IS NULL",
	3
};

static const struct db_stmt st_delete = {
	"host_delete",
	"WITH h AS (UPDATE hosts SET deleted_at = now(), version = version + 1,"
	"  updated_at = now() WHERE fqdn = $2 AND deleted_at IS NULL"
	"  AND ($1::bigint = 0 OR account_id = $1)"
	"  AND NOT EXISTS (SELECT 1 FROM hosts f WHERE f.follows_id = hosts.id"
	"  AND f.deleted_at IS NULL) RETURNING id),"
	" t AS (DELETE FROM host_tokens WHERE host_id IN (SELECT id FROM h)),"
	" a AS (DELETE FROM acme_challenges WHERE host_id IN"
	"  (SELECT id FROM h))"
	" SELECT h.id FROM h",
	2
};

/* Who follows the live host $2 (of account $1, 0: any). */
static const struct db_stmt st_followers = {
	"host_followers",
	"SELECT string_agg(f.fqdn, ', ' ORDER BY f.fqdn) FROM hosts r"
	" JOIN hosts f ON f.follows_id = r.id AND f.deleted_at IS NULL"
	" WHERE r.fqdn = $2 AND r.deleted_at IS NULL"
	" AND ($1::bigint = 0 OR r.account_id = $1)",
	2
};

/*
 * Sets how host $2 of account $1 follows router $3 (NULL: it stops and
 * keeps its addresses) and derives its addresses in the same UPDATE. Run
 * with the account row locked, so that no two changes make a chain; the
 * router's row is locked too, so that a change of the router committed
 * while this waited is the one derived from (rows are always locked
 * router first, then followers, as st_apply does: no deadlock). The
 * first column tells: ok, nohost, unknown, self, chain (the router
 * follows), followed (this host is followed).
 */
static const struct db_stmt st_follow = {
	"host_follow",
	"WITH r AS (SELECT id, follows_id, ipv4, ipv6, lan_prefix FROM hosts"
	"  WHERE account_id = $1 AND fqdn = $3 AND deleted_at IS NULL"
	"  FOR NO KEY UPDATE),"
	" me AS (SELECT id, follows_id, ipv4_follows, ipv4, ipv6 FROM hosts"
	"  WHERE id = $2 AND account_id = $1 AND deleted_at IS NULL),"
	" chk AS (SELECT CASE"
	"  WHEN NOT EXISTS (SELECT 1 FROM me) THEN 'nohost'"
	"  WHEN $3::text IS NULL THEN 'ok'"
	"  WHEN NOT EXISTS (SELECT 1 FROM r) THEN 'unknown'"
	"  WHEN (SELECT id FROM r) = $2 THEN 'self'"
	"  WHEN (SELECT follows_id FROM r) IS NOT NULL THEN 'chain'"
	"  WHEN EXISTS (SELECT 1 FROM hosts f WHERE f.follows_id = $2"
	"   AND f.deleted_at IS NULL) THEN 'followed'"
	"  ELSE 'ok' END AS s),"
	" n AS (SELECT (SELECT id FROM r) AS rid,"
	"  CASE WHEN $3::text IS NULL THEN me.ipv4"
	"   WHEN $6 THEN (SELECT ipv4 FROM r)"
	"   WHEN me.follows_id IS NOT NULL AND me.ipv4_follows THEN NULL"
	"   ELSE me.ipv4 END AS v4,"
	"  CASE WHEN $3::text IS NULL THEN me.ipv6"
	"   ELSE (SELECT " FOLLOW_V6(
		"r",
		"x") " FROM r,"
		     "   (SELECT $5::integer AS prefix_len, $4::inet AS ipv6_iid) x)"
		     "  END AS v6, me.ipv4 AS o4, me.ipv6 AS o6 FROM me),"
		     " u AS (UPDATE hosts h SET follows_id = n.rid,"
		     "  ipv6_iid = CASE WHEN $3::text IS NULL THEN NULL ELSE $4::inet END,"
		     "  prefix_len = CASE WHEN $3::text IS NULL THEN 64 ELSE $5 END,"
		     "  ipv4_follows = $6, ipv4 = n.v4, ipv6 = n.v6,"
		     "  version = h.version + CASE WHEN n.o4 IS DISTINCT FROM n.v4"
		     "   OR n.o6 IS DISTINCT FROM n.v6 THEN 1 ELSE 0 END,"
		     "  updated_at = now()"
		     "  FROM n, chk WHERE h.id = $2 AND chk.s = 'ok'"
		     "  RETURNING h.id, h.ipv4, h.ipv6,"
		     "  n.o4 IS DISTINCT FROM n.v4 OR n.o6 IS DISTINCT FROM n.v6 AS changed),"
		     " e AS (" DB_EVENT_INSERT(
			     "u WHERE changed", "$7::inet", "$8", "'good'",
			     "'api'") ")"
				      " SELECT (SELECT s FROM chk), EXISTS (SELECT 1 FROM u WHERE changed)",
	8
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
parse_addr_col(const PGresult *r, int row, int col, bool *has,
	       struct ddns_addr *a)
{
	const char *s = db_get_str(r, row, col);

	*has = s != NULL;
	if (s == NULL)
		return 0;
	return ddns_addr_parse(s, strlen(s), a) == 0 ? 0 : DDNS_EDB;
}

/* A cidr column "ADDR/LEN" into h's LAN prefix; NULL: none. */
static int
parse_prefix_col(const PGresult *r, int row, int col, struct db_host *h)
{
	const char *s = db_get_str(r, row, col), *slash;
	unsigned len = 0;

	h->has_prefix = false;
	if (s == NULL)
		return 0;
	if ((slash = strchr(s, '/')) == NULL ||
	    ddns_addr_parse(s, (size_t)(slash - s), &h->prefix) != 0)
		return DDNS_EDB;
	for (const char *d = slash + 1; *d != '\0'; d++) {
		if (*d < '0' || *d > '9' || len > 128)
			return DDNS_EDB;
		len = len * 10 + (unsigned)(*d - '0');
	}
	if (len == 0 || len > 128)
		return DDNS_EDB;
	h->has_prefix = true;
	h->prefix_len = len;
	return 0;
}

/* Row row of st_lookup's columns, which start at col0. 0 or DDNS_EDB. */
static int
parse_token_host(const PGresult *r, int row, int col0,
		 struct db_token_host *out)
{
	const char *fqdn;
	size_t n;
	int err;

	memset(out, 0, sizeof(*out));
	out->token_id = db_get_ll(r, row, col0);
	if ((err = db_get_bytea(r, row, col0 + 1, out->hash, sizeof(out->hash),
				&out->hash_len)) != 0)
		return err;
	out->host.id = db_get_ll(r, row, col0 + 2);
	out->host.account_id = db_get_ll(r, row, col0 + 3);
	fqdn = db_get_str(r, row, col0 + 4);
	if (fqdn == NULL || (n = strlen(fqdn)) >= sizeof(out->host.fqdn))
		return DDNS_EDB;
	memcpy(out->host.fqdn, fqdn, n + 1);
	if ((err = parse_addr_col(r, row, col0 + 5, &out->host.has_v4,
				  &out->host.v4)) != 0 ||
	    (err = parse_addr_col(r, row, col0 + 6, &out->host.has_v6,
				  &out->host.v6)) != 0)
		return err;
	out->host.offline = db_get_bool(r, row, col0 + 7);
	if ((err = parse_prefix_col(r, row, col0 + 8, &out->host)) != 0)
		return err;
	out->host.follower = db_get_bool(r, row, col0 + 9);
	out->host.ipv4_follows = db_get_bool(r, row, col0 + 10);
	return 0;
}

int
db_token_host_lookup(struct db_conn *c, const char *public_id,
		     struct db_token_host *out)
{
	const char *p[1] = { public_id };
	PGresult *r;
	int err;

	if ((r = db_exec_read(c, &st_lookup, p, &err)) == NULL)
		return err;
	err = PQntuples(r) == 1 ? parse_token_host(r, 0, 0, out) : DDNS_ENOENT;
	PQclear(r);
	return err;
}

int
db_token_host_lookup_many(struct db_conn *c, const char *const *public_ids,
			  size_t n, struct db_token_host *out, int *errs)
{
	struct ddns_buf arr = { 0 };
	const char *p[1];
	const char *id;
	PGresult *r = NULL;
	int err, rows, e;

	if (n == 0)
		return 0;
	if ((err = db_text_array(&arr, public_ids, n)) != 0)
		goto out;
	p[0] = ddns_buf_cstr(&arr);
	if ((r = db_exec_read(c, &st_lookup_many, p, &err)) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		errs[i] = DDNS_ENOENT;
	rows = PQntuples(r);
	/* Requests of one group may share a token: every one gets its row. */
	for (int row = 0; row < rows; row++) {
		if ((id = db_get_str(r, row, 0)) == NULL)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (errs[i] != DDNS_ENOENT ||
			    strcmp(public_ids[i], id) != 0)
				continue;
			e = parse_token_host(r, row, 1, &out[i]);
			errs[i] = e;
		}
	}
out:
	PQclear(r);
	ddns_buf_free(&arr);
	return err;
}

/* The 15 parameters of st_apply (and, per row, of st_apply_group). */
static void
apply_params(long long host_id, long long account_id,
	     const struct db_host_change *ch, struct apply_text *t,
	     const char **p)
{
	snprintf(t->id, sizeof(t->id), "%lld", host_id);
	snprintf(t->acc, sizeof(t->acc), "%lld", account_id);
	snprintf(t->tok, sizeof(t->tok), "%lld", ch->token_id);
	/* A set family of 0 clears the address (SQL NULL). */
	if (ch->set_v4 && ch->v4.family != 0)
		ddns_addr_format(&ch->v4, t->v4, sizeof(t->v4));
	if (ch->set_v6 && ch->v6.family != 0)
		ddns_addr_format(&ch->v6, t->v6, sizeof(t->v6));
	p[0] = t->id;
	p[1] = t->acc;
	p[2] = ch->set_v4 ? "t" : "f";
	p[3] = ch->set_v4 && ch->v4.family != 0 ? t->v4 : NULL;
	p[4] = ch->set_v6 ? "t" : "f";
	p[5] = ch->set_v6 && ch->v6.family != 0 ? t->v6 : NULL;
	p[6] = ch->offline ? "t" : "f";
	p[7] = t->tok;
	p[8] = ch->source;
	p[9] = ch->user_agent;
	p[10] = ch->result;
	p[11] = ch->via;
	snprintf(t->burst, sizeof(t->burst), "%u", ch->bucket_burst);
	snprintf(t->win, sizeof(t->win), "%u",
		 ch->bucket_window_s > 0 ? ch->bucket_window_s : 1);
	p[12] = t->burst;
	p[13] = t->win;
	p[14] = NULL;
	if (ch->has_prefix) {
		ddns_addr_format(&ch->prefix, t->prefix, sizeof(t->prefix));
		snprintf(t->prefix + strlen(t->prefix),
			 sizeof(t->prefix) - strlen(t->prefix), "/%u",
			 ch->prefix_len);
		p[14] = t->prefix;
	}
}

int
db_host_apply(struct db_conn *c, long long host_id, long long account_id,
	      const struct db_host_change *ch)
{
	struct apply_text t;
	const char *p[APPLY_NPARAMS];
	PGresult *r;
	int err, n;

	apply_params(host_id, account_id, ch, &t, p);
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

/* The group's parameters: column k of every row as one text[] literal. */
static int
group_params(const struct db_host_write *w, size_t n, struct apply_text *t,
	     const char **rowp, struct ddns_buf *cols, const char **p)
{
	const char *col[DB_HOST_GROUP_MAX];
	int err = 0;

	for (size_t i = 0; i < n; i++)
		apply_params(w[i].host_id, w[i].account_id, w[i].ch, &t[i],
			     rowp + i * APPLY_NPARAMS);
	for (size_t k = 0; k < APPLY_NPARAMS && err == 0; k++) {
		for (size_t i = 0; i < n; i++)
			col[i] = rowp[i * APPLY_NPARAMS + k];
		err = db_text_array(&cols[k], col, n);
		p[k] = ddns_buf_cstr(&cols[k]);
	}
	return err;
}

/* Marks the rows the group statement wrote; DDNS_EAGAIN stays on the rest. */
static size_t
group_result(const PGresult *r, struct db_host_write *w, size_t n)
{
	size_t done = 0;
	long long id;

	for (int row = 0; row < PQntuples(r); row++) {
		id = db_get_ll(r, row, 0);
		for (size_t i = 0; i < n; i++) {
			if (w[i].err == DDNS_EAGAIN && w[i].host_id == id) {
				w[i].err = 0;
				done++;
				break;
			}
		}
	}
	return done;
}

void
db_host_apply_group(struct db_conn *c, struct db_host_write *w, size_t n)
{
	struct apply_text t[DB_HOST_GROUP_MAX];
	const char *rowp[DB_HOST_GROUP_MAX * APPLY_NPARAMS];
	struct ddns_buf cols[APPLY_NPARAMS] = { 0 };
	const char *p[APPLY_NPARAMS];
	PGresult *r = NULL;
	int err = 0;

	if (n > DB_HOST_GROUP_MAX)
		n = DB_HOST_GROUP_MAX;
	for (size_t i = 0; i < n; i++)
		w[i].err = DDNS_EAGAIN;
	if (n > 1 && (err = group_params(w, n, t, rowp, cols, p)) == 0 &&
	    (r = db_exec(c, &st_apply_group, p, &err)) != NULL &&
	    group_result(r, w, n) > 0)
		db_changed(c, DB_CHANGED_LOCAL);
	PQclear(r);
	for (size_t k = 0; k < APPLY_NPARAMS; k++)
		ddns_buf_free(&cols[k]);
	/* A lost connection fails the group; anything else goes one by one. */
	if (n > 1 && r == NULL &&
	    (err == DDNS_ENOMEM || PQstatus(db_pg(c)) != CONNECTION_OK)) {
		for (size_t i = 0; i < n; i++)
			w[i].err = err == DDNS_ENOMEM ? err : DDNS_EDB;
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (w[i].err == DDNS_EAGAIN)
			w[i].err = db_host_apply(c, w[i].host_id,
						 w[i].account_id, w[i].ch);
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
	    db_col_copy(r, row, 11, h->refused_rcode, sizeof(h->refused_rcode)))
		return DDNS_EDB;
	if (db_col_copy(r, row, 12, h->follows, sizeof(h->follows)) ||
	    db_col_copy(r, row, 13, h->ipv6_iid, sizeof(h->ipv6_iid)) ||
	    db_col_copy(r, row, 16, h->lan_prefix, sizeof(h->lan_prefix)))
		return DDNS_EDB;
	h->prefix_len = (int)db_get_ll(r, row, 14);
	h->ipv4_follows = db_get_bool(r, row, 15);
	h->followers = db_get_ll(r, row, 17);
	if (email && db_col_copy(r, row, 18, h->email, sizeof(h->email)))
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

/* The row of st_create: the new id, or why there is none. Clears r. */
static int
create_result(PGresult *r, long long *id, char *detail, size_t detailsz)
{
	int err = 0;

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
	return err;
}

int
db_host_create(struct db_conn *c, long long account_id, const char *name,
	       int ttl, const struct db_placement_rules *rules, long long *id,
	       char *detail, size_t detailsz)
{
	return db_host_create_follow(c, account_id, name, ttl, rules, NULL, id,
				     detail, detailsz);
}

static void
follow_params(const char *acc, const char *id, const struct db_follow *f,
	      char *len, size_t lensz, const char *source,
	      const char *user_agent, const char **p)
{
	snprintf(len, lensz, "%u", f->prefix_len);
	p[0] = acc;
	p[1] = id;
	p[2] = f->follows;
	p[3] = f->iid;
	p[4] = len;
	p[5] = f->ipv4_follows ? "t" : "f";
	p[6] = source;
	p[7] = user_agent;
}

/* The row of st_follow as an error code and detail. Clears r. */
static int
follow_result(PGresult *r, const struct db_follow *f, char *detail,
	      size_t detailsz)
{
	const char *s = PQntuples(r) == 1 ? db_get_str(r, 0, 0) : NULL;
	int err = DDNS_ERANGE;

	if (s == NULL)
		err = DDNS_EDB;
	else if (strcmp(s, "ok") == 0)
		err = 0;
	else if (strcmp(s, "nohost") == 0)
		err = DDNS_ENOENT;
	else if (strcmp(s, "unknown") == 0)
		snprintf(detail, detailsz,
			 "follows: no host %s in this account", f->follows);
	else if (strcmp(s, "self") == 0)
		snprintf(detail, detailsz,
			 "follows: a host cannot follow "
			 "itself");
	else if (strcmp(s, "chain") == 0)
		snprintf(detail, detailsz,
			 "follows: %s follows another host "
			 "itself (no chains)",
			 f->follows);
	else if (strcmp(s, "followed") == 0)
		snprintf(detail, detailsz,
			 "follows: other hosts follow this "
			 "one (no chains)");
	else
		err = DDNS_EDB;
	PQclear(r);
	return err;
}

int
db_host_follow_set(struct db_conn *c, long long account_id, long long host_id,
		   const struct db_follow *f, const char *source,
		   const char *user_agent, char *detail, size_t detailsz)
{
	char acc[24], id[24], len[16];
	const char *p[8];
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(id, sizeof(id), "%lld", host_id);
	follow_params(acc, id, f, len, sizeof(len), source, user_agent, p);
	if ((r = db_exec_locked(c, &db_account_lock, p, &st_follow, p, &err)) ==
	    NULL)
		return err;
	if ((err = follow_result(r, f, detail, detailsz)) == 0)
		db_changed(c, DB_CHANGED_ALL);
	return err;
}

int
db_host_create_follow(struct db_conn *c, long long account_id, const char *name,
		      int ttl, const struct db_placement_rules *rules,
		      const struct db_follow *f, long long *id, char *detail,
		      size_t detailsz)
{
	char acc[24], t[16], zid[24], hid[24], len[16];
	const char *p[4] = { name, acc, t, zid }, *fp[8];
	struct db_place pl;
	PGresult *r;
	int err;

	if ((err = db_place_host(c, account_id, name, rules, &pl, detail,
				 detailsz)) != 0)
		return err;
	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(t, sizeof(t), "%d", ttl >= 0 ? ttl : pl.default_ttl);
	snprintf(zid, sizeof(zid), "%lld", pl.zone_id);
	/* The account row held: the host count is exact, and no concurrent
	 * follow change can make a chain. */
	if ((err = db_command(c, "BEGIN")) != 0)
		return err;
	if ((r = db_exec(c, &db_account_lock, p + 1, &err)) == NULL)
		goto out;
	PQclear(r);
	if ((r = db_exec(c, &st_create, p, &err)) == NULL) {
		if (err == DDNS_EEXIST)
			snprintf(detail, detailsz, "name: already taken");
		goto out;
	}
	if ((err = create_result(r, id, detail, detailsz)) != 0 || f == NULL)
		goto out;
	snprintf(hid, sizeof(hid), "%lld", *id);
	follow_params(acc, hid, f, len, sizeof(len), NULL, NULL, fp);
	if ((r = db_exec(c, &st_follow, fp, &err)) == NULL)
		goto out;
	err = follow_result(r, f, detail, detailsz);
out:
	if ((err = db_tx_end(c, err)) == 0)
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
	err = PQntuples(r) == 1 ? host_from_row(r, 0, out, false) : DDNS_ENOENT;
	PQclear(r);
	return err;
}

int
db_host_list(struct db_conn *c, long long account_id, const char *after,
	     unsigned limit, int (*cb)(void *arg, const struct db_host_info *h),
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
db_host_update(struct db_conn *c, long long account_id, long long host_id,
	       const struct db_host_patch *pa, const char *source,
	       const char *user_agent)
{
	char acc[24], id[24], ttl[16], burst[16], win[16];
	const char *p[14];
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
	snprintf(burst, sizeof(burst), "%u", pa->bucket_burst);
	snprintf(win, sizeof(win), "%u",
		 pa->bucket_window_s > 0 ? pa->bucket_window_s : 1);
	p[12] = burst;
	p[13] = win;
	if ((r = db_exec(c, &st_update, p, &err)) == NULL)
		return err;
	n = PQntuples(r);
	changed = n == 1 && db_get_bool(r, 0, 0);
	PQclear(r);
	if (changed)
		db_changed(c, DB_CHANGED_ALL);
	if (n == 1)
		return 0;
	if (pa->bucket_burst == 0)
		return DDNS_ENOENT;
	/* Still there, so the UPDATE found the bucket empty. */
	if ((n = db_host_live(c, host_id, account_id)) < 0)
		return n;
	return n == 1 ? DDNS_EABUSE : DDNS_ENOENT;
}

int
db_host_bucket_wait(struct db_conn *c, long long host_id, unsigned burst,
		    unsigned window_s, unsigned *wait_s)
{
	char id[24], b[16], w[16];
	const char *p[3] = { id, b, w };
	long long v;
	PGresult *r;
	int err;

	*wait_s = 0;
	snprintf(id, sizeof(id), "%lld", host_id);
	snprintf(b, sizeof(b), "%u", burst);
	snprintf(w, sizeof(w), "%u", window_s > 0 ? window_s : 1);
	if ((r = db_exec(c, &st_bucket_wait, p, &err)) == NULL)
		return err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return DDNS_ENOENT;
	}
	v = db_get_ll(r, 0, 0);
	PQclear(r);
	*wait_s = v > 0 && v <= 86400 ? (unsigned)v : 0;
	return 0;
}

int
db_host_delete(struct db_conn *c, long long account_id, const char *name,
	       char *detail, size_t detailsz)
{
	char acc[24];
	const char *p[2] = { acc, name }, *who;
	PGresult *r;
	int err, n;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	if ((r = db_exec(c, &st_delete, p, &err)) == NULL)
		return err;
	n = PQntuples(r);
	PQclear(r);
	if (n == 1) {
		db_changed(c, DB_CHANGED_ALL);
		return 0;
	}
	/* Gone, or kept because hosts follow it: say which. */
	if ((r = db_exec(c, &st_followers, p, &err)) == NULL)
		return err;
	who = PQntuples(r) == 1 ? db_get_str(r, 0, 0) : NULL;
	err = who != NULL ? DDNS_EEXIST : DDNS_ENOENT;
	if (who != NULL && detail != NULL)
		snprintf(detail, detailsz, "followed by %s", who);
	PQclear(r);
	return err;
}

int
db_host_list_all(struct db_conn *c, const char *email,
		 int (*cb)(void *arg, const struct db_host_info *h), void *arg)
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
