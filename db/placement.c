/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/errors.h"
#include "db/placement.h"
#include "db/stmt.h"
#include "db/zones.h"

/* Hosts strictly below $4: a range of the reversed names (migration 0010). */
#define BELOW                                                                  \
	"reverse(fqdn) COLLATE \"C\" >= reverse('.' || $4) COLLATE \"C\""      \
	" AND reverse(fqdn) COLLATE \"C\" < (reverse('.' || $4) || '~')"       \
	" COLLATE \"C\""

static int neighbours(struct db_conn *c, long long account_id, const char *name,
		      const struct ddns_placement *pl, char *detail,
		      size_t detailsz, bool *managed);
static int reserved_in_use(struct db_conn *c,
			   const struct ddns_reserved *reserved,
			   struct ddns_buf *arr);
static int ask_primary(const struct db_placement_rules *rules,
		       const char *primary, const char *name, char *detail,
		       size_t detailsz);

/*
 * $1 account, $2 the names between zone and name, $3 the top name (NULL
 * at depth 1), $4 the name: the owner of the top name; the nearest host
 * of another account above and one below; whether ddnsd manages anything
 * at or below the name (a tombstone, any host below), whose records DNS
 * may hold.
 */
static const struct db_stmt st_neighbours = {
	"place_neighbours",
	"SELECT (SELECT account_id FROM hosts WHERE fqdn = $3"
	"  AND deleted_at IS NULL),"
	" (SELECT fqdn FROM hosts WHERE fqdn = ANY ($2::text[])"
	"  AND deleted_at IS NULL AND account_id <> $1"
	"  ORDER BY length(fqdn) LIMIT 1),"
	" (SELECT fqdn FROM hosts WHERE " BELOW
	"  AND deleted_at IS NULL AND account_id <> $1 LIMIT 1),"
	" EXISTS (SELECT 1 FROM hosts WHERE fqdn = $4"
	"  AND deleted_at IS NOT NULL)"
	" OR EXISTS (SELECT 1 FROM hosts WHERE " BELOW ")",
	4
};

/* The part of a host's name before ".zone", and its top label. */
#define PREFIX "left(h.fqdn, length(h.fqdn) - length(z.name) - 1)"
#define LIVE_HOSTS                                                             \
	" FROM hosts h JOIN zones z ON z.id = h.zone_id"                       \
	" JOIN accounts a ON a.id = h.account_id WHERE h.deleted_at IS NULL"

/* Kinds of problem ($1 holds the reserved labels found by the caller). */
static const struct db_stmt st_violations = {
	"place_violations",
	"SELECT h.fqdn, a.email, 1" LIVE_HOSTS " AND h.fqdn = z.name"
	" UNION ALL SELECT h.fqdn, a.email, 2" LIVE_HOSTS
	" AND EXISTS (SELECT 1 FROM zones z2 WHERE"
	"  length(z2.name) > length(z.name) AND (h.fqdn = z2.name OR"
	"  right(h.fqdn, length(z2.name) + 1) = '.' || z2.name))"
	" UNION ALL SELECT h.fqdn, a.email, 3" LIVE_HOSTS
	" AND z.owner_account_id <> h.account_id"
	" UNION ALL SELECT h.fqdn, a.email, 4" LIVE_HOSTS
	" AND z.owner_account_id IS NULL AND h.fqdn <> z.name"
	" AND position('.' IN " PREFIX ") > 0"
	" AND NOT EXISTS (SELECT 1 FROM hosts t WHERE t.deleted_at IS NULL"
	"  AND t.account_id = h.account_id AND t.fqdn ="
	"  split_part(" PREFIX ", '.', -1) || '.' || z.name)"
	" UNION ALL SELECT h.fqdn, a.email, 5" LIVE_HOSTS
	" AND z.owner_account_id IS NULL AND EXISTS (SELECT 1 FROM hosts b"
	"  WHERE b.deleted_at IS NULL AND b.account_id <> h.account_id AND"
	"  reverse(b.fqdn) COLLATE \"C\" >= reverse('.' || h.fqdn) COLLATE \"C\""
	"  AND reverse(b.fqdn) COLLATE \"C\" <"
	"  (reverse('.' || h.fqdn) || '~') COLLATE \"C\")"
	" UNION ALL SELECT h.fqdn, a.email, 6" LIVE_HOSTS
	" AND z.owner_account_id IS NULL AND h.fqdn <> z.name"
	" AND split_part(" PREFIX ", '.', -1) = ANY ($1::text[])"
	" ORDER BY 3, 1",
	1
};

