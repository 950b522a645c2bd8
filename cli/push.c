/* SPDX-License-Identifier: MIT */
/* ddnsd push: every pending change to DNS, then exit; and the TSIG keys
 * and pusher options that serve shares. */
#include <stdio.h>
#include <string.h>

#include "auth/secretbox.h"
#include "cli/cli.h"
#include "common/errors.h"
#include "dnsbackend/keyfile.h"
#include "dnsbackend/keystore.h"
#include "dnsbackend/pusher.h"

int
cli_load_keys(const struct ddns_config *cfg, struct dns_keystore **ks)
{
	struct dns_keyring kr = { 0 };
	int err = dns_keyfile_load(cfg->tsig_key_file, &kr);

	if (err != 0) {
		fprintf(stderr, "ddnsd: DDNS_TSIG_KEY_FILE: %s: %s\n",
			cfg->tsig_key_file, ddns_strerror(err));
		return CLI_EXIT_USAGE;
	}
	if (kr.n == 0) {
		fprintf(stderr, "ddnsd: DDNS_TSIG_KEY_FILE: %s holds no key\n",
			cfg->tsig_key_file);
		return CLI_EXIT_USAGE;
	}
	if ((*ks = dns_keystore_new(&kr)) == NULL) {
		dns_keyring_free(&kr);
		fprintf(stderr, "ddnsd: out of memory\n");
		return CLI_EXIT_FAIL;
	}
	return 0;
}

void
cli_pusher_opts(const struct ddns_config *cfg, struct dns_keystore *ks,
		struct dns_pusher_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->database_url = cfg->database_url;
	o->keys = ks;
	o->interval_ms = cfg->push_interval_ms;
	o->batch = cfg->push_batch;
	o->timeout_ms = cfg->dns_timeout_ms;
	o->threads = cfg->push_threads;
}

int
cli_push(int argc, char **argv)
{
	struct ddns_config cfg;
	struct dns_keystore *ks = NULL;
	struct dns_pusher_opts po;
	int ret;

	(void)argv;
	if (argc != 1)
		return cli_usage("push takes no arguments");
	if ((ret = cli_config(&cfg, DDNS_NEED_DB | DDNS_NEED_KEYS)) != 0)
		return ret;
	if ((ret = cli_load_keys(&cfg, &ks)) != 0)
		return ret;
	cli_pusher_opts(&cfg, ks, &po);
	ret = dns_pusher_drain(&po) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	po.tenant_zones = true;
	if (auth_box_ready() && dns_pusher_drain(&po) != 0)
		ret = CLI_EXIT_FAIL;
	dns_keystore_free(ks);
	return ret;
}
