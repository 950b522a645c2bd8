/* SPDX-License-Identifier: MIT */
/*
 * Account API tokens (dda_...): only the public id and a hash of the
 * secret are stored. Every query except the lookup by public id takes the
 * account id.
 */
#ifndef DDNS_DB_API_TOKENS_H
#define DDNS_DB_API_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/token.h"
#include "db/conn.h"

#define DB_SCOPE_READ 1u
#define DB_SCOPE_WRITE 2u
#define DB_TOKEN_NAME_MAX 100

struct db_api_token {
	char id[AUTH_TOKEN_ID_LEN + 1]; /* public id */
	char name[DB_TOKEN_NAME_MAX + 1];
	unsigned scopes; /* DB_SCOPE_* mask */
	char created_at[DB_TS_LEN];
	char expires_at[DB_TS_LEN];   /* "" = never */
	char last_used_at[DB_TS_LEN]; /* "" = never */
	long long seq;                /* listing order (the page cursor) */
};

/* What authenticating a request needs. */
struct db_api_token_auth {
	long long token_id;
	long long account_id;
	uint8_t hash[AUTH_TOKEN_HASH_LEN];
	size_t hash_len;
	unsigned scopes;
	bool expired;
};

/*
 * Stores a new token; expires_in seconds from now (0: never). Fills out.
 * The account may hold at most db_limits_max_account_tokens() tokens
 * (DDNS_MAX_TOKENS_PER_ACCOUNT; counted with the account row locked).
 * 0, DDNS_ELIMIT, DDNS_EEXIST (public id collision) or DDNS_EDB.
 */
int db_api_token_create(struct db_conn *c, long long account_id,
			const char *public_id, const uint8_t *hash,
			size_t hash_len, const char *name, unsigned scopes,
			long long expires_in, struct db_api_token *out);

/* Calls cb for the account's tokens, oldest first, those after seq after
 * (0: from the start), at most limit. 0, cb's non-zero return, or
 * DDNS_EDB. */
int db_api_token_list(struct db_conn *c, long long account_id, long long after,
		      unsigned limit,
		      int (*cb)(void *arg, const struct db_api_token *t),
		      void *arg);

/* Deletes the account's token with this public id. 0, DDNS_ENOENT or
 * DDNS_EDB. */
int db_api_token_delete(struct db_conn *c, long long account_id,
			const char *public_id);

/* The token with this public id, whatever its account. 0, DDNS_ENOENT or
 * DDNS_EDB. */
int db_api_token_lookup(struct db_conn *c, const char *public_id,
			struct db_api_token_auth *out);

/* Records a use (at most one write a minute per token). 0 or DDNS_EDB. */
int db_api_token_touch(struct db_conn *c, long long token_id);

#endif
