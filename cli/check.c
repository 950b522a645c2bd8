/* SPDX-License-Identifier: MIT */
/* ddnsd check: report the hosts that break the naming rules (rows from
 * before the rules, or a zone added later inside another one). */
#include <stdio.h>

#include "cli/cli.h"
#include "db/conn.h"
#include "db/placement.h"

static int print_violation(void *arg, const struct db_violation *v);
static int count_violation(void *arg, const struct db_violation *v);

static int
print_violation(void *arg, const struct db_violation *v)
{
	(*(long long *)arg)++;
	printf("%s\t%s\t%s\n", v->fqdn, v->email, v->problem);
	return 0;
}

static int
count_violation(void *arg, const struct db_violation *v)
{
	(void)v;
	(*(long long *)arg)++;
	return 0;
}

int
cli_check_count(struct db_conn *db, const struct ddns_config *cfg, long long *n)
{
	*n = 0;
	return db_place_violations(db, &cfg->reserved, count_violation, n);
}

int
cli_check(int argc, char **argv)
{
	struct ddns_config cfg;
	struct db_conn *db;
	long long n = 0;
	int ret;

	(void)argv;
	if (argc != 1)
		return cli_usage("check takes no arguments");
	if ((ret = cli_config(&cfg, DDNS_NEED_DB)) != 0)
		return ret;
	if ((db = db_connect(cfg.database_url, &ret)) == NULL)
		return CLI_EXIT_FAIL;
	ret = db_place_violations(db, &cfg.reserved, print_violation, &n);
	db_close(db);
	if (ret != 0)
		return cli_fail("check", "hosts", ret);
	if (n == 0) {
		printf("every host follows the naming rules\n");
		return CLI_EXIT_OK;
	}
	fprintf(stderr,
		"ddnsd: check: %lld hosts break the naming rules "
		"(nothing was changed)\n",
		n);
	return CLI_EXIT_FAIL;
}
