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
};

/* One ACME challenge value (TXT at "_acme-challenge.<fqdn>"). */
struct db_rec_txt {
	long long host_id;
	char value[DB_ACME_VALUE_MAX + 1];
};

/*
 * The zone named zone, or every zone when zone is NULL, by name. *zones is
 * allocated (caller frees with free()); *n may be 0. Returns 0, DDNS_EDB
 * or DDNS_ENOMEM.
 */
int db_reconcile_zones(struct db_conn *c, const char *zone,
		       struct db_rec_zone **zones, size_t *n);

/*
 * Every host of zone_id, tombstones included. *hosts is allocated (caller frees
 * with free()). Returns 0, DDNS_EDB or DDNS_ENOMEM.
 */
int db_reconcile_hosts(struct db_conn *c, long long zone_id,
		       struct db_rec_host **hosts, size_t *n);

/*
 * The ACME challenge values of the hosts of zone_id, ordered by host id.
 * *txt is allocated (caller frees with free()). Returns 0, DDNS_EDB or
 * DDNS_ENOMEM.
 */
int db_reconcile_txt(struct db_conn *c, long long zone_id,
		     struct db_rec_txt **txt, size_t *n);

/*
 * Session advisory lock so that one instance reconciles at a time.
 * *got tells whether it was taken. Returns 0 or DDNS_EDB.
 */
int db_reconcile_trylock(struct db_conn *c, bool *got);

/* Releases the lock taken by db_reconcile_trylock(). */
void db_reconcile_unlock(struct db_conn *c);

#endif
