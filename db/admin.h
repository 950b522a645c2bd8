/* SPDX-License-Identifier: MIT */
/*
 * Operator queries behind the CLI: zones, accounts, hosts, host tokens.
 * Names passed in are already validated and normalised.
 */
#ifndef DDNS_DB_ADMIN_H
#define DDNS_DB_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "db/conn.h"

/* Adds a shared zone. 0, DDNS_EEXIST or DDNS_EDB. */
int db_zone_add(struct db_conn *c, const char *name, const char *primary,
		const char *key, int ttl, long long *id);

struct db_zone_row {
	char name[256];
	char primary[64];
	char key[256];
	int ttl;
	long long hosts;   /* live hosts */
	long long pending; /* hosts (and tombstones) waiting for DNS */
};

/* Every zone, by name. 0, DDNS_EDB, or what cb returned (non-zero stops). */
int db_admin_zone_list(struct db_conn *c,
		       int (*cb)(void *arg, const struct db_zone_row *z),
		       void *arg);

/*
 * Changes a zone's primary, key and/or default TTL (NULL or ttl 0: keep)
 * and wakes the pushers. 0, DDNS_ENOENT or DDNS_EDB.
 */
int db_zone_set(struct db_conn *c, const char *name, const char *primary,
		const char *key, int ttl);

/* Adds an account; pwhash may be NULL (no login). 0, DDNS_EEXIST, DDNS_EDB. */
int db_account_add(struct db_conn *c, const char *email, const char *pwhash,
		   long long *id);

/* Finds an account by e-mail (case-insensitive). 0, DDNS_ENOENT, DDNS_EDB. */
int db_account_find(struct db_conn *c, const char *email, long long *id);

/*
 * Adds host fqdn for account under the longest matching known zone, with
 * that zone's default TTL. The zone apex itself is refused. Runs its own
 * transaction: refuses with DDNS_ELIMIT when the account already has
 * accounts.max_hosts live hosts. Returns 0, DDNS_ENOTZONE, DDNS_EEXIST,
 * DDNS_ELIMIT, DDNS_ENOENT (no such account) or DDNS_EDB.
 */
int db_host_add(struct db_conn *c, const char *fqdn, long long account_id,
		long long *id);

/* Finds a host by name. 0, DDNS_ENOENT, DDNS_EDB. */
int db_host_find(struct db_conn *c, const char *fqdn, long long *id,
		 long long *account_id);

/*
 * Stores a host token (public id + secret hash) in its own transaction,
 * unless the host already has db_limits_max_tokens() tokens. Returns 0,
 * DDNS_ELIMIT, DDNS_ENOENT (no such host for this account), DDNS_EEXIST or
 * DDNS_EDB.
 */
int db_host_token_add(struct db_conn *c, long long host_id,
		      long long account_id, const char *public_id,
		      const uint8_t *hash, size_t hash_len, const char *label,
		      long long *id);

#endif
