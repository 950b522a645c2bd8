/* SPDX-License-Identifier: MIT */
/*
 * Host update tokens (ddh_...) as account owners manage them. Every query
 * takes the account id and the host id.
 */
#ifndef DDNS_DB_HOST_TOKENS_H
#define DDNS_DB_HOST_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "auth/token.h"
#include "db/conn.h"

#define DB_LABEL_MAX 100

struct db_host_token {
	char id[AUTH_TOKEN_ID_LEN + 1]; /* public id */
	char label[DB_LABEL_MAX + 1];
	char created_at[DB_TS_LEN];
	char last_used_at[DB_TS_LEN]; /* "" = never */
};

/* Stores a token for the account's live host, unless it has max_tokens
 * already. 0, DDNS_ELIMIT (limit, or the host is gone), DDNS_EEXIST or
 * DDNS_EDB. */
int db_host_token_create(struct db_conn *c, long long account_id,
			 long long host_id, const char *public_id,
			 const uint8_t *hash, size_t hash_len,
			 const char *label, unsigned max_tokens,
			 struct db_host_token *out);

/* Calls cb for each token of the host, oldest first. */
int db_host_token_list(struct db_conn *c, long long account_id,
		       long long host_id,
		       int (*cb)(void *arg, const struct db_host_token *t),
		       void *arg);

/* Deletes one; it stops working at once. 0, DDNS_ENOENT or DDNS_EDB. */
int db_host_token_delete(struct db_conn *c, long long account_id,
			 long long host_id, const char *public_id);

/* Sets the label of the account's token public_id of host_id; fills out.
 * 0, DDNS_ENOENT or DDNS_EDB. */
int db_host_token_relabel(struct db_conn *c, long long account_id,
			  long long host_id, const char *public_id,
			  const char *label, struct db_host_token *out);

#endif
