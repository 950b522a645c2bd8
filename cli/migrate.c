/* SPDX-License-Identifier: MIT */
/* ddnsd migrate: apply the embedded migrations (advisory lock). */
#include <stdio.h>

#include "cli/cli.h"
#include "db/conn.h"
#include "db/migrate.h"

int
cli_migrate(int argc, char **argv)
{
	struct ddns_config cfg;
	struct db_conn *db;
	long long bad = 0;
	int ret, err, applied;

	(void)argv;
	if (argc != 1)
		return cli_usage("migrate takes no arguments");
	if ((ret = cli_config(&cfg, DDNS_NEED_DB)) != 0)
		return ret;
	if ((db = db_connect(cfg.database_url, &err)) == NULL)
		return CLI_EXIT_FAIL;
	err = db_migrate(db, &applied);
	/* Rows from before the naming rules are reported, never deleted. */
	if (err == 0 && cli_check_count(db, &cfg, &bad) == 0 && bad > 0)
		fprintf(stderr,
			"ddnsd: migrate: %lld hosts break the naming "
			"rules; ddnsd check lists them and what to do\n",
			bad);
	db_close(db);
	if (err != 0)
		return CLI_EXIT_FAIL;
	printf("migrations: %d applied, %zu known\n", applied,
	       db_migrations_count);
	return CLI_EXIT_OK;
}
