/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/errors.h"
#include "db/outbox.h"

#include <sys/socket.h>

static int item_from_row(const PGresult *r, int row, struct db_push_item *it);
static int claim_txt(struct db_conn *c, struct db_push_item *items, size_t n);

static const struct db_stmt st_claim = {
	"outbox_claim",
	"SELECT h.id, h.version, h.zone_id, h.fqdn, z.name, z.primary_ns,"
	" z.tsig_key, h.ttl, host(h.ipv4), host(h.ipv6), h.offline,"
	" h.deleted_at IS NOT NULL"
	" FROM hosts h JOIN zones z ON z.id = h.zone_id"
	" WHERE h.version > h.pushed_version"
	" AND NOT (h.zone_id = ANY ($1::bigint[]))"
	/*
	 * A name that lives again waits until the removal of its tombstone
	 * is in DNS (the tombstone is reaped when marked): otherwise
	 * another instance still holding the tombstone could send its
	 * removal after this one sent the new records.
	 */
	" AND (h.deleted_at IS NOT NULL OR NOT EXISTS (SELECT 1 FROM hosts t"
	"  WHERE t.fqdn = h.fqdn AND t.deleted_at IS NOT NULL))"
	" ORDER BY h.zone_id, h.id LIMIT $2"
	" FOR UPDATE OF h SKIP LOCKED",
	2
};

/*
 * A separate statement after the claim: its snapshot is taken while this
 * transaction holds the host rows, and every change of the challenge set
 * updates the host row first, so the values match the claimed version.
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

static const struct db_stmt st_mark = {
	"outbox_mark",
	"UPDATE hosts SET pushed_version = v.ver"
	" FROM unnest($1::bigint[], $2::bigint[]) AS v(id, ver)"
	" WHERE hosts.id = v.id AND hosts.pushed_version < v.ver",
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
	long long *id;
	const char *p[1], *v;
	PGresult *r = NULL;
	struct db_push_item *it;
	long long hid;
	int err = DDNS_ENOMEM, rows;

	if (n == 0)
		return 0;
	if ((id = calloc(n, sizeof(*id))) == NULL)
		return DDNS_ENOMEM;
	for (size_t i = 0; i < n; i++)
		id[i] = items[i].host_id;
	if ((err = db_id_array(&ids, id, n)) != 0)
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
	free(id);
	ddns_buf_free(&ids);
	return err;
}

int
db_outbox_claim(struct db_conn *c, const long long *skip, size_t nskip,
		struct db_push_item *items, size_t max, size_t *n)
{
	struct ddns_buf skipbuf = { 0 };
	char limit[24];
	const char *p[2];
	PGresult *r = NULL;
	int err, rows;

	*n = 0;
	if ((err = db_id_array(&skipbuf, skip, nskip)) != 0)
		goto out;
	snprintf(limit, sizeof(limit), "%zu", max);
	p[0] = (const char *)skipbuf.data;
	p[1] = limit;
	if ((err = db_command(c, "BEGIN")) != 0)
		goto out;
	if ((r = db_exec(c, &st_claim, p, &err)) == NULL)
		goto out;
	rows = PQntuples(r);
	for (int i = 0; i < rows && (size_t)i < max; i++) {
		if ((err = item_from_row(r, i, &items[i])) != 0)
			goto out;
		(*n)++;
	}
	err = claim_txt(c, items, *n);
out:
	PQclear(r);
	ddns_buf_free(&skipbuf);
	if (err != 0) {
		*n = 0;
		db_command(c, "ROLLBACK");
	}
	return err;
}

int
db_outbox_mark(struct db_conn *c, const struct db_push_item *items, size_t n)
{
	struct ddns_buf ids = { 0 }, vers = { 0 };
	long long *id = NULL, *ver = NULL;
	const char *p[2];
	PGresult *r;
	int err = DDNS_ENOMEM;

	if ((id = calloc(n + 1, sizeof(*id))) == NULL ||
	    (ver = calloc(n + 1, sizeof(*ver))) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		id[i] = items[i].host_id;
		ver[i] = items[i].version;
	}
	if ((err = db_id_array(&ids, id, n)) != 0 ||
	    (err = db_id_array(&vers, ver, n)) != 0)
		goto out;
	p[0] = (const char *)ids.data;
	p[1] = (const char *)vers.data;
	if ((r = db_exec(c, &st_mark, p, &err)) == NULL)
		goto out;
	PQclear(r);
	if ((r = db_exec(c, &st_reap, p, &err)) != NULL)
		PQclear(r);
out:
	free(id);
	free(ver);
	ddns_buf_free(&ids);
	ddns_buf_free(&vers);
	return err;
}

int
db_outbox_finish(struct db_conn *c, bool commit)
{
	return db_command(c, commit ? "COMMIT" : "ROLLBACK");
}

/* For the metrics; uses the partial index hosts_dirty_idx. */
static const struct db_stmt st_pending = {
	"outbox_pending",
	"SELECT count(*), COALESCE(EXTRACT(EPOCH FROM"
	" clock_timestamp() - min(updated_at)), 0)::float8"
	" FROM hosts WHERE version > pushed_version",
	0
};

int
db_outbox_pending(struct db_conn *c, long long *hosts, double *oldest_s)
{
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_pending, NULL, &err)) == NULL)
		return err;
	*hosts = db_get_ll(r, 0, 0);
	*oldest_s = strtod(PQgetvalue(r, 0, 1), NULL);
	PQclear(r);
	return 0;
}
