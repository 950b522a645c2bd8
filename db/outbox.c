/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/errors.h"
#include "db/outbox.h"

#include <sys/socket.h>

static int item_from_row(const PGresult *r, int row, struct db_push_item *it);
static int copy_col(const PGresult *r, int row, int col, char *out,
		    size_t outsz);
static int id_array(struct ddns_buf *b, const long long *ids, size_t n);

static const struct db_stmt st_claim = {
	"outbox_claim",
	"SELECT h.id, h.version, h.zone_id, h.fqdn, z.name, z.primary_ns,"
	" z.tsig_key, h.ttl, host(h.ipv4), host(h.ipv6), h.offline"
	" FROM hosts h JOIN zones z ON z.id = h.zone_id"
	" WHERE h.version > h.pushed_version"
	" AND NOT (h.zone_id = ANY ($1::bigint[]))"
	" ORDER BY h.zone_id, h.id LIMIT $2"
	" FOR UPDATE OF h SKIP LOCKED",
	2
};

static const struct db_stmt st_mark = {
	"outbox_mark",
	"UPDATE hosts SET pushed_version = v.ver"
	" FROM unnest($1::bigint[], $2::bigint[]) AS v(id, ver)"
	" WHERE hosts.id = v.id AND hosts.pushed_version < v.ver",
	2
};

static int
copy_col(const PGresult *r, int row, int col, char *out, size_t outsz)
{
	const char *s = db_get_str(r, row, col);
	size_t n;

	if (s == NULL)
		return DDNS_EDB;
	n = strlen(s);
	if (n >= outsz)
		return DDNS_EDB;
	memcpy(out, s, n + 1);
	return 0;
}

static int
item_from_row(const PGresult *r, int row, struct db_push_item *it)
{
	struct ddns_addr a;
	const char *s;
	bool offline;

	memset(it, 0, sizeof(*it));
	it->host_id = db_get_ll(r, row, 0);
	it->version = db_get_ll(r, row, 1);
	it->zone_id = db_get_ll(r, row, 2);
	if (copy_col(r, row, 3, it->fqdn, sizeof(it->fqdn)) ||
	    copy_col(r, row, 4, it->zone, sizeof(it->zone)) ||
	    copy_col(r, row, 5, it->primary, sizeof(it->primary)) ||
	    copy_col(r, row, 6, it->key, sizeof(it->key)))
		return DDNS_EDB;
	it->ttl = (uint32_t)db_get_ll(r, row, 7);
	offline = strcmp(PQgetvalue(r, row, 10), "t") == 0;
	if (offline)
		return 0;
	if ((s = db_get_str(r, row, 8)) != NULL &&
	    ddns_addr_parse(s, strlen(s), &a) == 0 && a.family == AF_INET) {
		it->has_v4 = true;
		memcpy(it->v4, a.bytes, 4);
	}
	if ((s = db_get_str(r, row, 9)) != NULL &&
	    ddns_addr_parse(s, strlen(s), &a) == 0 && a.family == AF_INET6) {
		it->has_v6 = true;
		memcpy(it->v6, a.bytes, 16);
	}
	return 0;
}

/* Formats ids as a PostgreSQL array literal "{1,2,3}". */
static int
id_array(struct ddns_buf *b, const long long *ids, size_t n)
{
	int err = ddns_buf_append_str(b, "{");

	for (size_t i = 0; i < n && err == 0; i++)
		err = ddns_buf_appendf(b, "%s%lld", i ? "," : "", ids[i]);
	if (err == 0)
		err = ddns_buf_append_str(b, "}");
	if (err == 0 && ddns_buf_cstr(b) == NULL)
		err = DDNS_ENOMEM;
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
	if ((err = id_array(&skipbuf, skip, nskip)) != 0)
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
	if ((err = id_array(&ids, id, n)) != 0 ||
	    (err = id_array(&vers, ver, n)) != 0)
		goto out;
	p[0] = (const char *)ids.data;
	p[1] = (const char *)vers.data;
	if ((r = db_exec(c, &st_mark, p, &err)) != NULL)
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
