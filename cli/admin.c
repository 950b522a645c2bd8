/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include "auth/token.h"
#include "cli/cli.h"
#include "common/errors.h"
#include "common/names.h"
#include "api/rest.h"
#include "db/accounts.h"
#include "db/admin.h"
#include "db/rest_hosts.h"
#include "db/conn.h"
#include "db/host_tokens.h"
#include "dnsbackend/client.h"

#define CLI_LABEL_MAX 100
#define CLI_EMAIL_MAX 254
#define CLI_PASSWORD_MIN 10
#define CLI_PASSWORD_MAX 1024

struct cli_opt {
	const char *name;  /* "--primary" */
	bool has_value;
	const char *value; /* out; "" for a flag that is present */
};

static int parse_opts(int argc, char **argv, int first, struct cli_opt *o,
		      size_t n, const char **pos);
static int connect_db(struct db_conn **db);
static int fail(const char *what, const char *name, int err);
static bool valid_text(const char *s, size_t max);
static bool valid_email(const char *s);
static int read_password(char *out, size_t outsz);
static int zone_check_opts(const struct cli_opt *o, long *ttl);
static int zone_add(int argc, char **argv);
static int zone_list(int argc, char **argv);
static int zone_row(void *arg, const struct db_zone_row *z);
static int zone_set(int argc, char **argv);
static int account_add(int argc, char **argv);
static int host_add(int argc, char **argv);
static int token_add(int argc, char **argv);
static int dispatch(int argc, char **argv, const char *noun,
		    int (*add)(int, char **));
static int account_list(int argc, char **argv);
static int account_delete(int argc, char **argv);
static int account_row(void *arg, const struct db_account *a);
static int host_list(int argc, char **argv);
static int host_delete(int argc, char **argv);
static int host_row(void *arg, const struct db_rest_host *h);
static int token_find_host(const char *arg, struct db_conn **db,
			   long long *host, long long *acc);
static int token_row(void *arg, const struct db_host_token *t);
static int token_list(int argc, char **argv);
static int token_delete(int argc, char **argv);

/*
 * Parses "POSITIONAL --opt VALUE --flag ..." from argv[first]: exactly one
 * positional argument goes to *pos, options into o.
 */
static int
parse_opts(int argc, char **argv, int first, struct cli_opt *o, size_t n,
	   const char **pos)
{
	size_t k;

	*pos = NULL;
	for (int i = first; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0) {
			if (*pos != NULL)
				return cli_usage("unexpected argument \"%s\"",
						 argv[i]);
			*pos = argv[i];
			continue;
		}
		for (k = 0; k < n && strcmp(argv[i], o[k].name) != 0; k++)
			;
		if (k == n)
			return cli_usage("unknown option %s", argv[i]);
		if (!o[k].has_value) {
			o[k].value = "";
		} else if (i + 1 >= argc) {
			return cli_usage("%s needs a value", argv[i]);
		} else {
			o[k].value = argv[++i];
		}
	}
	if (*pos == NULL)
		return cli_usage("missing argument; see ddnsd --help");
	return 0;
}

/* The configuration (the database only) and a connection, for one
 * command. 0, or the exit code. */
static int
connect_db(struct db_conn **db)
{
	struct ddns_config cfg;
	int ret, err;

	if ((ret = cli_config(&cfg, DDNS_NEED_DB)) != 0)
		return ret;
	if ((*db = db_connect(cfg.database_url, &err)) == NULL)
		return CLI_EXIT_FAIL;
	return 0;
}

static int
fail(const char *what, const char *name, int err)
{
	const char *why = ddns_strerror(err);

	if (err == DDNS_EEXIST)
		why = "already exists";
	else if (err == DDNS_ENOENT)
		why = "not found";
	else if (err == DDNS_ELIMIT && strcmp(what, "host") == 0)
		why = "the account already has its maximum number of hosts "
		      "(accounts.max_hosts)";
	else if (err == DDNS_ELIMIT)
		why = "the host already has DDNS_MAX_TOKENS_PER_HOST tokens";
	fprintf(stderr, "ddnsd: %s %s: %s\n", what, name, why);
	return err == DDNS_EDB ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
}

