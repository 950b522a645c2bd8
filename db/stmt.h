/* SPDX-License-Identifier: MIT */
/*
 * Prepared statements and result readers: for the files of db/ only, so
 * that no libpq type or call leaves db/. Statements are prepared lazily,
 * once per connection, by db_exec().
 */
#ifndef DDNS_DB_STMT_H
#define DDNS_DB_STMT_H

#include <libpq-fe.h>
#include <stdint.h>

#include "common/buf.h"
#include "db/conn.h"

/* SQL expression: timestamptz column as "YYYY-MM-DDTHH:MM:SSZ". */
#define DB_TS(col)                                                             \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* A statement to prepare once per connection; define them static const. */
struct db_stmt {
	const char *name; /* unique across the program */
	const char *sql;
	int nparams;
};

struct db_conn;

/* The libpq handle, for LISTEN and the socket. Owned by c. */
PGconn *db_pg(struct db_conn *c);

/*
 * Runs a prepared statement with text parameters (NULL = SQL NULL).
 * Returns the result (caller PQclear()s it) when its status is
 * PGRES_COMMAND_OK or PGRES_TUPLES_OK; otherwise logs, clears, sets *err
 * (DDNS_EEXIST for unique violations, DDNS_EDB otherwise) and returns NULL.
 */
PGresult *db_exec(struct db_conn *c, const struct db_stmt *st,
		  const char *const *params, int *err);

/*
 * db_exec() for a read run outside any transaction: when the connection
 * turns out to be dead (PostgreSQL restarted while it sat idle), it
 * reconnects and runs the statement once more instead of failing the
 * request. Never use it for writes or inside BEGIN ... COMMIT.
 */
PGresult *db_exec_read(struct db_conn *c, const struct db_stmt *st,
		       const char *const *params, int *err);

/*
 * Runs st in a transaction that first runs lock (a SELECT ... FOR NO KEY
 * UPDATE of a parent row) with lock_params. st then reads with a snapshot
 * taken after the lock was granted, so a limit it counts cannot miss a row
 * a concurrent holder of the same lock inserted. Within one statement
 * PostgreSQL would re-check a waited-for row but not a count. Returns
 * st's result, committed, or NULL with *err as db_exec() (rolled back).
 */
PGresult *db_exec_locked(struct db_conn *c, const struct db_stmt *lock,
			 const char *const *lock_params,
			 const struct db_stmt *st, const char *const *params,
			 int *err);

/*
 * Runs st and reads the first column of its single row as a number into
 * *v (may be NULL). 0, DDNS_ENOENT (no row), or db_exec()'s error.
 */
int db_exec_ll(struct db_conn *c, const struct db_stmt *st,
	       const char *const *params, long long *v);

/* Ends a transaction: COMMIT when err is 0 (DDNS_EDB if that fails), else
 * ROLLBACK and err. */
int db_tx_end(struct db_conn *c, int err);

/* Runs a parameterless SQL command (BEGIN, COMMIT, ...). 0 or DDNS_EDB. */
int db_command(struct db_conn *c, const char *sql);

/* Appends ids as a PostgreSQL array literal "{1,2,3}" to b and
 * NUL-terminates it. 0 or DDNS_ENOMEM. */
int db_id_array(struct ddns_buf *b, const long long *ids, size_t n);

/* Appends v as a PostgreSQL text[] literal, each element double-quoted
 * with '"' and '\\' escaped, a NULL pointer as SQL NULL; NUL-terminates
 * it. 0 or DDNS_ENOMEM. */
int db_text_array(struct ddns_buf *b, const char *const *v, size_t n);

/*
 * Decodes a bytea column in text form ("\x" + hex, or plain hex as
 * encode(..., 'hex') gives) into out. 0, or DDNS_EDB for NULL, bad hex or
 * more than outsz bytes.
 */
int db_get_bytea(const PGresult *r, int row, int col, uint8_t *out,
		 size_t outsz, size_t *len);

/* Copies a text column into out. 0, or DDNS_EDB for NULL or too long. */
int db_get_text(const PGresult *r, int row, int col, char *out, size_t outsz);

/*
 * Reads an inet column of the given family (AF_INET/AF_INET6) into out (4
 * or 16 bytes); *has is false for NULL or anything else.
 */
void db_get_addr(const PGresult *r, int row, int col, int family, bool *has,
		 uint8_t *out);

/*
 * Copies column col of row into out (outsz bytes, NUL-terminated); SQL
 * NULL gives "". Returns 0 or DDNS_EDB when the value does not fit.
 */
int db_col_copy(const PGresult *r, int row, int col, char *out, size_t outsz);

/* A boolean column: true only for 't'. */
bool db_get_bool(const PGresult *r, int row, int col);

/* Parses a decimal bigint column; 0 on NULL or garbage. */
long long db_get_ll(const PGresult *r, int row, int col);

/* Text of a column or NULL for SQL NULL. Owned by r. */
const char *db_get_str(const PGresult *r, int row, int col);

#endif