/* The top labels in use in shared zones, to match against the list. */
static const struct db_stmt st_top_labels = {
	"place_top_labels",
	"SELECT DISTINCT split_part(" PREFIX ", '.', -1)" LIVE_HOSTS
	" AND z.owner_account_id IS NULL AND h.fqdn <> z.name",
	0
};

static const char *const violation_text[] = {
	"",
	"is the apex of its zone: delete it (ddnsd host delete)",
	"lies in a zone added later inside its own: its records are written "
	"to the wrong zone; delete it and create it again",
	"is in a zone that another account owns: delete it, or give the "
	"zone to the host's account",
	"is below a label of a shared zone that its account does not own: "
	"delete it, or let the label's owner create it",
	"has another account's host below it: delete one of them",
	"uses a reserved label (DDNS_RESERVED_NAMES): delete it, or remove "
	"the label from the list",
};

static int
neighbours(struct db_conn *c, long long account_id, const char *name,
	   const struct ddns_placement *pl, char *detail, size_t detailsz,
	   bool *managed)
{
	struct ddns_buf arr = { 0 };
	char acc[24];
	const char *p[4];
	const char *above, *below;
	PGresult *r = NULL;
	int err;

	snprintf(acc, sizeof(acc), "%lld", account_id);
	err = ddns_buf_append_str(&arr, "{");
	for (size_t i = 0; err == 0 && i < pl->nancestors; i++)
		err = ddns_buf_appendf(&arr, "%s%s", i ? "," : "",
				       pl->ancestors[i]);
	if (err == 0)
		err = ddns_buf_append(&arr, "}", 2);
	if (err != 0)
		goto out;
	p[0] = acc;
	p[1] = (const char *)arr.data;
	p[2] = pl->depth > 1 ? pl->top : NULL;
	p[3] = name;
	if ((r = db_exec(c, &st_neighbours, p, &err)) == NULL)
		goto out;
	above = db_get_str(r, 0, 1);
	below = db_get_str(r, 0, 2);
	*managed = db_get_bool(r, 0, 3);
	if (pl->depth > 1 && db_get_ll(r, 0, 0) != account_id) {
		err = PQgetisnull(r, 0, 0) ? DDNS_ENOTZONE : DDNS_ENAMEUSED;
		if (err == DDNS_ENOTZONE)
			snprintf(detail, detailsz,
				 "name: in a shared zone you register one "
				 "label under the zone; names below %s are "
				 "for the owner of the host %s",
				 pl->top, pl->top);
		else
			snprintf(detail, detailsz,
				 "name: %s belongs to another account",
				 pl->top);
	} else if (above != NULL) {
		err = DDNS_ENAMEUSED;
		snprintf(detail, detailsz,
			 "name: %s, a host of another account, is above it",
			 above);
	} else if (below != NULL) {
		err = DDNS_ENAMEUSED;
		snprintf(detail, detailsz,
			 "name: %s, a host of another account, is below it",
			 below);
	}
out:
	PQclear(r);
	ddns_buf_free(&arr);
	return err;
}

static int
ask_primary(const struct db_placement_rules *rules, const char *primary,
	    const char *name, char *detail, size_t detailsz)
{
	int err;

	if (rules == NULL || rules->name_free == NULL)
		return 0;
	err = rules->name_free(rules->arg, primary, name);
	if (err == DDNS_ENAMEUSED)
		snprintf(detail, detailsz,
			 "name: already holds records in DNS that ddnsd does "
			 "not manage");
	else if (err != 0)
		snprintf(detail, detailsz,
			 "name: the zone's nameserver could not be asked "
			 "whether the name is free (%s); try again later",
			 ddns_strerror(err));
	return err == 0 || err == DDNS_ENAMEUSED ? err : DDNS_EAGAIN;
}

