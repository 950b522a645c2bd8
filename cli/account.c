/* SPDX-License-Identifier: MIT */
/* ddnsd account add | list | set | delete: tenants, as the operator
 * manages them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/token.h"
#include "cli/cli.h"
#include "common/errors.h"
#include "db/accounts.h"

static int account_row(void *arg, const struct db_account *a);

int
cli_account_add(int argc, char **argv)
{
	struct cli_opt o[] = { { "--password-stdin", false, NULL } };
	char pw[CLI_PASSWORD_MAX], hash[AUTH_PASSWORD_HASH_MAX];
	struct ddns_config cfg;
	struct db_conn *db;
	const char *pos;
	struct db_account a;
	int ret;

	if ((ret = cli_parse_opts(argc, argv, 2, o, 1, &pos)) != 0)
		return ret;
	if (!cli_valid_email(pos))
		return cli_usage("\"%s\" is not a valid e-mail address", pos);
	if ((ret = cli_config(&cfg, DDNS_NEED_DB)) != 0)
		return ret;
	if (o[0].value != NULL) {
		ret = cli_read_password(pw, sizeof(pw));
		if (ret == 0 && auth_password_hash(pw, hash, sizeof(hash)) != 0)
			ret = CLI_EXIT_FAIL;
		sodium_memzero(pw, sizeof(pw));
		if (ret != 0)
			return ret;
	}
	if ((ret = cli_connect(&db)) != 0)
		return ret;
	ret = db_account_create(db, pos, o[0].value ? hash : NULL, &a);
	db_close(db);
	if (ret != 0)
		return cli_fail("account", pos, ret);
	printf("account %s added (id %lld)\n", pos, a.id);
	return CLI_EXIT_OK;
}

static int
account_row(void *arg, const struct db_account *a)
{
	(void)arg;
	printf("%lld\t%s\t%lld/%d hosts\t%s\n", a->id, a->email, a->hosts,
	       a->max_hosts, a->created_at);
	return 0;
}

int
cli_account_list(int argc, char **argv)
{
	struct db_conn *db;
	int ret;

	(void)argv;
	if (argc != 2)
		return cli_usage("usage: ddnsd account list");
	if ((ret = cli_connect(&db)) != 0)
		return ret;
	ret = db_account_list(db, account_row, NULL);
	db_close(db);
	return ret == 0 ? CLI_EXIT_OK : cli_fail("account", "list", ret);
}

int
cli_account_delete(int argc, char **argv)
{
	struct db_conn *db;
	int ret;

	if (argc != 3)
		return cli_usage("usage: ddnsd account delete EMAIL");
	if ((ret = cli_connect(&db)) != 0)
		return ret;
	ret = db_account_delete(db, argv[2]);
	db_close(db);
	if (ret == DDNS_EACCES) {
		fprintf(stderr,
			"ddnsd: account %s: still owns hosts; delete "
			"them (ddnsd host delete) and let them leave "
			"DNS first\n",
			argv[2]);
		return CLI_EXIT_USAGE;
	}
	if (ret != 0)
		return cli_fail("account", argv[2], ret);
	printf("account %s deleted\n", argv[2]);
	return CLI_EXIT_OK;
}

int
cli_account_set(int argc, char **argv)
{
	struct cli_opt o[] = { { "--max-hosts", true, NULL } };
	struct db_conn *db;
	const char *pos;
	char *end;
	long max;
	int ret;

	if ((ret = cli_parse_opts(argc, argv, 2, o, 1, &pos)) != 0)
		return ret;
	if (o[0].value == NULL)
		return cli_usage("account set: give --max-hosts N");
	max = strtol(o[0].value, &end, 10);
	if (o[0].value[0] == '\0' || *end != '\0' || max < 0 ||
	    max > CLI_MAX_HOSTS_LIMIT)
		return cli_usage("--max-hosts: expected 0..%d",
				 CLI_MAX_HOSTS_LIMIT);
	if ((ret = cli_connect(&db)) != 0)
		return ret;
	ret = db_account_set_max_hosts(db, pos, (int)max);
	db_close(db);
	if (ret != 0)
		return cli_fail("account", pos, ret);
	printf("account %s may now have %ld hosts\n", pos, max);
	return CLI_EXIT_OK;
}
