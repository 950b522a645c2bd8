/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "db/notify.h"
#include "db/stmt.h"
#include "db/zones.h"

/* Zone names are normalised: suffixes of a normalised name match as is. */
static const struct db_stmt st_for_name = {
	"zone_for_name",
	"SELECT id, name, owner_account_id, primary_ns, default_ttl"
	" FROM zones WHERE name = ANY ($1::text[])"
	" ORDER BY length(name) DESC LIMIT 1",
	1
};
static const struct db_stmt st_add = {
	"zone_add",
	"INSERT INTO zones (name, primary_ns, tsig_key, default_ttl)"
	" VALUES ($1, $2, $3, $4) RETURNING id",
	4
};
static const struct db_stmt st_list_all = {
	"zone_list_all",
	"SELECT z.name, z.primary_ns, z.tsig_key, z.default_ttl,"
	" count(h.id) FILTER (WHERE h.deleted_at IS NULL),"
	" count(h.id) FILTER (WHERE h.version > h.pushed_version)"
	" FROM zones z LEFT JOIN hosts h ON h.zone_id = z.id"
	" GROUP BY z.id ORDER BY z.name",
	0
};
static const struct db_stmt st_list_usable = {
	"zone_list_usable",
	"SELECT name, default_ttl, owner_account_id IS NULL FROM zones"
	" WHERE owner_account_id IS NULL OR owner_account_id = $1"
	" ORDER BY name",
	1
};
static const struct db_stmt st_set = {
	"zone_set",
	"UPDATE zones SET primary_ns = coalesce($2, primary_ns),"
	" tsig_key = coalesce($3, tsig_key),"
	" default_ttl = coalesce($4::integer, default_ttl)"
	" WHERE name = $1 RETURNING id",
	4
};

int
db_zone_for_name(struct db_conn *c, const char *name,
		 struct db_zone_match *out)
{
	struct ddns_buf arr = { 0 };
	const char *p[1];
	PGresult *r = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	/* The name and each of its suffixes: the unique index finds them. */
	err = ddns_buf_append_str(&arr, "{");
	for (const char *s = name; err == 0 && s != NULL;) {
		err = ddns_buf_appendf(&arr, "%s%s", s == name ? "" : ",", s);
		s = strchr(s, '.');
		s = s != NULL ? s + 1 : NULL;
	}
	if (err == 0)
		err = ddns_buf_append(&arr, "}", 2);
	if (err != 0)
		goto out;
	p[0] = (const char *)arr.data;
	if ((r = db_exec(c, &st_for_name, p, &err)) == NULL)
		goto out;
	if (PQntuples(r) != 1) {
		err = DDNS_ENOTZONE;
		goto out;
	}
	out->id = db_get_ll(r, 0, 0);
	out->owner = db_get_ll(r, 0, 2);
	out->default_ttl = (int)db_get_ll(r, 0, 4);
	if (db_get_text(r, 0, 1, out->name, sizeof(out->name)) ||
	    db_get_text(r, 0, 3, out->primary, sizeof(out->primary)))
		err = DDNS_EDB;
out:
	PQclear(r);
	ddns_buf_free(&arr);
	return err;
}

int
db_zone_add(struct db_conn *c, const char *name, const char *primary,
	    const char *key, int ttl, long long *id)
{
	char t[16];
	const char *p[4] = { name, primary, key, t };

	snprintf(t, sizeof(t), "%d", ttl);
	return db_exec_ll(c, &st_add, p, id);
}

int
db_zone_list_all(struct db_conn *c,
		 int (*cb)(void *arg, const struct db_zone_row *z), void *arg)
{
	struct db_zone_row z;
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_list_all, NULL, &err)) == NULL)
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
db_zone_list_usable(struct db_conn *c, long long account_id,
		    int (*cb)(void *arg, const struct db_zone_info *z),
		    void *arg)
{
	char acc[24];
	const char *p[1] = { acc };
	struct db_zone_info z;
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	if ((r = db_exec(c, &st_list_usable, p, &err)) == NULL)
		return err;
	for (int i = 0; i < PQntuples(r) && err == 0; i++) {
		memset(&z, 0, sizeof(z));
		z.default_ttl = (int)db_get_ll(r, i, 1);
		z.shared = db_get_bool(r, i, 2);
		if ((err = db_col_copy(r, i, 0, z.name, sizeof(z.name))) == 0)
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
	int err;

	snprintf(t, sizeof(t), "%d", ttl);
	if ((err = db_exec_ll(c, &st_set, p, NULL)) == 0)
		db_changed(c, DB_CHANGED_ALL);
	return err;
}
