/* SPDX-License-Identifier: MIT */
/*
 * Accounts: sign-up and login (REST), the operator's add, list, limit and
 * delete (CLI). The only writer of the accounts table. E-mail addresses
 * are validated by the caller and compared case-insensitively.
 */
#ifndef DDNS_DB_ACCOUNTS_H
#define DDNS_DB_ACCOUNTS_H

#include <stddef.h>

#include "db/conn.h"

#define DB_EMAIL_MAX 254

struct db_account {
	long long id;
	char email[DB_EMAIL_MAX + 1];
	char created_at[DB_TS_LEN];
	long long hosts; /* live hosts (listings only) */
	int max_hosts;
};

/* Creates an account with an argon2id hash; pwhash NULL: no login (an
 * operator-made account). 0, DDNS_EEXIST or DDNS_EDB. */
int db_account_create(struct db_conn *c, const char *email, const char *pwhash,
		      struct db_account *out);

/*
 * The id and password hash (into hash, hashsz bytes) of the account with
 * this e-mail. Returns 0, DDNS_ENOENT (no such account, or it has no
 * password) or DDNS_EDB.
 */
int db_account_login(struct db_conn *c, const char *email, long long *id,
		     char *hash, size_t hashsz);

/* The argon2id hash of account id into hash. 0, DDNS_ENOENT (no such
 * account, or no password) or DDNS_EDB. */
int db_account_password_get(struct db_conn *c, long long id, char *hash,
			    size_t hashsz);

/*
 * Replaces the password hash of account id and, in the same transaction,
 * ends every console session of the account but keep_session (0: all);
 * *ended (may be NULL) gets how many. 0, DDNS_ENOENT or DDNS_EDB.
 */
int db_account_password_set(struct db_conn *c, long long id, const char *pwhash,
			    long long keep_session, long long *ended);

/* Finds an account by e-mail. 0, DDNS_ENOENT or DDNS_EDB. */
int db_account_find(struct db_conn *c, const char *email, long long *id);

/* Sets the account's host limit (0..1000000). 0, DDNS_ENOENT or DDNS_EDB. */
int db_account_set_max_hosts(struct db_conn *c, const char *email,
			     int max_hosts);

/* Locks the account row $1 against concurrent limit checks, for
 * db_exec_locked() (FOR NO KEY UPDATE: hosts may still reference it). */
extern const struct db_stmt db_account_lock;

/* Calls cb for each account in id order; a non-zero return of cb stops
 * and is returned. 0 or DDNS_EDB. */
int db_account_list(struct db_conn *c,
		    int (*cb)(void *arg, const struct db_account *a),
		    void *arg);

/*
 * Deletes the account with this e-mail and its tokens. Refused while it
 * owns hosts, live or still being removed from DNS (their records would
 * stay in DNS). Returns 0, DDNS_ENOENT, DDNS_EACCES (has hosts) or
 * DDNS_EDB.
 */
int db_account_delete(struct db_conn *c, const char *email);

#endif
