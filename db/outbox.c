/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/errors.h"
#include "db/outbox.h"
#include "db/stmt.h"

#include <sys/socket.h>

static int item_from_row(const PGresult *r, int row, struct db_push_item *it);
static int claim_txt(struct db_conn *c, struct db_push_item *items, size_t n);
static int item_ids(struct ddns_buf *b, const struct db_push_item *items,
		    size_t n);

/*
 * A dirty host h that may be claimed now: its zone is not skipped ($1), no
 * live lease holds it, and it is not a name that lives again while the
 * removal of its tombstone is still on its way (the tombstone is reaped
 * when marked): otherwise another pusher still holding the tombstone
 * could send its removal after this one sent the new records. A host
 * whose change the nameserver refused waits out its own backoff, unless
 * it has changed since (the new change may well be accepted).
 */
#define CLAIMABLE(h)                                                           \
	" " h ".version > " h ".pushed_version"                                \
	" AND NOT (" h ".zone_id = ANY ($1::bigint[]))"                        \
	" AND (" h ".push_lease_until IS NULL"                                 \
	"  OR " h ".push_lease_until < clock_timestamp())"                     \
	" AND (" h ".push_retry_at IS NULL"                                    \
	"  OR " h ".push_retry_at <= clock_timestamp()"                        \
	"  OR " h ".version > " h ".push_refused_version)"                     \
	" AND (" h ".deleted_at IS NOT NULL OR NOT EXISTS (SELECT 1 FROM"      \
	"  hosts t WHERE t.fqdn = " h ".fqdn AND t.deleted_at IS NOT NULL))"

/*
 * One statement, in a transaction of its own with its planner settings
 * (st_claim_plan) and committed at once: the first zone (by id, of the
 * wanted kind, not skipped) with a claimable host, and up to $2 of its
 * claimable hosts in id order, leased ($3 until $4 ms from now) and
 * returned, with whether a second such zone exists. A claim reads about as
 * many rows as it leases, however many are dirty (reading and sorting them
 * all made a drain of 10,000 changes quadratic): each zone is probed for
 * its first claimable host in host_dirty's order (LIMIT 1), and that
 * zone's part of host_dirty is walked one key after the next (w: one index
 * descent per host, read only as far as c takes). Spelled out so, and run
 * without bitmap or sequential scans, because host_dirty's size swings
 * faster than autovacuum's statistics follow: from stale ones the planner
 * read every dirty row of the zone in a bitmap scan and sorted them, for
 * the probe too (a bitmap scan also never marks the index entries of
 * deleted rows dead), and under load a claim took 18 ms instead of 4 ms.
 * One zone per claim, so that a zone whose primary hangs holds one worker
 * only. FOR UPDATE SKIP LOCKED only keeps two claims from taking the same
 * row at the same moment; the lease keeps it for the push.
 */
#define CLAIMABLE_H CLAIMABLE("h")

static const struct db_stmt st_claim = {
	"outbox_claim",
	"WITH RECURSIVE z AS (SELECT zn.id FROM zones zn"
	"  WHERE (zn.tsig_secret IS NOT NULL) = $5::boolean"
	"  AND NOT (zn.id = ANY ($1::bigint[]))"
	"  AND (SELECT d.host_id FROM host_dirty d JOIN hosts h"
	"   ON h.id = d.host_id WHERE d.zone_id = zn.id AND" CLAIMABLE_H
	"   ORDER BY d.host_id LIMIT 1) IS NOT NULL"
	"  ORDER BY zn.id LIMIT 2),"
	" w (host_id) AS ((SELECT d.host_id FROM host_dirty d"
	"   WHERE d.zone_id = (SELECT min(id) FROM z)"
	"   ORDER BY d.host_id LIMIT 1)"
	"  UNION ALL SELECT (SELECT d.host_id FROM host_dirty d"
	"   WHERE d.zone_id = (SELECT min(id) FROM z)"
	"   AND d.host_id > w.host_id ORDER BY d.host_id LIMIT 1)"
	"  FROM w WHERE w.host_id IS NOT NULL),"
	" c AS (SELECT h.id FROM w JOIN hosts h ON h.id = w.host_id"
	"  WHERE" CLAIMABLE_H " LIMIT $2 FOR UPDATE OF h SKIP LOCKED),"
	" u AS (UPDATE hosts h SET push_lease = $3, push_lease_until ="
	"  clock_timestamp() + $4::integer * interval '1 millisecond'"
	"  WHERE h.id = ANY (ARRAY(SELECT id FROM c))"
	"  RETURNING h.id, h.version, h.zone_id, h.fqdn, h.ttl, h.ipv4,"
	"  h.ipv6, h.offline, h.deleted_at)"
	" SELECT u.id, u.version, u.zone_id, u.fqdn, zn.name, zn.primary_ns,"
	" zn.tsig_key, u.ttl, host(u.ipv4), host(u.ipv6), u.offline,"
	" u.deleted_at IS NOT NULL, (SELECT count(*) FROM z) > 1"
	" FROM u JOIN zones zn ON zn.id = u.zone_id ORDER BY u.id",
	5
};

