/* SPDX-License-Identifier: MIT */
/*
 * PostgreSQL connections, as the rest of the program sees them: opaque
 * handles, no libpq type. A struct db_conn is used by one thread at a
 * time. The statements themselves (db/stmt.h) are for db/ alone.
 */
#ifndef DDNS_DB_CONN_H
#define DDNS_DB_CONN_H

#include <stdbool.h>
#include <stddef.h>

#define DB_TS_LEN 32 /* "2024-01-02T03:04:05Z" plus room */

/*
 * The account argument of an operator query that may touch any account's
 * rows (the CLI); tenant queries always pass a real account id (> 0).
 */
#define DB_ANY_ACCOUNT 0LL

struct db_conn;
struct db_stmt;

/*
 * Opens a connection to url (libpq URI or conninfo). Returns NULL and sets
 * *err (DDNS_EDB, DDNS_ENOMEM) on failure; the libpq message is logged
 * without the password. Caller owns the result; free with db_close().
 */
struct db_conn *db_connect(const char *url, int *err);

/* Closes and frees. NULL-safe. */
void db_close(struct db_conn *c);

/* Checks the connection and reconnects if it broke. 0 or DDNS_EDB. */
int db_ensure(struct db_conn *c);

/*
 * A connection owned by the calling thread, opened on first use with the
 * URL given to db_thread_init() and closed when the thread exits. NULL
 * when the database cannot be reached (retried on the next call).
 */
int db_thread_init(const char *url);
struct db_conn *db_thread_conn(void);

/*
 * Calls cb for each host and port the connection string url names (a
 * libpq multi-host URL or conninfo: host may be a name, an address or a
 * socket directory; port "" means the default). 0, DDNS_EINVAL (url does
 * not parse) or cb's non-zero return.
 */
int db_url_hosts(const char *url,
		 int (*cb)(void *arg, const char *host, const char *port),
		 void *arg);

#endif
