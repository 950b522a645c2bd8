/* SPDX-License-Identifier: MIT */
/*
 * The one place that decides where a host name may be created, for the
 * CLI and REST alike (db_host_create() asks it before inserting). The
 * zone of a name is the longest matching zone among all zones; only then
 * is it checked that the account may use it. In a shared zone a tenant
 * registers one label under the zone, never a reserved one; deeper names
 * are for the owner of that label's host; nothing is created above or
 * below another account's host, nor at a name that already holds records
 * ddnsd does not manage (the zone's primary is asked). An account-owned
 * zone takes any name but its apex from its owner.
 */
#ifndef DDNS_DB_PLACEMENT_H
#define DDNS_DB_PLACEMENT_H

#include <stddef.h>

#include "common/placement.h"
#include "db/conn.h"

/*
 * What the placement needs besides the database: the operator's reserved
 * labels (NULL: none) and a check of the zone's primary, name_free(arg,
 * primary, name) returning 0 (free), DDNS_ENAMEUSED (holds records) or
 * another error (the primary could not be asked). name_free NULL skips
 * that check.
 */
struct db_placement_rules {
	const struct ddns_reserved *reserved;
	int (*name_free)(void *arg, const char *primary, const char *name);
	void *arg;
};

/* Where a name goes: its zone and that zone's default TTL. */
struct db_place {
	long long zone_id;
	int default_ttl;
};

/*
 * Decides whether account_id may create name (normalised). Returns 0 and
 * fills out; otherwise writes why into detail (detailsz bytes, naming the
 * field "name") and returns DDNS_ENOTZONE (no zone this account may use,
 * the apex, or a deeper name without its label), DDNS_ENAMEUSED
 * (reserved, another account's host above or below, or records in DNS),
 * DDNS_EAGAIN (the primary could not be asked: try again) or DDNS_EDB.
 */
int db_place_host(struct db_conn *c, long long account_id, const char *name,
		  const struct db_placement_rules *rules, struct db_place *out,
		  char *detail, size_t detailsz);

/* One host that breaks the rules (rows from before them, or a zone added
 * later inside another). */
struct db_violation {
	char fqdn[DDNS_NAME_MAX + 1];
	char email[255];
	const char *problem; /* static text: what is wrong and what to do */
};

/*
 * Reports every live host that breaks the placement rules, by name within
 * each kind of problem: the apex of its zone, under a zone other than its
 * longest matching one, in a zone another account owns, below a label of
 * a shared zone that its account does not own, above or below another
 * account's host, or at a reserved label. Nothing is changed.
 * 0, DDNS_EDB, DDNS_ENOMEM, or cb's non-zero return.
 */
int db_place_violations(struct db_conn *c, const struct ddns_reserved *reserved,
			int (*cb)(void *arg, const struct db_violation *v),
			void *arg);

#endif