/* The claim's planner settings, for its own transaction only. */
static const struct db_stmt st_claim_plan = {
	"outbox_claim_plan",
	"SELECT set_config('enable_bitmapscan', 'off', true),"
	" set_config('enable_seqscan', 'off', true)",
	0
};

/*
 * Read after the claim committed. Every change of the challenge set bumps
 * the host's version first, so values newer than the claimed version only
 * mean that the host stays dirty and is pushed again: never older ones.
 */
static const struct db_stmt st_claim_txt = {
	"outbox_claim_txt",
	"SELECT host_id, value FROM acme_challenges"
	" WHERE host_id = ANY ($1::bigint[]) ORDER BY host_id, id",
	1
};

/* Tombstones leave the table once DNS has seen their removal. */
static const struct db_stmt st_reap = {
	"outbox_reap",
	"DELETE FROM hosts WHERE id = ANY ($1::bigint[])"
	" AND deleted_at IS NOT NULL AND pushed_version >= version",
	1
};

/*
 * Only the holder of the lease marks (a pusher that lost it leaves the
 * host to the new holder); an accepted change ends a refusal. Returns how
 * many are dirty again already. Each host's pushed version is its own
 * entry of $2, found by its position in $1 (at most DDNS_PUSH_BATCH
 * entries). Written as a join with unnest($1, $2), the planner took the
 * lease to match one row: it read hosts first (at 10,000 hosts by a
 * sequential scan) and then the whole unnest once for each host, 200 x 200
 * rows for a mark of 200. Under good at 64 connections a mark took
 * 6.1-6.3 ms that way and 5.4-5.7 ms this way, two pairs of runs: inside
 * their spread, so what this buys is a plan that cannot go bad.
 */
static const struct db_stmt st_mark = {
	"outbox_mark",
	"WITH m AS (UPDATE hosts SET"
	"  pushed_version = greatest(pushed_version,"
	"  ($2::bigint[])[array_position($1::bigint[], id)]),"
	"  push_lease = NULL, push_lease_until = NULL,"
	"  push_refused_rcode = NULL, push_refused_version = NULL,"
	"  push_refusals = 0, push_retry_at = NULL"
	"  WHERE id = ANY ($1::bigint[]) AND push_lease = $3"
	"  RETURNING version > pushed_version AS dirty)"
	" SELECT count(*) FILTER (WHERE dirty) FROM m",
	3
};

/*
 * The nameserver refused this host's change ($2, RCODE $3): the lease
 * ends and the host waits $5 ms doubling with each refusal in a row, at
 * most $6 ms, before it is claimed again. Returns the refusals in a row
 * and that delay.
 */
static const struct db_stmt st_refuse = {
	"outbox_refuse",
	"UPDATE hosts SET push_lease = NULL, push_lease_until = NULL,"
	" push_refused_rcode = $3, push_refused_version = $2::bigint,"
	" push_refusals = push_refusals + 1,"
	" push_retry_at = clock_timestamp() + least($6::bigint,"
	"  $5::bigint << least(push_refusals, 24)) * interval '1 millisecond'"
	" WHERE id = $1 AND push_lease = $4"
	" RETURNING push_refusals,"
	" least($6::bigint, $5::bigint << least(push_refusals - 1, 24))",
	6
};

static const struct db_stmt st_release = {
	"outbox_release",
	"UPDATE hosts SET push_lease = NULL, push_lease_until = NULL"
	" WHERE id = ANY ($1::bigint[]) AND push_lease = $2",
	2
};

