/* SPDX-License-Identifier: MIT */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "api/server.h"
#include "cli/cli.h"
#include "common/errors.h"
#include "common/log.h"
#include "db/conn.h"
#include "db/migrate.h"
#include "dnsbackend/keyfile.h"
#include "dnsbackend/pusher.h"

static int load_keys(const struct ddns_config *cfg, struct dns_keyring *kr);
static void pusher_opts(const struct ddns_config *cfg,
			const struct dns_keyring *kr,
			struct dns_pusher_opts *o);

static int
load_keys(const struct ddns_config *cfg, struct dns_keyring *kr)
{
	int err = dns_keyfile_load(cfg->tsig_key_file, kr);

	if (err != 0) {
		fprintf(stderr, "ddnsd: DDNS_TSIG_KEY_FILE: %s: %s\n",
			cfg->tsig_key_file, ddns_strerror(err));
		return CLI_EXIT_USAGE;
	}
	if (kr->n == 0) {
		fprintf(stderr, "ddnsd: DDNS_TSIG_KEY_FILE: %s holds no key\n",
			cfg->tsig_key_file);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static void
pusher_opts(const struct ddns_config *cfg, const struct dns_keyring *kr,
	    struct dns_pusher_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->database_url = cfg->database_url;
	o->keys = kr;
	o->interval_ms = cfg->push_interval_ms;
	o->batch = cfg->push_batch;
	o->timeout_ms = cfg->dns_timeout_ms;
}

int
cli_serve(int argc, char **argv)
{
	struct ddns_config cfg;
	struct dns_keyring kr = { 0 };
	struct dns_pusher_opts po;
	struct dns_pusher *pusher = NULL;
	struct api_server *http = NULL;
	sigset_t set;
	int ret, sig = 0;

	(void)argv;
	if (argc != 1)
		return cli_usage("serve takes no arguments");
	if ((ret = cli_config(&cfg, DDNS_NEED_DB | DDNS_NEED_KEYS |
					    DDNS_NEED_LISTEN)) != 0)
		return ret;
	if ((ret = load_keys(&cfg, &kr)) != 0)
		return ret;
	/* Signals are taken by sigwait() below, never by other threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = CLI_EXIT_FAIL;
	if (db_thread_init(cfg.database_url) != 0)
		goto out;
	pusher_opts(&cfg, &kr, &po);
	if ((pusher = dns_pusher_start(&po)) == NULL)
		goto out;
	if ((http = api_server_start(&cfg)) == NULL)
		goto out;
	log_info("ddnsd: ready");
	sigwait(&set, &sig);
	log_info("ddnsd: %s received, shutting down", strsignal(sig));
	ret = CLI_EXIT_OK;
out:
	api_server_stop(http);
	dns_pusher_stop(pusher);
	dns_keyring_free(&kr);
	return ret;
}

int
cli_migrate(int argc, char **argv)
{
	struct ddns_config cfg;
	struct db_conn *db;
	int ret, err, applied;

	(void)argv;
	if (argc != 1)
		return cli_usage("migrate takes no arguments");
	if ((ret = cli_config(&cfg, DDNS_NEED_DB)) != 0)
		return ret;
	if ((db = db_connect(cfg.database_url, &err)) == NULL)
		return CLI_EXIT_FAIL;
	err = db_migrate(db, &applied);
	db_close(db);
	if (err != 0)
		return CLI_EXIT_FAIL;
	printf("migrations: %d applied, %zu known\n", applied,
	       db_migrations_count);
	return CLI_EXIT_OK;
}

int
cli_push(int argc, char **argv)
{
	struct ddns_config cfg;
	struct dns_keyring kr = { 0 };
	struct dns_pusher_opts po;
	int ret;

	(void)argv;
	if (argc != 1)
		return cli_usage("push takes no arguments");
	if ((ret = cli_config(&cfg, DDNS_NEED_DB | DDNS_NEED_KEYS)) != 0)
		return ret;
	if ((ret = load_keys(&cfg, &kr)) != 0)
		return ret;
	pusher_opts(&cfg, &kr, &po);
	ret = dns_pusher_drain(&po) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	dns_keyring_free(&kr);
	return ret;
}
