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
#include <stddef.h>
#include <stdint.h>

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
	char owner[255];   /* the owning account's e-mail, "" = shared */
	bool own_key;      /* a tenant's zone with its own key (REST) */
};

/* A zone an account may create hosts in. */
struct db_zone_info {
	char name[DDNS_NAME_MAX + 1];
	int default_ttl;
	bool shared;       /* a provider zone (else owned by the account) */
	bool own_key;      /* the account brought it (REST), with its key */
	char primary[64];  /* own zones only, else "" */
	char key[256];     /* own zones only: the TSIG key's name */
	long long hosts;   /* the account's live hosts in it */
	long long pending; /* of those, waiting for DNS */
};

#define DB_SEALED_MAX 192 /* a sealed TSIG secret (auth/secretbox.h) */

/* A tenant's own zone as stored (REST). */
struct db_tenant_zone {
	long long id;
	char name[DDNS_NAME_MAX + 1];
	char primary[64];
	char key[256];
	uint8_t sealed[DB_SEALED_MAX]; /* the TSIG secret, sealed */
	size_t sealed_len;
	int default_ttl;
};

/* The zone a name falls in. */
struct db_zone_match {
	long long id;
	char name[DDNS_NAME_MAX + 1];
	long long owner; /* owning account, or 0 for a shared zone */
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

/* One of them by name: 0, DDNS_ENOENT or DDNS_EDB. */
int db_zone_get_usable(struct db_conn *c, long long account_id,
		       const char *name, struct db_zone_info *out);

/* The zones account_id may create hosts in: shared ones and its own. */
int db_zone_list_usable(struct db_conn *c, long long account_id,
			int (*cb)(void *arg, const struct db_zone_info *z),
			void *arg);

/* A fresh zone id, to seal a new zone's secret for before inserting it. */
int db_zone_next_id(struct db_conn *c, long long *id);

/*
 * Stores z (its id from db_zone_next_id(), the secret sealed for it) as a
 * zone of account_id, unless its name equals, contains or lies inside any
 * other zone (DDNS_ENAMEUSED, *overlap names that zone) or the account
 * has max_zones zones already (DDNS_ELIMIT). Serialised against other
 * zone creations. 0, DDNS_EEXIST or DDNS_EDB as well.
 */
int db_zone_create_tenant(struct db_conn *c, long long account_id,
			  const struct db_tenant_zone *z, unsigned max_zones,
			  char *overlap, size_t overlapsz);

/*
 * What db_zone_create_tenant() would refuse, asked before the primary is
 * contacted: 0, DDNS_ENAMEUSED (*overlap names the zone), DDNS_ELIMIT or
 * DDNS_EDB.
 */
int db_zone_precheck(struct db_conn *c, long long account_id, const char *name,
		     unsigned max_zones, char *overlap, size_t overlapsz);

/* The account's own zone called name. 0, DDNS_ENOENT or DDNS_EDB. */
int db_zone_get_tenant(struct db_conn *c, long long account_id,
		       const char *name, struct db_tenant_zone *out);

/* Replaces the primary, key name and sealed secret of the account's
 * zone z->name and wakes the pushers. 0, DDNS_ENOENT or DDNS_EDB. */
int db_zone_update_tenant(struct db_conn *c, long long account_id,
			  const struct db_tenant_zone *z);

/* Deletes the account's zone unless a host (or tombstone) is in it:
 * DDNS_EEXIST then. 0, DDNS_ENOENT or DDNS_EDB. */
int db_zone_delete_tenant(struct db_conn *c, long long account_id,
			  const char *name);

/*
 * The key of a tenant zone for the pusher and reconcile: *found false for
 * an operator zone (its key is in DDNS_TSIG_KEY_FILE). 0 or DDNS_EDB.
 */
int db_zone_tenant_key(struct db_conn *c, long long zone_id, bool *found,
		       struct db_tenant_zone *out);

/*
 * Every tenant zone's sealed secret, by id (cb may call
 * db_zone_reseal() on another connection). 0, DDNS_EDB or cb's return.
 */
int db_zone_sealed_each(struct db_conn *c,
			int (*cb)(void *arg, const struct db_tenant_zone *z),
			void *arg);

/* Replaces zone id's sealed secret (a re-seal under a new key). 0,
 * DDNS_ENOENT or DDNS_EDB. */
int db_zone_reseal(struct db_conn *c, long long id, const uint8_t *sealed,
		   size_t len);

/*
 * The value sealed under the secret key when it was first used: 0 (and
 * the bytes), DDNS_ENOENT (none yet) or DDNS_EDB. _store stores one when
 * none is stored, or with replace always (after ddnsd rekey).
 */
int db_secret_check_get(struct db_conn *c, uint8_t *out, size_t outsz,
			size_t *len);
int db_secret_check_store(struct db_conn *c, const uint8_t *sealed, size_t len,
			  bool replace);

/*
 * Changes a zone's primary, key and/or default TTL (NULL or ttl 0: keep)
 * and wakes the pushers. 0, DDNS_ENOENT or DDNS_EDB.
 */
int db_zone_set(struct db_conn *c, const char *name, const char *primary,
		const char *key, int ttl);

#endif
