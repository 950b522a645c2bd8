/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/errors.h"
#include "common/log.h"
#include "db/conn.h"
#include "dnsbackend/keystore.h"
#include "dnsbackend/pusher.h"
#include "dnsbackend/reconcile.h"

static int parse_args(int argc, char **argv, const char **zone, bool *no_push);

static int
parse_args(int argc, char **argv, const char **zone, bool *no_push)
{
	*zone = NULL;
	*no_push = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-push") == 0) {
			*no_push = true;
		} else if (strcmp(argv[i], "--zone") == 0) {
			if (i + 1 >= argc)
				return cli_usage("--zone needs a value");
			*zone = argv[++i];
		} else {
			return cli_usage("reconcile: unexpected argument "
					 "\"%s\"",
					 argv[i]);
		}
	}
	return 0;
}

/*
 * ddnsd reconcile [--zone ZONE] [--no-push]: compares each zone's AXFR with
 * the database, marks the hosts that differ dirty, then (unless --no-push)
 * pushes every pending change, as `ddnsd push` does.
 */
int
cli_reconcile(int argc, char **argv)
{
	struct ddns_config cfg;
	struct dns_keystore *ks = NULL;
	struct dns_reconcile_stats st;
	struct dns_reconcile_opts o;
	struct dns_pusher_opts po;
	struct db_conn *db = NULL;
	const char *zone;
	bool no_push;
	int ret, err;

	if ((ret = parse_args(argc, argv, &zone, &no_push)) != 0)
		return ret;
	if ((ret = cli_config(&cfg, DDNS_NEED_DB | DDNS_NEED_KEYS)) != 0)
		return ret;
	if ((ret = cli_load_keys(&cfg, &ks)) != 0)
		return ret;
	ret = CLI_EXIT_FAIL;
	if ((db = db_connect(cfg.database_url, &err)) == NULL)
		goto out;
	memset(&o, 0, sizeof(o));
	o.keys = dns_keystore_get(ks);
	o.timeout_ms = cfg.dns_timeout_ms;
	o.zone = zone;
	err = dns_reconcile_run(db, &o, &st);
	dns_keystore_put(ks, o.keys);
	if (err == DDNS_ENOTZONE) {
		ret = cli_usage("reconcile: no zone \"%s\"", zone);
		goto out;
	}
	printf("reconcile: %zu zones compared, %zu failed; %zu hosts, "
	       "%zu differ (%zu already pending), %zu marked for push; "
	       "%zu names with addresses not managed by ddnsd left alone; "
	       "%zu DNSSEC records of the signer ignored\n",
	       st.zones, st.zones_failed, st.hosts, st.differ, st.pending,
	       st.marked, st.foreign, st.signer);
	if (err != 0 && st.zones == 0 && st.zones_failed == 0)
		goto out; /* database error before any zone */
	if (!no_push) {
		memset(&po, 0, sizeof(po));
		po.database_url = cfg.database_url;
		po.keys = ks;
		po.interval_ms = cfg.push_interval_ms;
		po.batch = cfg.push_batch;
		po.timeout_ms = cfg.dns_timeout_ms;
		if (dns_pusher_drain(&po) != 0)
			err = err != 0 ? err : DDNS_EIO;
	}
	ret = err == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
out:
	db_close(db);
	dns_keystore_free(ks);
	return ret;
}