static int
item_from_row(const PGresult *r, int row, struct db_push_item *it)
{
	bool offline;

	memset(it, 0, sizeof(*it));
	it->host_id = db_get_ll(r, row, 0);
	it->version = db_get_ll(r, row, 1);
	it->zone_id = db_get_ll(r, row, 2);
	if (db_get_text(r, row, 3, it->fqdn, sizeof(it->fqdn)) ||
	    db_get_text(r, row, 4, it->zone, sizeof(it->zone)) ||
	    db_get_text(r, row, 5, it->primary, sizeof(it->primary)) ||
	    db_get_text(r, row, 6, it->key, sizeof(it->key)))
		return DDNS_EDB;
	it->ttl = (uint32_t)db_get_ll(r, row, 7);
	offline = db_get_bool(r, row, 10);
	it->deleted = db_get_bool(r, row, 11);
	if (offline || it->deleted)
		return 0;
	db_get_addr(r, row, 8, AF_INET, &it->has_v4, it->v4);
	db_get_addr(r, row, 9, AF_INET6, &it->has_v6, it->v6);
	return 0;
}

static int
claim_txt(struct db_conn *c, struct db_push_item *items, size_t n)
{
	struct ddns_buf ids = { 0 };
	const char *p[1], *v;
	PGresult *r = NULL;
	struct db_push_item *it;
	long long hid;
	int err, rows;

	if (n == 0)
		return 0;
	if ((err = item_ids(&ids, items, n)) != 0)
		goto out;
	p[0] = (const char *)ids.data;
	if ((r = db_exec(c, &st_claim_txt, p, &err)) == NULL)
		goto out;
	rows = PQntuples(r);
	for (int i = 0; i < rows; i++) {
		hid = db_get_ll(r, i, 0);
		v = db_get_str(r, i, 1);
		it = NULL;
		for (size_t k = 0; k < n && it == NULL; k++)
			if (items[k].host_id == hid)
				it = &items[k];
		/* More than the API lets in, or over-long: not pushed. */
		if (it == NULL || it->deleted || v == NULL ||
		    it->ntxt == DB_ACME_MAX || strlen(v) > DB_ACME_VALUE_MAX)
			continue;
		memcpy(it->txt[it->ntxt++], v, strlen(v) + 1);
	}
out:
	PQclear(r);
	ddns_buf_free(&ids);
	return err;
}

/* items[].host_id as an array literal in b. 0 or DDNS_ENOMEM. */
static int
item_ids(struct ddns_buf *b, const struct db_push_item *items, size_t n)
{
	long long *id;
	int err;

	if ((id = calloc(n + 1, sizeof(*id))) == NULL)
		return DDNS_ENOMEM;
	for (size_t i = 0; i < n; i++)
		id[i] = items[i].host_id;
	err = db_id_array(b, id, n);
	free(id);
	return err;
}

int
db_outbox_claim(struct db_conn *c, bool tenant, const long long *skip,
		size_t nskip, long long lease, unsigned lease_ms,
		struct db_push_item *items, size_t max, size_t *n, bool *more)
{
	struct ddns_buf skipbuf = { 0 };
	char limit[24], lid[24], lms[16];
	const char *p[5] = { NULL, limit, lid, lms, tenant ? "t" : "f" };
	PGresult *r = NULL;
	int err, rows;

	*n = 0;
	if ((err = db_id_array(&skipbuf, skip, nskip)) != 0)
		goto out;
	snprintf(limit, sizeof(limit), "%zu", max);
	snprintf(lid, sizeof(lid), "%lld", lease);
	snprintf(lms, sizeof(lms), "%u", lease_ms);
	p[0] = (const char *)skipbuf.data;
	if ((r = db_exec_locked(c, &st_claim_plan, NULL, &st_claim, p, &err)) ==
	    NULL)
		goto out;
	rows = PQntuples(r);
	*more = rows > 0 && db_get_bool(r, 0, 12);
	for (int i = 0; i < rows && (size_t)i < max; i++) {
		if ((err = item_from_row(r, i, &items[i])) != 0)
			break;
		(*n)++;
	}
	if (err == 0)
		err = claim_txt(c, items, *n);
	if (err != 0) {
		/* Claimed but unusable: give every lease back. */
		for (*n = 0; *n < (size_t)rows && *n < max; (*n)++)
			items[*n].host_id = db_get_ll(r, (int)*n, 0);
		db_outbox_release(c, items, *n, lease);
		*n = 0;
	}
out:
	PQclear(r);
	ddns_buf_free(&skipbuf);
	return err;
}

