/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "db/hosts.h"

static int parse_addr_col(const PGresult *r, int row, int col, bool *has,
			  struct ddns_addr *a);
static int parse_token_host(const PGresult *r, int row, int col0,
			    struct db_token_host *out);
static int id_array(struct ddns_buf *b, const char *const *ids, size_t n);

static const struct db_stmt st_lookup = {
	"host_by_token",
	"SELECT t.id, t.secret_hash, h.id, h.account_id, h.fqdn,"
	" host(h.ipv4), host(h.ipv6), h.offline"
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
	" host(h.ipv4), host(h.ipv6), h.offline"
	" FROM host_tokens t JOIN hosts h ON h.id = t.host_id"
	" WHERE t.public_id = ANY($1::text[]) AND h.deleted_at IS NULL",
	1
};

/*
 * One statement so that the change, its history row and the token's last
 * use commit together without a transaction round trip. No pg_notify()
 * here: PostgreSQL serialises notifying commits behind one lock held
 * through the WAL flush, which capped accepted changes at the disk's fsync
 * rate. The caller wakes its own pusher in-process (common/wake.h); other
 * instances' pushers find the row on their next interval.
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
	" e AS (INSERT INTO host_events"
	"  (host_id, source, user_agent, result, ipv4, ipv6, via)"
	"  SELECT id, $9::inet, $10, $11, ipv4, ipv6, $12 FROM u)"
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

const struct db_stmt db_host_lock = {
	"host_lock",
	"SELECT 1 FROM hosts WHERE id = $1 FOR NO KEY UPDATE",
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

/* A text[] literal of ids: each double-quoted, '"' and '\\' escaped. */
static int
id_array(struct ddns_buf *b, const char *const *ids, size_t n)
{
	int err = ddns_buf_append_str(b, "{");

	for (size_t i = 0; i < n && err == 0; i++) {
		err = ddns_buf_append_str(b, i ? ",\"" : "\"");
		for (const char *p = ids[i]; *p != '\0' && err == 0; p++) {
			if (*p == '"' || *p == '\\')
				err = ddns_buf_append(b, "\\", 1);
			if (err == 0)
				err = ddns_buf_append(b, p, 1);
		}
		if (err == 0)
			err = ddns_buf_append_str(b, "\"");
	}
	if (err == 0)
		err = ddns_buf_append_str(b, "}");
	if (err == 0 && ddns_buf_cstr(b) == NULL)
		err = DDNS_ENOMEM;
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
	if ((err = id_array(&arr, public_ids, n)) != 0)
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
	if (n == 1)
		return 0;
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
