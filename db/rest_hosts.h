/* SPDX-License-Identifier: MIT */
/*
 * Hosts and zones as account owners manage them (REST API), plus the
 * operator's listing and deletion (CLI). Every tenant query takes the
 * account id. A deleted host becomes a tombstone (deleted_at set, version
 * bumped) that the pusher removes from DNS and then from the table; its
 * name is free again at once.
 */
#ifndef DDNS_DB_REST_HOSTS_H
#define DDNS_DB_REST_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/names.h"
#include "db/accounts.h"
#include "db/conn.h"
#include "db/rest_util.h"

struct db_zone_info {
	char name[DDNS_NAME_MAX + 1];
	int default_ttl;
	bool shared; /* a provider zone (else owned by the account) */
};

struct db_rest_host {
	long long id;
	long long account_id;
	char name[DDNS_NAME_MAX + 1];
	char zone[DDNS_NAME_MAX + 1];
	char ipv4[48], ipv6[48];      /* "" = none */
	int ttl;
	bool offline;
	char created_at[DB_TS_LEN];
	char updated_at[DB_TS_LEN];
	bool pushed;                  /* DNS has seen the current version */
	char email[DB_EMAIL_MAX + 1]; /* operator listing only */
};

/* A PATCH: each set_* replaces that field; a NULL address clears it. */
struct db_host_patch {
	bool set_v4, set_v6, set_ttl, set_offline;
	const char *v4, *v6; /* validated text or NULL */
	int ttl;
	bool offline;
};

/* Zones the account may create hosts in: shared ones and its own. */
int db_zone_list(struct db_conn *c, long long account_id,
		 int (*cb)(void *arg, const struct db_zone_info *z),
		 void *arg);

/*
 * Creates host name (normalised) for the account under the longest
 * matching zone it may use; ttl < 0 takes the zone's default. Returns 0
 * (and *id), DDNS_EEXIST (a live host has the name), DDNS_ENOTZONE (no
 * usable zone, or name is a zone apex), DDNS_ELIMIT (the account's
 * max_hosts reached) or DDNS_EDB.
 */
int db_rest_host_create(struct db_conn *c, long long account_id,
			const char *name, int ttl, long long *id);

/* The account's live host called name. 0, DDNS_ENOENT or DDNS_EDB. */
int db_rest_host_get(struct db_conn *c, long long account_id,
		     const char *name, struct db_rest_host *out);

/*
 * The account's live hosts ordered by name, those after `after` (NULL:
 * from the start), at most limit of them. 0, cb's return or DDNS_EDB.
 */
int db_rest_host_list(struct db_conn *c, long long account_id,
		      const char *after, unsigned limit,
		      int (*cb)(void *arg, const struct db_rest_host *h),
		      void *arg);

/*
 * Applies p to the account's live host in one statement: version bump,
 * a host_events row (via "api"; source/user_agent may be NULL) and a
 * NOTIFY. 0, DDNS_ENOENT or DDNS_EDB.
 */
int db_rest_host_update(struct db_conn *c, long long account_id,
			long long host_id, const struct db_host_patch *p,
			const char *source, const char *user_agent);

/*
 * Turns the account's live host into a tombstone in one statement: its
 * tokens and ACME values go, the pusher removes its records. account_id
 * 0 means any account (operator). 0, DDNS_ENOENT or DDNS_EDB.
 */
int db_rest_host_delete(struct db_conn *c, long long account_id,
			const char *name);

/* Every live host, by name, with its account's e-mail (operator). */
int db_admin_host_list(struct db_conn *c, const char *email,
		       int (*cb)(void *arg, const struct db_rest_host *h),
		       void *arg);

#endif