/* Printable ASCII/UTF-8, no control characters, at most max bytes. */
static bool
valid_text(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static bool
valid_email(const char *s)
{
	const char *at = strchr(s, '@');

	if (!valid_text(s, CLI_EMAIL_MAX) || at == NULL || at == s ||
	    strchr(at + 1, '@') != NULL || strchr(at, '.') == NULL ||
	    strchr(s, ' ') != NULL)
		return false;
	return at[1] != '\0' && s[strlen(s) - 1] != '.';
}

static int
read_password(char *out, size_t outsz)
{
	size_t n;

	if (fgets(out, (int)outsz, stdin) == NULL)
		return cli_usage("--password-stdin: no password on stdin");
	n = strcspn(out, "\r\n");
	if (out[n] == '\0' && n == outsz - 1)
		return cli_usage("--password-stdin: password too long");
	out[n] = '\0';
	if (n < CLI_PASSWORD_MIN)
		return cli_usage("--password-stdin: password shorter than %d "
				 "characters",
				 CLI_PASSWORD_MIN);
	return 0;
}

/*
 * Checks the options zone add and zone set share: o[0] --primary, o[1]
 * --key, o[2] --ttl (each may be absent here; *ttl is left alone then).
 */
static int
zone_check_opts(const struct cli_opt *o, long *ttl)
{
	struct sockaddr_storage ss;
	unsigned sslen;
	char *end;

	if (o[0].value != NULL &&
	    dns_primary_parse(o[0].value, &ss, sizeof(ss), &sslen) != 0)
		return cli_usage("--primary: expected ADDRESS:PORT of the "
				 "zone's primary nameserver");
	if (o[1].value != NULL &&
	    (o[1].value[0] == '\0' || !valid_text(o[1].value, 255) ||
	     strchr(o[1].value, ' ')))
		return cli_usage("--key: expected the name of a TSIG key in "
				 "DDNS_TSIG_KEY_FILE");
	if (o[2].value != NULL) {
		*ttl = strtol(o[2].value, &end, 10);
		if (*end != '\0' || o[2].value[0] == '\0' || *ttl < 1 ||
		    *ttl > 86400)
			return cli_usage("--ttl: expected 1..86400");
	}
	return 0;
}

static int
zone_add(int argc, char **argv)
{
	struct cli_opt o[] = { { "--primary", true, NULL },
			       { "--key", true, NULL },
			       { "--ttl", true, NULL } };
	struct db_conn *db;
	char zone[DDNS_NAME_MAX + 1];
	const char *pos;
	long ttl = 60;
	long long id;
	int ret;

	if ((ret = parse_opts(argc, argv, 2, o, 3, &pos)) != 0)
		return ret;
	if (ddns_name_normalize(pos, strlen(pos), zone, sizeof(zone)) != 0)
		return cli_usage("zone \"%s\" is not a valid DNS name", pos);
	if (o[0].value == NULL)
		return cli_usage("--primary HOST:PORT is required");
	if (o[1].value == NULL)
		return cli_usage("--key KEYNAME is required");
	if ((ret = zone_check_opts(o, &ttl)) != 0)
		return ret;
	if ((ret = connect_db(&db)) != 0)
		return ret;
	ret = db_zone_add(db, zone, o[0].value, o[1].value, (int)ttl, &id);
	db_close(db);
	if (ret != 0)
		return fail("zone", zone, ret);
	printf("zone %s added (id %lld)\n", zone, id);
	return CLI_EXIT_OK;
}

static int
zone_row(void *arg, const struct db_zone_row *z)
{
	(void)arg;
	printf("%s\t%s\tkey %s\tttl %d\t%lld hosts\t%lld pending\n", z->name,
	       z->primary, z->key, z->ttl, z->hosts, z->pending);
	return 0;
}

static int
zone_list(int argc, char **argv)
{
	struct db_conn *db;
	int ret;

	(void)argv;
	if (argc != 2)
		return cli_usage("usage: ddnsd zone list");
	if ((ret = connect_db(&db)) != 0)
		return ret;
	ret = db_admin_zone_list(db, zone_row, NULL);
	db_close(db);
	return ret == 0 ? CLI_EXIT_OK : fail("zone", "list", ret);
}

static int
zone_set(int argc, char **argv)
{
	struct cli_opt o[] = { { "--primary", true, NULL },
			       { "--key", true, NULL },
			       { "--ttl", true, NULL } };
	struct db_conn *db;
	char zone[DDNS_NAME_MAX + 1];
	const char *pos;
	long ttl = 0;
	int ret;

	if ((ret = parse_opts(argc, argv, 2, o, 3, &pos)) != 0)
		return ret;
	if (ddns_name_normalize(pos, strlen(pos), zone, sizeof(zone)) != 0)
		return cli_usage("zone \"%s\" is not a valid DNS name", pos);
	if (o[0].value == NULL && o[1].value == NULL && o[2].value == NULL)
		return cli_usage("zone set: give --primary, --key or --ttl");
	if ((ret = zone_check_opts(o, &ttl)) != 0)
		return ret;
	if ((ret = connect_db(&db)) != 0)
		return ret;
	ret = db_zone_set(db, zone, o[0].value, o[1].value, (int)ttl);
	db_close(db);
	if (ret != 0)
		return fail("zone", zone, ret);
	printf("zone %s changed; pushers use it from their next attempt\n",
	       zone);
	if (o[0].value != NULL)
		printf("a new primary that lacks the records: run ddnsd "
		       "reconcile --zone %s\n",
		       zone);
	return CLI_EXIT_OK;
}

static int
account_add(int argc, char **argv)
{
	struct cli_opt o[] = { { "--password-stdin", false, NULL } };
	char pw[CLI_PASSWORD_MAX], hash[AUTH_PASSWORD_HASH_MAX];
	struct ddns_config cfg;
	struct db_conn *db;
	const char *pos;
	long long id;
	int ret;

	if ((ret = parse_opts(argc, argv, 2, o, 1, &pos)) != 0)
		return ret;
	if (!valid_email(pos))
		return cli_usage("\"%s\" is not a valid e-mail address", pos);
	if ((ret = cli_config(&cfg, DDNS_NEED_DB)) != 0)
		return ret;
	if (o[0].value != NULL) {
		ret = read_password(pw, sizeof(pw));
		if (ret == 0 &&
		    auth_password_hash(pw, hash, sizeof(hash)) != 0)
			ret = CLI_EXIT_FAIL;
		sodium_memzero(pw, sizeof(pw));
		if (ret != 0)
			return ret;
	}
	if ((ret = connect_db(&db)) != 0)
		return ret;
	ret = db_account_add(db, pos, o[0].value ? hash : NULL, &id);
	db_close(db);
	if (ret != 0)
		return fail("account", pos, ret);
	printf("account %s added (id %lld)\n", pos, id);
	return CLI_EXIT_OK;
}

static int
host_add(int argc, char **argv)
{
	struct cli_opt o[] = { { "--account", true, NULL } };
	char name[DDNS_NAME_MAX + 1];
	struct db_conn *db;
	const char *pos;
	long long acc, id;
	int ret;

	if ((ret = parse_opts(argc, argv, 2, o, 1, &pos)) != 0)
		return ret;
	if (ddns_name_normalize(pos, strlen(pos), name, sizeof(name)) != 0)
		return cli_usage("\"%s\" is not a valid host name", pos);
	if (o[0].value == NULL)
		return cli_usage("--account EMAIL is required");
	if ((ret = connect_db(&db)) != 0)
		return ret;
	if ((ret = db_account_find(db, o[0].value, &acc)) != 0) {
		db_close(db);
		return fail("account", o[0].value, ret);
	}
	ret = db_host_add(db, name, acc, &id);
	db_close(db);
	if (ret != 0)
		return fail("host", name, ret);
	printf("host %s added (id %lld)\n", name, id);
	return CLI_EXIT_OK;
}

static int
token_add(int argc, char **argv)
{
	struct cli_opt o[] = { { "--label", true, NULL } };
	char name[DDNS_NAME_MAX + 1], text[AUTH_TOKEN_TEXT_LEN + 1];
	uint8_t hash[AUTH_TOKEN_HASH_LEN];
	struct auth_token tok;
	struct db_conn *db;
	const char *pos, *label;
	long long host, acc, id;
	int ret;

	if ((ret = parse_opts(argc, argv, 2, o, 1, &pos)) != 0)
		return ret;
	if (ddns_name_normalize(pos, strlen(pos), name, sizeof(name)) != 0)
		return cli_usage("\"%s\" is not a valid host name", pos);
	label = o[0].value ? o[0].value : "";
	if (!valid_text(label, CLI_LABEL_MAX))
		return cli_usage("--label: at most %d printable characters",
				 CLI_LABEL_MAX);
	if ((ret = connect_db(&db)) != 0)
		return ret;
	if ((ret = db_host_find(db, name, &host, &acc)) != 0) {
		db_close(db);
		return fail("host", name, ret);
	}
	ret = auth_token_generate(AUTH_TOKEN_HOST, &tok, text, sizeof(text));
	if (ret == 0) {
		auth_token_hash(&tok, hash);
		ret = db_host_token_add(db, host, acc, tok.public_id, hash,
					sizeof(hash), label, &id);
	}
	auth_token_wipe(&tok);
	db_close(db);
	if (ret != 0) {
		sodium_memzero(text, sizeof(text));
		return fail("token for", name, ret);
	}
	printf("token %lld for %s (shown once, store it now):\n%s\n", id, name,
	       text);
	sodium_memzero(text, sizeof(text));
	return CLI_EXIT_OK;
}

static int
dispatch(int argc, char **argv, const char *noun, int (*add)(int, char **))
{
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return cli_usage("usage: ddnsd %s add ...; see ddnsd --help",
				 noun);
	return add(argc, argv);
}

int
cli_zone(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return zone_list(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "set") == 0)
		return zone_set(argc, argv);
	return dispatch(argc, argv, "zone", zone_add);
}

