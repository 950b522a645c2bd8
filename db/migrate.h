/* SPDX-License-Identifier: MIT */
/*
 * Schema migrations, compiled into the binary from migrations/NNNN_*.sql.
 */
#ifndef DDNS_DB_MIGRATE_H
#define DDNS_DB_MIGRATE_H

#include <stddef.h>

#include "db/conn.h"

struct db_migration {
	int id;
	const char *name;
	const char *sql;
};

extern const struct db_migration db_migrations[];
extern const size_t db_migrations_count;

/*
 * Applies every migration not yet recorded in schema_migrations, each in
 * its own transaction, in id order, under a session advisory lock so that
 * instances starting together take turns. *applied gets the number run.
 * Returns 0 or DDNS_EDB (the failing migration is rolled back and named in
 * the log).
 */
int db_migrate(struct db_conn *c, int *applied);

/* Sets *pending to the number of migrations not applied yet. 0 or DDNS_EDB. */
int db_migrations_pending(struct db_conn *c, int *pending);

#endif
