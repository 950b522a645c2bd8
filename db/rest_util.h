/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by the queries behind the REST API and the CLI
 * listings: timestamps as RFC 3339 UTC text and bounded column copies.
 */
#ifndef DDNS_DB_REST_UTIL_H
#define DDNS_DB_REST_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "db/conn.h"

#define DB_TS_LEN 32 /* "2024-01-02T03:04:05Z" plus room */

/* SQL expression: timestamptz column as "YYYY-MM-DDTHH:MM:SSZ". */
#define DB_TS(col)                                                           \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/*
 * Copies column col of row into out (outsz bytes, NUL-terminated); SQL
 * NULL gives "". Returns 0 or DDNS_EDB when the value does not fit.
 */
int db_col_copy(const PGresult *r, int row, int col, char *out, size_t outsz);

/* True if a boolean column is "t". */
bool db_col_bool(const PGresult *r, int row, int col);

#endif
