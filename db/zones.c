/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

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
	" count(h.id) FILTER (WHERE h.version > h.pushed_version),"
	" (SELECT email FROM accounts a WHERE a.id = z.owner_account_id),"
	" z.tsig_secret IS NOT NULL"
	" FROM zones z LEFT JOIN hosts h ON h.zone_id = z.id"
	" GROUP BY z.id ORDER BY z.name",
	0
};
static const struct db_stmt st_list_usable = {
	"zone_list_usable",
	"SELECT z.name, z.default_ttl, z.owner_account_id IS NULL,"
	" z.tsig_secret IS NOT NULL,"
	" CASE WHEN z.owner_account_id = $1 THEN z.primary_ns END,"
	" CASE WHEN z.owner_account_id = $1 THEN z.tsig_key END,"
	" count(h.id) FILTER (WHERE h.deleted_at IS NULL),"
	" count(h.id) FILTER (WHERE h.version > h.pushed_version)"
	" FROM zones z LEFT JOIN hosts h ON h.zone_id = z.id"
	"  AND h.account_id = $1"
	" WHERE z.owner_account_id IS NULL OR z.owner_account_id = $1"
	" GROUP BY z.id ORDER BY z.name",
	1
};

/* Tenant zones: one creation at a time (the overlap check and the count
 * must see every other creation), by a transaction-scoped lock. */
static const struct db_stmt st_create_lock = {
	"zone_create_lock", "SELECT pg_advisory_xact_lock(7234309422357197679)",
	0
};
static const struct db_stmt st_next_id = { "zone_next_id",
					   "SELECT nextval('zones_id_seq')",
					   0 };
/* The zones that a new zone $2 would equal, contain or lie in; and the
 * zones account $1 owns. */
#define OVERLAP_AND_COUNT                                                      \
	"WITH o AS (SELECT name FROM zones WHERE name = $2"                    \
	"  OR right(name, length($2) + 1) = '.' || $2"                         \
	"  OR right($2, length(name) + 1) = '.' || name"                       \
	"  ORDER BY length(name) LIMIT 1),"                                    \
	" n AS (SELECT count(*) AS n FROM zones WHERE owner_account_id = $1)"
static const struct db_stmt st_precheck = {
	"zone_precheck",
	OVERLAP_AND_COUNT " SELECT (SELECT name FROM o), (SELECT n FROM n)", 2
};
static const struct db_stmt st_create_tenant = {
	"zone_create_tenant",
	OVERLAP_AND_COUNT
	","
	" i AS (INSERT INTO zones (id, name, primary_ns, tsig_key, tsig_secret,"
	"  default_ttl, owner_account_id, created_via)"
	"  SELECT $3, $2, $4, $5, decode($6, 'hex'), $7, $1, 'api'"
	"  WHERE NOT EXISTS (SELECT 1 FROM o) AND (SELECT n FROM n) < $8"
	"  RETURNING id)"
	" SELECT (SELECT id FROM i), (SELECT name FROM o)",
	8
};
#define TENANT_COLS                                                            \
	"id, name, primary_ns, tsig_key, encode(tsig_secret, 'hex'),"          \
	" default_ttl"
static const struct db_stmt st_get_tenant = {
	"zone_get_tenant",
	"SELECT " TENANT_COLS " FROM zones WHERE owner_account_id = $1"
	" AND name = $2 AND tsig_secret IS NOT NULL",
	2
};
static const struct db_stmt st_tenant_key = { "zone_tenant_key",
					      "SELECT " TENANT_COLS
					      " FROM zones WHERE id = $1"
					      " AND tsig_secret IS NOT NULL",
					      1 };
