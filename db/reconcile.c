/* SPDX-License-Identifier: MIT */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include "common/buf.h"
#include "common/errors.h"
#include "common/log.h"
#include "db/reconcile.h"
#include "db/stmt.h"

/* pg_try_advisory_lock key: "ddnsrecn" in ASCII. */
#define RECONCILE_LOCK "7234309422357197678"

static int parse_txt(const char *v, struct db_rec_host *h);
static int host_row(const PGresult *r, struct db_rec_host *h);
static void scan_abort(PGconn *pg);

static const struct db_stmt st_zones = {
	"reconcile_zones",
	"SELECT id, name, primary_ns, tsig_key FROM zones"
	" WHERE $1::text IS NULL OR name = lower($1) ORDER BY name",
	1
};

/*
 * One row per host with its ACME values as "<bytes>:<value>" pieces (a
 * value may hold any character). Ordered as the comparison needs it: the
 * live host before the tombstones of its name, names byte by byte (as
 * strcmp() orders the log of the first differing hosts). PostgreSQL
 * sorts on disk past work_mem: its memory, not ours. The values come by a
 * hash join (a subquery per row ran 1,000,000 times, 3 s more at 1M).
 */
static const char sql_hosts[] =
	"SELECT h.id, lower(h.fqdn), h.ttl, host(h.ipv4), host(h.ipv6),"
	" h.offline, h.version > h.pushed_version, h.deleted_at IS NOT NULL,"
	" t.v FROM hosts h LEFT JOIN"
	" (SELECT a.host_id, string_agg(octet_length(a.value) || ':' ||"
	"   a.value, '' ORDER BY a.id) v"
	"  FROM acme_challenges a JOIN hosts x ON x.id = a.host_id"
	"  WHERE x.zone_id = $1 GROUP BY a.host_id) t ON t.host_id = h.id"
	" WHERE h.zone_id = $1"
	" ORDER BY lower(h.fqdn) COLLATE \"C\", h.deleted_at IS NOT NULL, h.id";

static const struct db_stmt st_lock = {
	"reconcile_lock", "SELECT pg_try_advisory_lock(" RECONCILE_LOCK ")", 0
};

static const struct db_stmt st_unlock = {
	"reconcile_unlock", "SELECT pg_advisory_unlock(" RECONCILE_LOCK ")", 0
};

int
db_reconcile_zones(struct db_conn *c, const char *zone,
		   struct db_rec_zone **zones, size_t *n)
{
	const char *p[1] = { zone };
	struct db_rec_zone *z = NULL;
	PGresult *r;
	int err = 0, rows;

	*zones = NULL;
	*n = 0;
	if ((r = db_exec(c, &st_zones, p, &err)) == NULL)
		return err;
	rows = PQntuples(r);
	if ((z = calloc((size_t)rows + 1, sizeof(*z))) == NULL) {
		err = DDNS_ENOMEM;
		goto out;
	}
	for (int i = 0; i < rows; i++) {
		z[i].id = db_get_ll(r, i, 0);
		if ((err = db_get_text(r, i, 1, z[i].name,
				       sizeof(z[i].name))) ||
		    (err = db_get_text(r, i, 2, z[i].primary,
				       sizeof(z[i].primary))) ||
		    (err = db_get_text(r, i, 3, z[i].key, sizeof(z[i].key))))
			goto out;
	}
	*zones = z;
	*n = (size_t)rows;
	z = NULL;
out:
	free(z);
	PQclear(r);
	return err;
}

/* "<n>:<value><n>:<value>..." into h->txt. 0 or DDNS_EDB. */
static int
parse_txt(const char *v, struct db_rec_host *h)
{
	size_t len;

	h->ntxt = 0;
	if (v == NULL)
		return 0;
	while (*v != '\0') {
		len = 0;
		while (*v >= '0' && *v <= '9' && len <= DB_ACME_VALUE_MAX)
			len = len * 10 + (size_t)(*v++ - '0');
		if (*v++ != ':' || len > DB_ACME_VALUE_MAX ||
		    strnlen(v, len) != len || h->ntxt == DB_ACME_MAX)
			return DDNS_EDB;
		memcpy(h->txt[h->ntxt], v, len);
		h->txt[h->ntxt++][len] = '\0';
		v += len;
	}
	return 0;
}

static int
host_row(const PGresult *r, struct db_rec_host *h)
{
	int err;

	memset(h, 0, offsetof(struct db_rec_host, txt));
	h->id = db_get_ll(r, 0, 0);
	if ((err = db_get_text(r, 0, 1, h->fqdn, sizeof(h->fqdn))) != 0)
		return err;
	h->ttl = (uint32_t)db_get_ll(r, 0, 2);
	h->dirty = db_get_bool(r, 0, 6);
	h->deleted = db_get_bool(r, 0, 7);
	if ((err = parse_txt(db_get_str(r, 0, 8), h)) != 0)
		return err;
	if (db_get_bool(r, 0, 5) || h->deleted)
		return 0; /* offline or deleted: no address records */
	db_get_addr(r, 0, 3, AF_INET, &h->has_v4, h->v4);
	db_get_addr(r, 0, 4, AF_INET6, &h->has_v6, h->v6);
	return 0;
}

/* Stops a scan early: cancel, then read what is left. */
static void
scan_abort(PGconn *pg)
{
	PGcancel *cn = PQgetCancel(pg);
	char why[128];
	PGresult *r;

	if (cn != NULL) {
		(void)PQcancel(cn, why, sizeof(why));
		PQfreeCancel(cn);
	}
	while ((r = PQgetResult(pg)) != NULL)
		PQclear(r);
}

int
db_reconcile_hosts_each(struct db_conn *c, long long zone_id,
			int (*cb)(void *arg, const struct db_rec_host *h),
			void *arg)
{
	struct db_rec_host *h;
	const char *p[1];
	char id[24];
	PGconn *pg;
	PGresult *r;
	int err = 0;

	if (db_ensure(c) != 0)
		return DDNS_EDB;
	if ((h = malloc(sizeof(*h))) == NULL)
		return DDNS_ENOMEM;
	pg = db_pg(c);
	snprintf(id, sizeof(id), "%lld", zone_id);
	p[0] = id;
	if (!PQsendQueryParams(pg, sql_hosts, 1, NULL, p, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(pg)) {
		log_error("postgresql: reconcile_hosts: %s",
			  PQerrorMessage(pg));
		scan_abort(pg);
		free(h);
		return DDNS_EDB;
	}
	while ((r = PQgetResult(pg)) != NULL) {
		switch (PQresultStatus(r)) {
		case PGRES_SINGLE_TUPLE:
			if (err == 0 && (err = host_row(r, h)) == 0)
				err = cb(arg, h);
			PQclear(r);
			if (err != 0) {
				scan_abort(pg);
				goto out;
			}
			break;
		case PGRES_TUPLES_OK: /* the end: zero rows */
			PQclear(r);
			break;
		default:
			log_error("postgresql: reconcile_hosts: %s",
				  PQresultErrorMessage(r));
			PQclear(r);
			err = DDNS_EDB;
			break;
		}
	}
out:
	free(h);
	return err;
}

int
db_reconcile_trylock(struct db_conn *c, bool *got)
{
	PGresult *r;
	int err = 0;

	*got = false;
	if ((r = db_exec(c, &st_lock, NULL, &err)) == NULL)
		return err;
	*got = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return 0;
}

void
db_reconcile_unlock(struct db_conn *c)
{
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_unlock, NULL, &err)) != NULL)
		PQclear(r);
}
