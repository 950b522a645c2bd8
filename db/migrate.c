/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "common/log.h"
#include "db/migrate.h"
#include "db/stmt.h"

/* Arbitrary, fixed: "ddns" in ASCII. */
#define MIGRATE_LOCK_ID "1684303475"

static int migrate_one(struct db_conn *c, const struct db_migration *m);
static int migrate_applied(struct db_conn *c, int id, int *applied);

static const char create_table_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" id integer PRIMARY KEY, name text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now())";

static const struct db_stmt st_applied = {
	"mig_applied", "SELECT 1 FROM schema_migrations WHERE id = $1", 1
};
static const struct db_stmt st_record = {
	"mig_record",
	"INSERT INTO schema_migrations (id, name) VALUES ($1, $2)", 2
};
static const struct db_stmt st_count = {
	"mig_count",
	"SELECT count(*) FROM pg_catalog.pg_tables t WHERE t.tablename ="
	" 'schema_migrations' AND t.schemaname = current_schema()",
	0
};
static const struct db_stmt st_max = { "mig_ids",
				       "SELECT id FROM schema_migrations", 0 };

static int
migrate_applied(struct db_conn *c, int id, int *applied)
{
	char idbuf[16];
	const char *p[1] = { idbuf };
	PGresult *r;
	int err;

	snprintf(idbuf, sizeof(idbuf), "%d", id);
	r = db_exec(c, &st_applied, p, &err);
	if (r == NULL)
		return err;
	*applied = PQntuples(r) > 0;
	PQclear(r);
	return 0;
}

static int
migrate_one(struct db_conn *c, const struct db_migration *m)
{
	char idbuf[16];
	const char *p[2] = { idbuf, m->name };
	PGresult *r;
	int err, done = 0;

	if ((err = db_command(c, "BEGIN")) != 0)
		return err;
	/* Another instance may have applied it while we waited for the lock. */
	if ((err = migrate_applied(c, m->id, &done)) != 0 || done)
		goto out;
	log_info("migrate: applying %s", m->name);
	if ((err = db_command(c, m->sql)) != 0) {
		log_error("migrate: %s failed, rolled back", m->name);
		goto out;
	}
	snprintf(idbuf, sizeof(idbuf), "%d", m->id);
	if ((r = db_exec(c, &st_record, p, &err)) == NULL)
		goto out;
	PQclear(r);
	return db_command(c, "COMMIT");
out:
	db_command(c, "ROLLBACK");
	return err;
}

int
db_migrate(struct db_conn *c, int *applied)
{
	int err = 0, done = 0;
	size_t i;

	*applied = 0;
	if (db_command(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_ID ")") != 0)
		return DDNS_EDB;
	if ((err = db_command(c, create_table_sql)) != 0)
		goto out;
	for (i = 0; i < db_migrations_count; i++) {
		if ((err = migrate_applied(c, db_migrations[i].id, &done)) != 0)
			goto out;
		if (done)
			continue;
		if ((err = migrate_one(c, &db_migrations[i])) != 0)
			goto out;
		(*applied)++;
	}
out:
	db_command(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_ID ")");
	return err;
}

int
db_migrations_pending(struct db_conn *c, int *pending)
{
	PGresult *r;
	int err, n, found;
	size_t i;

	if ((r = db_exec(c, &st_count, NULL, &err)) == NULL)
		return err;
	n = (int)db_get_ll(r, 0, 0);
	PQclear(r);
	if (n == 0) {
		*pending = (int)db_migrations_count;
		return 0;
	}
	if ((r = db_exec(c, &st_max, NULL, &err)) == NULL)
		return err;
	*pending = 0;
	for (i = 0; i < db_migrations_count; i++) {
		found = 0;
		for (int row = 0; row < PQntuples(r); row++)
			if (db_get_ll(r, row, 0) == db_migrations[i].id)
				found = 1;
		*pending += !found;
	}
	PQclear(r);
	return 0;
}