static const struct db_stmt st_update_tenant = {
	"zone_update_tenant",
	"UPDATE zones SET primary_ns = $3, tsig_key = $4,"
	" tsig_secret = decode($5, 'hex')"
	" WHERE owner_account_id = $1 AND name = $2"
	" AND tsig_secret IS NOT NULL RETURNING id",
	5
};
static const struct db_stmt st_delete_tenant = {
	"zone_delete_tenant",
	"WITH z AS (SELECT id, EXISTS (SELECT 1 FROM hosts h"
	"  WHERE h.zone_id = zones.id) AS busy FROM zones"
	"  WHERE owner_account_id = $1 AND name = $2"
	"  AND tsig_secret IS NOT NULL FOR UPDATE),"
	" d AS (DELETE FROM zones WHERE id IN"
	"  (SELECT id FROM z WHERE NOT busy))"
	" SELECT busy FROM z",
	2
};
static const struct db_stmt st_sealed_each = {
	"zone_sealed_each",
	"SELECT " TENANT_COLS " FROM zones WHERE tsig_secret IS NOT NULL"
	" ORDER BY id",
	0
};
static const struct db_stmt st_reseal = {
	"zone_reseal",
	"UPDATE zones SET tsig_secret = decode($2, 'hex') WHERE id = $1"
	" AND tsig_secret IS NOT NULL RETURNING id",
	2
};
static const struct db_stmt st_check_replace = {
	"secret_check_replace",
	"INSERT INTO secret_key_check VALUES (1, decode($1, 'hex'))"
	" ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed",
	1
};
static const struct db_stmt st_check_get = {
	"secret_check_get",
	"SELECT encode(sealed, 'hex') FROM secret_key_check WHERE id = 1", 0
};
static const struct db_stmt st_check_set = {
	"secret_check_set",
	"INSERT INTO secret_key_check VALUES (1, decode($1, 'hex'))"
	" ON CONFLICT (id) DO NOTHING",
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

static int tenant_from_row(const PGresult *r, struct db_tenant_zone *z);
static int usable_match(void *arg, const struct db_zone_info *z);
static int overlap_verdict(const PGresult *r, long long n, unsigned max_zones,
			   char *overlap, size_t overlapsz);
static void sealed_hex(const struct db_tenant_zone *z, char *hex, size_t hexsz);

static int
tenant_from_row(const PGresult *r, struct db_tenant_zone *z)
{
	memset(z, 0, sizeof(*z));
	z->id = db_get_ll(r, 0, 0);
	z->default_ttl = (int)db_get_ll(r, 0, 5);
	if (db_get_text(r, 0, 1, z->name, sizeof(z->name)) ||
	    db_get_text(r, 0, 2, z->primary, sizeof(z->primary)) ||
	    db_get_text(r, 0, 3, z->key, sizeof(z->key)) ||
	    db_get_bytea(r, 0, 4, z->sealed, sizeof(z->sealed), &z->sealed_len))
		return DDNS_EDB;
	return 0;
}

static void
sealed_hex(const struct db_tenant_zone *z, char *hex, size_t hexsz)
{
	sodium_bin2hex(hex, hexsz, z->sealed, z->sealed_len);
}

int
db_zone_next_id(struct db_conn *c, long long *id)
{
	return db_exec_ll(c, &st_next_id, NULL, id);
}

/* The verdict of the overlap and count row r (columns o, n) into err. */
static int
overlap_verdict(const PGresult *r, long long n, unsigned max_zones,
		char *overlap, size_t overlapsz)
{
	overlap[0] = '\0';
	if (!PQgetisnull(r, 0, 0)) {
		if (db_col_copy(r, 0, 0, overlap, overlapsz) != 0)
			overlap[0] = '\0';
		return DDNS_ENAMEUSED;
	}
	return n >= (long long)max_zones ? DDNS_ELIMIT : 0;
}

int
db_zone_precheck(struct db_conn *c, long long account_id, const char *name,
		 unsigned max_zones, char *overlap, size_t overlapsz)
{
	char acc[24];
	const char *p[2] = { acc, name };
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	if ((r = db_exec(c, &st_precheck, p, &err)) == NULL)
		return err;
	err = PQntuples(r) == 1 ? overlap_verdict(r, db_get_ll(r, 0, 1),
						  max_zones, overlap, overlapsz)
				: DDNS_EDB;
	PQclear(r);
	return err;
}

int
db_zone_create_tenant(struct db_conn *c, long long account_id,
		      const struct db_tenant_zone *z, unsigned max_zones,
		      char *overlap, size_t overlapsz)
{
	char acc[24], id[24], ttl[16], max[16], hex[2 * DB_SEALED_MAX + 1];
	const char *p[8] = {
		acc, z->name, id, z->primary, z->key, hex, ttl, max
	};
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	snprintf(id, sizeof(id), "%lld", z->id);
	snprintf(ttl, sizeof(ttl), "%d", z->default_ttl);
	snprintf(max, sizeof(max), "%u", max_zones);
	sealed_hex(z, hex, sizeof(hex));
	overlap[0] = '\0';
	if ((r = db_exec_locked(c, &st_create_lock, NULL, &st_create_tenant, p,
				&err)) == NULL)
		return err;
	if (PQntuples(r) != 1)
		err = DDNS_EDB;
	else if (PQgetisnull(r, 0, 0))
		err = PQgetisnull(r, 0, 1) ? DDNS_ELIMIT : DDNS_ENAMEUSED;
	if (err == DDNS_ENAMEUSED &&
	    db_col_copy(r, 0, 1, overlap, overlapsz) != 0)
		overlap[0] = '\0';
	PQclear(r);
	return err;
}

int
db_zone_get_tenant(struct db_conn *c, long long account_id, const char *name,
		   struct db_tenant_zone *out)
{
	char acc[24];
	const char *p[2] = { acc, name };
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	if ((r = db_exec(c, &st_get_tenant, p, &err)) == NULL)
		return err;
	err = PQntuples(r) == 1 ? tenant_from_row(r, out) : DDNS_ENOENT;
	PQclear(r);
	return err;
}

int
db_zone_tenant_key(struct db_conn *c, long long zone_id, bool *found,
		   struct db_tenant_zone *out)
{
	char id[24];
	const char *p[1] = { id };
	PGresult *r;
	int err;

	*found = false;
	snprintf(id, sizeof(id), "%lld", zone_id);
	if ((r = db_exec(c, &st_tenant_key, p, &err)) == NULL)
		return err;
	if (PQntuples(r) == 1) {
		*found = true;
		err = tenant_from_row(r, out);
	}
	PQclear(r);
	return err;
}

int
db_zone_update_tenant(struct db_conn *c, long long account_id,
		      const struct db_tenant_zone *z)
{
	char acc[24], hex[2 * DB_SEALED_MAX + 1];
	const char *p[5] = { acc, z->name, z->primary, z->key, hex };
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	sealed_hex(z, hex, sizeof(hex));
	if ((err = db_exec_ll(c, &st_update_tenant, p, NULL)) == 0)
		db_changed(c, DB_CHANGED_ALL);
	return err;
}

int
db_zone_delete_tenant(struct db_conn *c, long long account_id, const char *name)
{
	char acc[24];
	const char *p[2] = { acc, name };
	PGresult *r;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	if ((r = db_exec(c, &st_delete_tenant, p, &err)) == NULL)
		return err;
	if (PQntuples(r) != 1)
		err = DDNS_ENOENT;
	else
		err = db_get_bool(r, 0, 0) ? DDNS_EEXIST : 0;
	PQclear(r);
	return err;
}

int
db_zone_sealed_each(struct db_conn *c,
		    int (*cb)(void *arg, const struct db_tenant_zone *z),
		    void *arg)
{
	struct db_tenant_zone z;
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_sealed_each, NULL, &err)) == NULL)
		return err;
	for (int i = 0; i < PQntuples(r) && err == 0; i++) {
		memset(&z, 0, sizeof(z));
		z.id = db_get_ll(r, i, 0);
		if (db_get_text(r, i, 1, z.name, sizeof(z.name)) ||
		    db_get_bytea(r, i, 4, z.sealed, sizeof(z.sealed),
				 &z.sealed_len))
			err = DDNS_EDB;
		else
			err = cb(arg, &z);
	}
	sodium_memzero(&z, sizeof(z));
	PQclear(r);
	return err;
}

