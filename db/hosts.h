/* SPDX-License-Identifier: MIT */
/*
 * Queries of the update path: a host by its token, and writing a change.
 */
#ifndef DDNS_DB_HOSTS_H
#define DDNS_DB_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/names.h"
#include "db/conn.h"

struct db_host {
	long long id;
	long long account_id;
	char fqdn[DDNS_NAME_MAX + 1];
	bool has_v4, has_v6;
	struct ddns_addr v4, v6;
	bool offline;
};

struct db_token_host {
	long long token_id;
	uint8_t hash[32];
	size_t hash_len;
	struct db_host host;
};

/*
 * One indexed read: the host token with this public id and its host.
 * Returns 0, DDNS_ENOENT or DDNS_EDB.
 */
int db_token_host_lookup(struct db_conn *c, const char *public_id,
			 struct db_token_host *out);

/* Most tokens one db_token_host_lookup_many() statement carries. */
#define DB_LOOKUP_GROUP_MAX 128

/*
 * The same read for n tokens in one statement (WHERE public_id = ANY($1)):
 * for each i, errs[i] is 0 (out[i] filled) or DDNS_ENOENT, or DDNS_EDB
 * for a row that does not parse. A public id may repeat. A dead
 * connection is reconnected and the statement sent once more, as for
 * db_token_host_lookup(). Returns 0, or DDNS_EDB / DDNS_ENOMEM when the
 * statement failed (errs and out are then unset).
 */
int db_token_host_lookup_many(struct db_conn *c, const char *const *public_ids,
			      size_t n, struct db_token_host *out, int *errs);

struct db_host_change {
	bool set_v4, set_v6;      /* replace this family's address */
	struct ddns_addr v4, v6;  /* used when set_*; family 0 clears */
	bool offline;
	long long token_id;       /* 0 when not done with a host token */
	const char *source;       /* client address text or NULL */
	const char *user_agent;   /* or NULL */
	const char *result;       /* result word for the history */
	const char *via;          /* "nic/update", "api", ... */
	unsigned bucket_burst;    /* change bucket size; 0 = no limit */
	unsigned bucket_window_s; /* refill time of a full bucket */
};

/*
 * In one statement (atomic): writes the change to host_id of account_id,
 * bumps version (the host becomes dirty for the pusher), records a
 * host_events row and touches the token's last_used_at. It sends no
 * NOTIFY (see db/hosts.c): the caller wakes the pusher. With
 * bucket_burst > 0 the change also takes one token of the host's change
 * bucket (shared by every instance); with the bucket empty
 * nothing is written. Returns 0, DDNS_ENOENT (no such host for this
 * account), DDNS_EABUSE (bucket empty) or DDNS_EDB.
 */
int db_host_apply(struct db_conn *c, long long host_id, long long account_id,
		  const struct db_host_change *ch);

/*
 * Whether host_id of account_id exists and is not deleted, read in a
 * statement of its own (the latest committed row): for telling why a
 * conditional UPDATE found no row. Returns 1, 0, or DDNS_EDB.
 */
int db_host_live(struct db_conn *c, long long host_id, long long account_id);

/* Locks host $1's row, for db_exec_locked() around per-host limits. */
extern const struct db_stmt db_host_lock;

#endif
