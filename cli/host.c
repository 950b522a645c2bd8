/* SPDX-License-Identifier: MIT */
/* ddnsd host add | list | delete: any account's hosts (operator). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/errors.h"
#include "common/names.h"
#include "db/accounts.h"
#include "db/hosts.h"
#include "dnsbackend/query.h"

static int host_row(void *arg, const struct db_host_info *h);
static int follow_opts(const struct cli_opt *o, struct db_follow *f,
		       char *router, char *iid);

/* --follows, --ipv6-iid, --prefix-len, --no-ipv4-follow into f. */
static int
follow_opts(const struct cli_opt *o, struct db_follow *f, char *router,
	    char *iid)
{
	uint8_t a[16];
	char *end;
	unsigned long len;

	memset(f, 0, sizeof(*f));
	f->prefix_len = 64;
	f->ipv4_follows = o[3].value == NULL;
	if (o[0].value == NULL) {
		if (o[1].value || o[2].value || o[3].value)
			return cli_usage("--ipv6-iid, --prefix-len and "
					 "--no-ipv4-follow need --follows");
		return 0;
	}
	if (ddns_name_normalize(o[0].value, strlen(o[0].value), router,
				DDNS_NAME_MAX + 1) != 0)
		return cli_usage("--follows: \"%s\" is not a valid host name",
				 o[0].value);
	f->follows = router;
	if (o[1].value != NULL) {
		if (inet_pton(AF_INET6, o[1].value, a) != 1)
			return cli_usage("--ipv6-iid: \"%s\" is not an IPv6 "
					 "address",
					 o[1].value);
		inet_ntop(AF_INET6, a, iid, INET6_ADDRSTRLEN);
		f->iid = iid;
	}
	if (o[2].value != NULL) {
		len = strtoul(o[2].value, &end, 10);
		if (*o[2].value < '1' || *o[2].value > '9' || *end != '\0' ||
		    len > 127)
			return cli_usage("--prefix-len: expected 1..127");
		f->prefix_len = (unsigned)len;
	}
	return 0;
}

int
cli_host_add(int argc, char **argv)
{
	struct cli_opt o[] = {
		{ "--follows", true, NULL },
		{ "--ipv6-iid", true, NULL },
		{ "--prefix-len", true, NULL },
		{ "--no-ipv4-follow", false, NULL },
		{ "--account", true, NULL },
	};
	char name[DDNS_NAME_MAX + 1], router[DDNS_NAME_MAX + 1];
	char iid[INET6_ADDRSTRLEN], detail[256] = "";
	struct db_placement_rules rules;
	struct ddns_config cfg;
	struct db_follow f;
	struct db_conn *db;
	const char *pos;
	long long acc, id;
	int ret;

	if ((ret = cli_parse_opts(argc, argv, 2, o, 5, &pos)) != 0)
		return ret;
	if (ddns_name_normalize(pos, strlen(pos), name, sizeof(name)) != 0)
		return cli_usage("\"%s\" is not a valid host name", pos);
	if (o[4].value == NULL)
		return cli_usage("--account EMAIL is required");
	if ((ret = follow_opts(o, &f, router, iid)) != 0)
		return ret;
	if ((ret = cli_config(&cfg, DDNS_NEED_DB)) != 0)
		return ret;
	if ((db = db_connect(cfg.database_url, &ret)) == NULL)
		return CLI_EXIT_FAIL;
	if ((ret = db_account_find(db, o[4].value, &acc)) != 0) {
		db_close(db);
		return cli_fail("account", o[4].value, ret);
	}
	dns_placement_rules(&cfg, &rules);
	ret = db_host_create_follow(db, acc, name, -1, &rules,
				    f.follows != NULL ? &f : NULL, &id, detail,
				    sizeof(detail));
	db_close(db);
	if (ret != 0 && ret != DDNS_ELIMIT && detail[0] != '\0') {
		/* The same words as the REST API's, without its field name. */
		fprintf(stderr, "ddnsd: host %s: %s\n", name,
			strncmp(detail, "name: ", 6) == 0 ? detail + 6
							  : detail);
		return ret == DDNS_EDB || ret == DDNS_EAGAIN ? CLI_EXIT_FAIL
							     : CLI_EXIT_USAGE;
	}
	if (ret != 0)
		return cli_fail("host", name, ret);
	if (f.follows != NULL)
		printf("host %s added (id %lld), following %s\n", name, id,
		       f.follows);
	else
		printf("host %s added (id %lld)\n", name, id);
	return CLI_EXIT_OK;
}

static int
host_row(void *arg, const struct db_host_info *h)
{
	bool refused = !h->pushed && h->refused_rcode[0] != '\0';

	(void)arg;
	printf("%s\t%s\t%s\t%s\t%s%s%s%s\n", h->name, h->email,
	       h->ipv4[0] ? h->ipv4 : "-", h->ipv6[0] ? h->ipv6 : "-",
	       h->pushed ? "pushed"
	       : refused ? "refused"
			 : "pending",
	       refused ? " " : "", refused ? h->refused_rcode : "",
	       h->offline ? " offline" : "");
	return 0;
}

int
cli_host_list(int argc, char **argv)
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
	if ((ret = cli_connect(&db)) != 0)
		return ret;
	ret = db_host_list_all(db, o[0].value, host_row, NULL);
	db_close(db);
	return ret == 0 ? CLI_EXIT_OK : cli_fail("host", "list", ret);
}

int
cli_host_delete(int argc, char **argv)
{
	char name[DDNS_NAME_MAX + 1], detail[200] = "";
	struct db_conn *db;
	int ret;

	if (argc != 3)
		return cli_usage("usage: ddnsd host delete FQDN");
	if (ddns_name_normalize(argv[2], strlen(argv[2]), name, sizeof(name)) !=
	    0)
		return cli_usage("\"%s\" is not a valid host name", argv[2]);
	if ((ret = cli_connect(&db)) != 0)
		return ret;
	ret = db_host_delete(db, DB_ANY_ACCOUNT, name, detail, sizeof(detail));
	db_close(db);
	if (ret == DDNS_EEXIST && detail[0] != '\0') {
		fprintf(stderr, "ddnsd: host %s: %s\n", name, detail);
		return CLI_EXIT_USAGE;
	}
	if (ret != 0)
		return cli_fail("host", name, ret);
	printf("host %s deleted; the pusher removes its records\n", name);
	return CLI_EXIT_OK;
}
