/* SPDX-License-Identifier: MIT */
/*
 * Zones the service writes to: the operator's (shared provider zones, or
 * owned by one account) with their primary, TSIG key name and default TTL.
 * The only writer of the zones table. Names passed in are validated and
 * normalised by the caller.
 */
#ifndef DDNS_DB_ZONES_H
#define DDNS_DB_ZONES_H

#include <stdbool.h>

#include "common/names.h"
#include "db/conn.h"

/* A zone as the operator lists it. */
struct db_zone_row {
	char name[DDNS_NAME_MAX + 1];
	char primary[64];
	char key[256];
	int ttl;
	long long hosts;   /* live hosts */
	long long pending; /* hosts (and tombstones) waiting for DNS */
};

/* A zone an account may create hosts in. */
struct db_zone_info {
	char name[DDNS_NAME_MAX + 1];
	int default_ttl;
	bool shared; /* a provider zone (else owned by the account) */
};

/* The zone a name falls in. */
struct db_zone_match {
	long long id;
	char name[DDNS_NAME_MAX + 1];
	long long owner;  /* owning account, or 0 for a shared zone */
	char primary[64];
	int default_ttl;
};

/*
 * The longest zone among all zones (whoever owns them) that name
 * (normalised) equals or lies under. 0, DDNS_ENOTZONE (none) or DDNS_EDB.
 */
int db_zone_for_name(struct db_conn *c, const char *name,
		     struct db_zone_match *out);

/* Adds a shared zone. 0, DDNS_EEXIST or DDNS_EDB. */
int db_zone_add(struct db_conn *c, const char *name, const char *primary,
		const char *key, int ttl, long long *id);

/* Every zone, by name (operator). 0, DDNS_EDB, or cb's non-zero return. */
int db_zone_list_all(struct db_conn *c,
		     int (*cb)(void *arg, const struct db_zone_row *z),
		     void *arg);

/* The zones account_id may create hosts in: shared ones and its own. */
int db_zone_list_usable(struct db_conn *c, long long account_id,
			int (*cb)(void *arg, const struct db_zone_info *z),
			void *arg);

/*
 * Changes a zone's primary, key and/or default TTL (NULL or ttl 0: keep)
 * and wakes the pushers. 0, DDNS_ENOENT or DDNS_EDB.
 */
int db_zone_set(struct db_conn *c, const char *name, const char *primary,
		const char *key, int ttl);

#endif
