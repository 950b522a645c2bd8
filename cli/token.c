/* SPDX-License-Identifier: MIT */
/* ddnsd token add | list | delete: a host's update tokens (operator). */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "auth/token.h"
#include "cli/cli.h"
#include "common/names.h"
#include "db/host_tokens.h"
#include "db/hosts.h"
#include "db/limits.h"

static int token_find_host(const char *arg, struct db_conn **db,
			   long long *host, long long *acc);
static int token_row(void *arg, const struct db_host_token *t);

/* Connects and finds host name arg: 0 with *db open, or the exit code. */
static int
token_find_host(const char *arg, struct db_conn **db, long long *host,
		long long *acc)
{
	char name[DDNS_NAME_MAX + 1];
	int ret;

	if (ddns_name_normalize(arg, strlen(arg), name, sizeof(name)) != 0)
		return cli_usage("\"%s\" is not a valid host name", arg);
	if ((ret = cli_connect(db)) != 0)
		return ret;
	if ((ret = db_host_find(*db, name, host, acc)) != 0) {
		db_close(*db);
		return cli_fail("host", name, ret);
	}
	return 0;
}

int
cli_token_add(int argc, char **argv)
{
	struct cli_opt o[] = { { "--label", true, NULL } };
	char name[DDNS_NAME_MAX + 1], text[AUTH_TOKEN_TEXT_LEN + 1];
	uint8_t hash[AUTH_TOKEN_HASH_LEN];
	struct auth_token tok;
	struct db_conn *db;
	const char *pos, *label;
	struct db_host_token t;
	long long host, acc;
	int ret;

	if ((ret = cli_parse_opts(argc, argv, 2, o, 1, &pos)) != 0)
		return ret;
	if (ddns_name_normalize(pos, strlen(pos), name, sizeof(name)) != 0)
		return cli_usage("\"%s\" is not a valid host name", pos);
	label = o[0].value ? o[0].value : "";
	if (!cli_valid_text(label, CLI_LABEL_MAX))
		return cli_usage("--label: at most %d printable characters",
				 CLI_LABEL_MAX);
	if ((ret = cli_connect(&db)) != 0)
		return ret;
	if ((ret = db_host_find(db, name, &host, &acc)) != 0) {
		db_close(db);
		return cli_fail("host", name, ret);
	}
	ret = auth_token_generate(AUTH_TOKEN_HOST, &tok, text, sizeof(text));
	if (ret == 0) {
		auth_token_hash(&tok, hash);
		ret = db_host_token_create(db, acc, host, tok.public_id, hash,
					   sizeof(hash), label,
					   db_limits_max_tokens(), &t);
	}
	auth_token_wipe(&tok);
	db_close(db);
	if (ret != 0) {
		sodium_memzero(text, sizeof(text));
		return cli_fail("token for", name, ret);
	}
	printf("token %s for %s (shown once, store it now):\n%s\n", t.id, name,
	       text);
	sodium_memzero(text, sizeof(text));
	return CLI_EXIT_OK;
}

static int
token_row(void *arg, const struct db_host_token *t)
{
	(void)arg;
	printf("%s\t%s\tcreated %s\tlast used %s\n", t->id,
	       t->label[0] ? t->label : "-", t->created_at,
	       t->last_used_at[0] ? t->last_used_at : "never");
	return 0;
}

int
cli_token_list(int argc, char **argv)
{
	struct db_conn *db;
	long long host, acc;
	int ret;

	if (argc != 3)
		return cli_usage("usage: ddnsd token list FQDN");
	if ((ret = token_find_host(argv[2], &db, &host, &acc)) != 0)
		return ret;
	ret = db_host_token_list(db, acc, host, token_row, NULL);
	db_close(db);
	return ret == 0 ? CLI_EXIT_OK : cli_fail("token", "list", ret);
}

int
cli_token_delete(int argc, char **argv)
{
	struct db_conn *db;
	long long host, acc;
	int ret;

	if (argc != 4)
		return cli_usage("usage: ddnsd token delete FQDN ID");
	if ((ret = token_find_host(argv[2], &db, &host, &acc)) != 0)
		return ret;
	ret = db_host_token_delete(db, acc, host, argv[3]);
	db_close(db);
	if (ret != 0)
		return cli_fail("token", argv[3], ret);
	printf("token %s of %s deleted; it stops working at once\n", argv[3],
	       argv[2]);
	return CLI_EXIT_OK;
}