static int
account_row(void *arg, const struct db_account *a)
{
	(void)arg;
	printf("%lld\t%s\t%lld/%d hosts\t%s\n", a->id, a->email, a->hosts,
	       a->max_hosts, a->created_at);
	return 0;
}

static int
account_list(int argc, char **argv)
{
	struct db_conn *db;
	int ret;

	(void)argv;
	if (argc != 2)
		return cli_usage("usage: ddnsd account list");
	if ((ret = connect_db(&db)) != 0)
		return ret;
	ret = db_account_list(db, account_row, NULL);
	db_close(db);
	return ret == 0 ? CLI_EXIT_OK : fail("account", "list", ret);
}

static int
account_delete(int argc, char **argv)
{
	struct db_conn *db;
	int ret;

	if (argc != 3)
		return cli_usage("usage: ddnsd account delete EMAIL");
	if ((ret = connect_db(&db)) != 0)
		return ret;
	ret = db_account_delete(db, argv[2]);
	db_close(db);
	if (ret == DDNS_EACCES) {
		fprintf(stderr, "ddnsd: account %s: still owns hosts; delete "
				"them (ddnsd host delete) and let them leave "
				"DNS first\n",
			argv[2]);
		return CLI_EXIT_USAGE;
	}
	if (ret != 0)
		return fail("account", argv[2], ret);
	printf("account %s deleted\n", argv[2]);
	return CLI_EXIT_OK;
}

