/* SPDX-License-Identifier: MIT */
/*
 * Queries for reconcile: the zones to check and the desired DNS state of
 * every host of a zone (db_host_requeue() marks the hosts whose records
 * drifted). These queries work
 * across tenants on purpose: reconcile is an operator task, like the pusher.
 */
#ifndef DDNS_DB_RECONCILE_H
#define DDNS_DB_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/names.h"
#include "db/acme.h"
#include "db/conn.h"

struct db_rec_zone {
	long long id;
	char name[DDNS_NAME_MAX + 1];
	char primary[64];
	char key[256];
};

/* What DNS should serve for one host (offline or deleted: no address). */
struct db_rec_host {
	long long id;
	char fqdn[DDNS_NAME_MAX + 1]; /* lower case */
	uint32_t ttl;
	bool has_v4, has_v6;
	uint8_t v4[4], v6[16];
	bool dirty;   /* a push is already pending */
	bool deleted; /* a tombstone: DNS must hold nothing for it */
	size_t ntxt;  /* ACME challenge values (TXT at "_acme-challenge.") */
	char txt[DB_ACME_MAX][DB_ACME_VALUE_MAX + 1];
};

/*
 * The zone named zone, or every zone when zone is NULL, by name. *zones is
 * allocated (caller frees with free()); *n may be 0. Returns 0, DDNS_EDB
 * or DDNS_ENOMEM.
 */
int db_reconcile_zones(struct db_conn *c, const char *zone,
		       struct db_rec_zone **zones, size_t *n);

/*
 * Calls cb for every host of zone_id, tombstones included, with its ACME
 * values, one row at a time (libpq single-row mode: the zone's hosts are
 * never held at once). Order: by lower(fqdn) byte by byte, the live host
 * before the tombstones of the same name, then by id. h is only valid
 * during the call. A non-zero return of cb stops the scan (the query is
 * cancelled) and is returned. Returns 0, DDNS_EDB, DDNS_ENOMEM or cb's
 * code. The connection may run nothing else until this returns.
 */
int db_reconcile_hosts_each(struct db_conn *c, long long zone_id,
			    int (*cb)(void *arg, const struct db_rec_host *h),
			    void *arg);

/*
 * Session advisory lock so that one instance reconciles at a time.
 * *got tells whether it was taken. Returns 0 or DDNS_EDB.
 */
int db_reconcile_trylock(struct db_conn *c, bool *got);

/* Releases the lock taken by db_reconcile_trylock(). */
void db_reconcile_unlock(struct db_conn *c);

#endif
