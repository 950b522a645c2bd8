/* SPDX-License-Identifier: MIT */
/* ddnsd zone add | list | set: the operator's zones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli/cli.h"
#include "common/names.h"
#include "db/zones.h"
#include "dnsbackend/client.h"

static int zone_check_opts(const struct cli_opt *o, long *ttl);
static int zone_row(void *arg, const struct db_zone_row *z);

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
	    (o[1].value[0] == '\0' || !cli_valid_text(o[1].value, 255) ||
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

int
cli_zone_add(int argc, char **argv)
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

	if ((ret = cli_parse_opts(argc, argv, 2, o, 3, &pos)) != 0)
		return ret;
	if (ddns_name_normalize(pos, strlen(pos), zone, sizeof(zone)) != 0)
		return cli_usage("zone \"%s\" is not a valid DNS name", pos);
	if (o[0].value == NULL)
		return cli_usage("--primary HOST:PORT is required");
	if (o[1].value == NULL)
		return cli_usage("--key KEYNAME is required");
	if ((ret = zone_check_opts(o, &ttl)) != 0)
		return ret;
	if ((ret = cli_connect(&db)) != 0)
		return ret;
	ret = db_zone_add(db, zone, o[0].value, o[1].value, (int)ttl, &id);
	db_close(db);
	if (ret != 0)
		return cli_fail("zone", zone, ret);
	printf("zone %s added (id %lld)\n", zone, id);
	return CLI_EXIT_OK;
}

static int
zone_row(void *arg, const struct db_zone_row *z)
{
	(void)arg;
	printf("%s\t%s\tkey %s\tttl %d\t%lld hosts\t%lld pending%s%s%s\n",
	       z->name, z->primary, z->key, z->ttl, z->hosts, z->pending,
	       z->owner[0] ? "\towner " : "", z->owner,
	       z->own_key ? " (tenant's own zone and key)" : "");
	return 0;
}

int
cli_zone_list(int argc, char **argv)
{
	struct db_conn *db;
	int ret;

	(void)argv;
	if (argc != 2)
		return cli_usage("usage: ddnsd zone list");
	if ((ret = cli_connect(&db)) != 0)
		return ret;
	ret = db_zone_list_all(db, zone_row, NULL);
	db_close(db);
	return ret == 0 ? CLI_EXIT_OK : cli_fail("zone", "list", ret);
}

int
cli_zone_set(int argc, char **argv)
{
	struct cli_opt o[] = { { "--primary", true, NULL },
			       { "--key", true, NULL },
			       { "--ttl", true, NULL } };
	struct db_conn *db;
	char zone[DDNS_NAME_MAX + 1];
	const char *pos;
	long ttl = 0;
	int ret;

	if ((ret = cli_parse_opts(argc, argv, 2, o, 3, &pos)) != 0)
		return ret;
	if (ddns_name_normalize(pos, strlen(pos), zone, sizeof(zone)) != 0)
		return cli_usage("zone \"%s\" is not a valid DNS name", pos);
	if (o[0].value == NULL && o[1].value == NULL && o[2].value == NULL)
		return cli_usage("zone set: give --primary, --key or --ttl");
	if ((ret = zone_check_opts(o, &ttl)) != 0)
		return ret;
	if ((ret = cli_connect(&db)) != 0)
		return ret;
	ret = db_zone_set(db, zone, o[0].value, o[1].value, (int)ttl);
	db_close(db);
	if (ret != 0)
		return cli_fail("zone", zone, ret);
	printf("zone %s changed; pushers use it from their next attempt\n",
	       zone);
	if (o[0].value != NULL)
		printf("a new primary that lacks the records: run ddnsd "
		       "reconcile --zone %s\n",
		       zone);
	return CLI_EXIT_OK;
}