int
db_zone_reseal(struct db_conn *c, long long id, const uint8_t *sealed,
	       size_t len)
{
	char zid[24], hex[2 * DB_SEALED_MAX + 1];
	const char *p[2] = { zid, hex };

	if (len > DB_SEALED_MAX)
		return DDNS_EINVAL;
	snprintf(zid, sizeof(zid), "%lld", id);
	sodium_bin2hex(hex, sizeof(hex), sealed, len);
	return db_exec_ll(c, &st_reseal, p, NULL);
}

int
db_secret_check_get(struct db_conn *c, uint8_t *out, size_t outsz, size_t *len)
{
	PGresult *r;
	int err;

	if ((r = db_exec(c, &st_check_get, NULL, &err)) == NULL)
		return err;
	if (PQntuples(r) != 1)
		err = DDNS_ENOENT;
	else
		err = db_get_bytea(r, 0, 0, out, outsz, len);
	PQclear(r);
	return err;
}

int
db_secret_check_store(struct db_conn *c, const uint8_t *sealed, size_t len,
		      bool replace)
{
	char hex[2 * DB_SEALED_MAX + 1];
	const char *p[1] = { hex };
	PGresult *r;
	int err;

	if (len > DB_SEALED_MAX)
		return DDNS_EINVAL;
	sodium_bin2hex(hex, sizeof(hex), sealed, len);
	if ((r = db_exec(c, replace ? &st_check_replace : &st_check_set, p,
			 &err)) == NULL)
		return err;
	PQclear(r);
	return 0;
}

int
db_zone_for_name(struct db_conn *c, const char *name, struct db_zone_match *out)
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
		z.own_key = db_get_bool(r, i, 7);
		if (db_col_copy(r, i, 6, z.owner, sizeof(z.owner)) != 0) {
			err = DDNS_EDB;
			break;
		}
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
		z.own_key = db_get_bool(r, i, 3);
		z.hosts = db_get_ll(r, i, 6);
		z.pending = db_get_ll(r, i, 7);
		if ((err = db_col_copy(r, i, 0, z.name, sizeof(z.name))) == 0 &&
		    (err = db_col_copy(r, i, 4, z.primary,
				       sizeof(z.primary))) == 0 &&
		    (err = db_col_copy(r, i, 5, z.key, sizeof(z.key))) == 0)
			err = cb(arg, &z);
	}
	PQclear(r);
	return err;
}

struct usable_find {
	const char *name;
	struct db_zone_info *out;
	bool found;
};

static int
usable_match(void *arg, const struct db_zone_info *z)
{
	struct usable_find *f = arg;

	if (strcmp(z->name, f->name) != 0)
		return 0;
	*f->out = *z;
	f->found = true;
	return 1; /* stop */
}

int
db_zone_get_usable(struct db_conn *c, long long account_id, const char *name,
		   struct db_zone_info *out)
{
	struct usable_find f = { name, out, false };
	int err = db_zone_list_usable(c, account_id, usable_match, &f);

	if (err < 0)
		return err;
	return f.found ? 0 : DDNS_ENOENT;
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