int
cli_account(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return account_list(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "delete") == 0)
		return account_delete(argc, argv);
	return dispatch(argc, argv, "account", account_add);
}

static int
host_row(void *arg, const struct db_rest_host *h)
{
	(void)arg;
	printf("%s\t%s\t%s\t%s\t%s%s\n", h->name, h->email,
	       h->ipv4[0] ? h->ipv4 : "-", h->ipv6[0] ? h->ipv6 : "-",
	       h->pushed ? "pushed" : "pending", h->offline ? " offline" : "");
	return 0;
}

static int
host_list(int argc, char **argv)
{
	struct cli_opt o[] = { { "--account", true, NULL } };
	struct db_conn *db;
	int ret;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], o[0].name) != 0 || i + 1 >= argc)
			return cli_usage("usage: ddnsd host list "
					 "[--account EMAIL]");
		o[0].value = argv[++i];
	}
	if ((ret = connect_db(&db)) != 0)
		return ret;
	ret = db_admin_host_list(db, o[0].value, host_row, NULL);
	db_close(db);
	return ret == 0 ? CLI_EXIT_OK : fail("host", "list", ret);
}

static int
host_delete(int argc, char **argv)
{
	char name[DDNS_NAME_MAX + 1];
	struct db_conn *db;
	int ret;

	if (argc != 3)
		return cli_usage("usage: ddnsd host delete FQDN");
	if (ddns_name_normalize(argv[2], strlen(argv[2]), name,
				sizeof(name)) != 0)
		return cli_usage("\"%s\" is not a valid host name", argv[2]);
	if ((ret = connect_db(&db)) != 0)
		return ret;
	ret = db_rest_host_delete(db, 0, name);
	db_close(db);
	if (ret != 0)
		return fail("host", name, ret);
	printf("host %s deleted; the pusher removes its records\n", name);
	return CLI_EXIT_OK;
}

int
cli_host(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return host_list(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "delete") == 0)
		return host_delete(argc, argv);
	return dispatch(argc, argv, "host", host_add);
}

/* Hidden: the REST route table, for the OpenAPI consistency test. */
int
cli_routes(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	api_rest_routes_print(stdout);
	return CLI_EXIT_OK;
}

/* Connects and finds host name arg: 0 with *db open, or the exit code. */
static int
token_find_host(const char *arg, struct db_conn **db, long long *host,
		long long *acc)
{
	char name[DDNS_NAME_MAX + 1];
	int ret;

	if (ddns_name_normalize(arg, strlen(arg), name, sizeof(name)) != 0)
		return cli_usage("\"%s\" is not a valid host name", arg);
	if ((ret = connect_db(db)) != 0)
		return ret;
	if ((ret = db_host_find(*db, name, host, acc)) != 0) {
		db_close(*db);
		return fail("host", name, ret);
	}
	return 0;
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

static int
token_list(int argc, char **argv)
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
	return ret == 0 ? CLI_EXIT_OK : fail("token", "list", ret);
}

static int
token_delete(int argc, char **argv)
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
		return fail("token", argv[3], ret);
	printf("token %s of %s deleted; it stops working at once\n", argv[3],
	       argv[2]);
	return CLI_EXIT_OK;
}

int
cli_token(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return token_list(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "delete") == 0)
		return token_delete(argc, argv);
	return dispatch(argc, argv, "token", token_add);
}