int
db_outbox_mark(struct db_conn *c, const struct db_push_item *items, size_t n,
	       long long lease, long long *dirty)
{
	struct ddns_buf ids = { 0 }, vers = { 0 };
	long long *ver = NULL;
	char lid[24];
	const char *p[3] = { NULL, NULL, lid };
	PGresult *r;
	int err = DDNS_ENOMEM;

	*dirty = 0;
	if ((ver = calloc(n + 1, sizeof(*ver))) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		ver[i] = items[i].version;
	if ((err = item_ids(&ids, items, n)) != 0 ||
	    (err = db_id_array(&vers, ver, n)) != 0)
		goto out;
	snprintf(lid, sizeof(lid), "%lld", lease);
	p[0] = (const char *)ids.data;
	p[1] = (const char *)vers.data;
	if ((r = db_exec(c, &st_mark, p, &err)) == NULL)
		goto out;
	*dirty = db_get_ll(r, 0, 0);
	PQclear(r);
	if ((r = db_exec(c, &st_reap, p, &err)) != NULL)
		PQclear(r);
out:
	free(ver);
	ddns_buf_free(&ids);
	ddns_buf_free(&vers);
	return err;
}

int
db_outbox_release(struct db_conn *c, const struct db_push_item *items, size_t n,
		  long long lease)
{
	struct ddns_buf ids = { 0 };
	char lid[24];
	const char *p[2] = { NULL, lid };
	PGresult *r;
	int err;

	if (n == 0)
		return 0;
	if ((err = item_ids(&ids, items, n)) == 0) {
		snprintf(lid, sizeof(lid), "%lld", lease);
		p[0] = (const char *)ids.data;
		if ((r = db_exec(c, &st_release, p, &err)) != NULL)
			PQclear(r);
	}
	ddns_buf_free(&ids);
	return err;
}

int
db_outbox_refuse(struct db_conn *c, const struct db_push_item *it,
		 long long lease, const char *rcode, unsigned min_ms,
		 unsigned max_ms, unsigned *refusals, long long *delay_ms)
{
	char id[24], ver[24], lid[24], lmin[16], lmax[16];
	const char *p[6] = { id, ver, rcode, lid, lmin, lmax };
	PGresult *r;
	int err;

	*refusals = 0;
	*delay_ms = 0;
	snprintf(id, sizeof(id), "%lld", it->host_id);
	snprintf(ver, sizeof(ver), "%lld", it->version);
	snprintf(lid, sizeof(lid), "%lld", lease);
	snprintf(lmin, sizeof(lmin), "%u", min_ms);
	snprintf(lmax, sizeof(lmax), "%u", max_ms);
	if ((r = db_exec(c, &st_refuse, p, &err)) == NULL)
		return err;
	if (PQntuples(r) == 1) {
		*refusals = (unsigned)db_get_ll(r, 0, 0);
		*delay_ms = db_get_ll(r, 0, 1);
	}
	PQclear(r);
	return 0;
}

/*
 * For the metrics; reads the dirty hosts only (host_dirty). A refused host
 * is not pending: it waits for the nameserver's policy, not for ddnsd.
 */
static const struct db_stmt st_pending = {
	"outbox_pending",
	"SELECT count(*) FILTER (WHERE push_refused_rcode IS NULL),"
	" COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(updated_at)"
	"  FILTER (WHERE push_refused_rcode IS NULL)), 0)::float8,"
	" count(*) FILTER (WHERE push_refused_rcode IS NOT NULL)"
	" FROM host_dirty d JOIN hosts h ON h.id = d.host_id"
	" WHERE h.version > h.pushed_version",
	0
};

int
db_outbox_pending(struct db_conn *c, long long *hosts, double *oldest_s,
		  long long *refused)
{
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_pending, NULL, &err)) == NULL)
		return err;
	*hosts = db_get_ll(r, 0, 0);
	*oldest_s = strtod(PQgetvalue(r, 0, 1), NULL);
	*refused = db_get_ll(r, 0, 2);
	PQclear(r);
	return 0;
}
