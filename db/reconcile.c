/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include "common/buf.h"
#include "common/errors.h"
#include "db/reconcile.h"
#include "db/stmt.h"

/* pg_try_advisory_lock key: "ddnsrecn" in ASCII. */
#define RECONCILE_LOCK "7234309422357197678"

static const struct db_stmt st_zones = {
	"reconcile_zones",
	"SELECT id, name, primary_ns, tsig_key FROM zones"
	" WHERE $1::text IS NULL OR name = lower($1) ORDER BY name",
	1
};

static const struct db_stmt st_hosts = {
	"reconcile_hosts",
	"SELECT id, lower(fqdn), ttl, host(ipv4), host(ipv6), offline,"
	" version > pushed_version, deleted_at IS NOT NULL"
	" FROM hosts WHERE zone_id = $1",
	1
};

static const struct db_stmt st_txt = {
	"reconcile_txt",
	"SELECT a.host_id, a.value FROM acme_challenges a"
	" JOIN hosts h ON h.id = a.host_id"
	" WHERE h.zone_id = $1 ORDER BY a.host_id, a.id",
	1
};

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

int
db_reconcile_hosts(struct db_conn *c, long long zone_id,
		   struct db_rec_host **hosts, size_t *n)
{
	struct db_rec_host *h = NULL;
	const char *p[1];
	char id[24];
	PGresult *r;
	int err = 0, rows;

	*hosts = NULL;
	*n = 0;
	snprintf(id, sizeof(id), "%lld", zone_id);
	p[0] = id;
	if ((r = db_exec(c, &st_hosts, p, &err)) == NULL)
		return err;
	rows = PQntuples(r);
	if ((h = calloc((size_t)rows + 1, sizeof(*h))) == NULL) {
		err = DDNS_ENOMEM;
		goto out;
	}
	for (int i = 0; i < rows; i++) {
		h[i].id = db_get_ll(r, i, 0);
		if ((err = db_get_text(r, i, 1, h[i].fqdn, sizeof(h[i].fqdn))))
			goto out;
		h[i].ttl = (uint32_t)db_get_ll(r, i, 2);
		h[i].dirty = db_get_bool(r, i, 6);
		h[i].deleted = db_get_bool(r, i, 7);
		if (db_get_bool(r, i, 5) || h[i].deleted)
			continue; /* offline or deleted: no address records */
		db_get_addr(r, i, 3, AF_INET, &h[i].has_v4, h[i].v4);
		db_get_addr(r, i, 4, AF_INET6, &h[i].has_v6, h[i].v6);
	}
	*hosts = h;
	*n = (size_t)rows;
	h = NULL;
out:
	free(h);
	PQclear(r);
	return err;
}

int
db_reconcile_txt(struct db_conn *c, long long zone_id, struct db_rec_txt **txt,
		 size_t *n)
{
	struct db_rec_txt *t = NULL;
	const char *p[1];
	char id[24];
	PGresult *r;
	int err = 0, rows;

	*txt = NULL;
	*n = 0;
	snprintf(id, sizeof(id), "%lld", zone_id);
	p[0] = id;
	if ((r = db_exec(c, &st_txt, p, &err)) == NULL)
		return err;
	rows = PQntuples(r);
	if ((t = calloc((size_t)rows + 1, sizeof(*t))) == NULL) {
		err = DDNS_ENOMEM;
		goto out;
	}
	for (int i = 0; i < rows; i++) {
		t[i].host_id = db_get_ll(r, i, 0);
		if ((err = db_get_text(r, i, 1, t[i].value,
				       sizeof(t[i].value))))
			goto out;
	}
	*txt = t;
	*n = (size_t)rows;
	t = NULL;
out:
	free(t);
	PQclear(r);
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