int
db_place_host(struct db_conn *c, long long account_id, const char *name,
	      const struct db_placement_rules *rules, struct db_place *out,
	      char *detail, size_t detailsz)
{
	struct db_zone_match z;
	struct ddns_placement pl;
	bool shared, managed = false;
	int err;

	memset(out, 0, sizeof(*out));
	err = db_zone_for_name(c, name, &z);
	if (err == 0 && z.owner != 0 && z.owner != account_id)
		err = DDNS_ENOTZONE; /* as if another's zone did not exist */
	if (err == DDNS_ENOTZONE)
		snprintf(detail, detailsz,
			 "name: not under a zone this account may use");
	if (err != 0)
		return err;
	shared = z.owner == 0;
	err = ddns_placement_check(name, z.name, shared,
				   rules ? rules->reserved : NULL, &pl);
	if (err == DDNS_ENOTZONE)
		snprintf(detail, detailsz,
			 "name: the zone apex %s is not a host", z.name);
	else if (err == DDNS_ENAMEUSED)
		snprintf(detail, detailsz, "name: %s is reserved in %s", pl.top,
			 z.name);
	if (err == 0 && shared)
		err = neighbours(c, account_id, name, &pl, detail, detailsz,
				 &managed);
	/* Records of ddnsd's own hosts at or below the name are no reason
	 * to refuse it; anything else DNS holds there is. */
	if (err == 0 && shared && !managed)
		err = ask_primary(rules, z.primary, name, detail, detailsz);
	if (err != 0)
		return err;
	out->zone_id = z.id;
	out->default_ttl = z.default_ttl;
	return 0;
}

/* The reserved labels among those in use, as an array literal. */
static int
reserved_in_use(struct db_conn *c, const struct ddns_reserved *reserved,
		struct ddns_buf *arr)
{
	PGresult *r;
	const char *l;
	int err, n = 0;

	if ((r = db_exec(c, &st_top_labels, NULL, &err)) == NULL)
		return err;
	err = ddns_buf_append_str(arr, "{");
	for (int i = 0; err == 0 && i < PQntuples(r); i++) {
		l = db_get_str(r, i, 0);
		if (l != NULL && reserved != NULL &&
		    ddns_reserved_match(reserved, l, strlen(l)))
			err = ddns_buf_appendf(arr, "%s%s", n++ ? "," : "", l);
	}
	if (err == 0)
		err = ddns_buf_append(arr, "}", 2);
	PQclear(r);
	return err;
}

int
db_place_violations(struct db_conn *c, const struct ddns_reserved *reserved,
		    int (*cb)(void *arg, const struct db_violation *v),
		    void *arg)
{
	struct ddns_buf arr = { 0 };
	struct db_violation v;
	const char *p[1];
	PGresult *r = NULL;
	long long kind;
	int err;

	if ((err = reserved_in_use(c, reserved, &arr)) != 0)
		goto out;
	p[0] = (const char *)arr.data;
	if ((r = db_exec(c, &st_violations, p, &err)) == NULL)
		goto out;
	for (int i = 0; i < PQntuples(r) && err == 0; i++) {
		memset(&v, 0, sizeof(v));
		kind = db_get_ll(r, i, 2);
		if (kind < 1 || kind > 6 ||
		    db_get_text(r, i, 0, v.fqdn, sizeof(v.fqdn)) ||
		    db_get_text(r, i, 1, v.email, sizeof(v.email))) {
			err = DDNS_EDB;
			break;
		}
		v.problem = violation_text[kind];
		err = cb(arg, &v);
	}
out:
	PQclear(r);
	ddns_buf_free(&arr);
	return err;
}
