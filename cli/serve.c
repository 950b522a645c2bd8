/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "api/clientip.h"
#include "api/health.h"
#include "api/console.h"
#include "api/rest.h"
#include "api/server.h"
#include "auth/secretbox.h"
#include "cli/cli.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/sdnotify.h"
#include "common/secrets.h"
#include "db/conn.h"
#include "db/migrate.h"
#include "db/zones.h"
#include "dnsbackend/keyfile.h"
#include "dnsbackend/keystore.h"
#include "dnsbackend/pusher.h"
#include "dnsbackend/reconcile.h"

static int read_pem(const char *var, const char *path, char **out);
static int secret_check(const struct ddns_config *cfg);
static int http_opts(const struct ddns_config *cfg, struct ddns_netlist *px,
		     struct api_server_opts *o);
static void http_opts_free(struct api_server_opts *o);

#define PEM_MAX (1024 * 1024)
#define SERVE_THREAD_GRACE_MS 250

/* SIGHUP: the key file again; on any error the keys in use stay. */
static void
reload_keys(const struct ddns_config *cfg, struct dns_keystore *ks,
	    struct dns_pusher *pusher, struct dns_pusher *tenants)
{
	size_t n = 0;
	int err = dns_keystore_reload(ks, cfg->tsig_key_file, &n);

	if (err != 0) {
		log_error("ddnsd: SIGHUP: DDNS_TSIG_KEY_FILE %s: %s; the keys "
			  "in use stay",
			  cfg->tsig_key_file, ddns_strerror(err));
		return;
	}
	log_info("ddnsd: SIGHUP: %zu TSIG keys loaded from %s", n,
		 cfg->tsig_key_file);
	/* A zone that failed for a key may work now: try it at once. */
	dns_pusher_retry_now(pusher);
	dns_pusher_retry_now(tenants);
}

/*
 * Tenant zones: says at start whether they are possible, and finds a wrong
 * DDNS_SECRET_KEY_FILE now rather than at the first push (it must open
 * the value sealed when the key was first used). CLI_EXIT_USAGE on a
 * wrong key, else 0 (PostgreSQL down: checked at the next start).
 */
static int
secret_check(const struct ddns_config *cfg)
{
	uint8_t sealed[DB_SEALED_MAX];
	size_t len = 0;
	struct db_conn *db;
	int err;

	if (!auth_box_ready()) {
		log_warn("ddnsd: DDNS_SECRET_KEY_FILE is not set: tenants "
			 "cannot bring their own zones (POST /v1/zones "
			 "answers 503)");
		return 0;
	}
	if ((db = db_connect(cfg->database_url, &err)) == NULL)
		return 0;
	err = db_secret_check_get(db, sealed, sizeof(sealed), &len);
	/* None yet: this key is the first; seal the check value with it. */
	if (err == DDNS_ENOENT && auth_box_check_make(sealed, &len) == 0)
		err = db_secret_check_store(db, sealed, len, false);
	db_close(db);
	if (err == 0 && auth_box_check_verify(sealed, len) != 0) {
		fprintf(stderr,
			"ddnsd: DDNS_SECRET_KEY_FILE: %s does not "
			"open what was sealed with the key in use "
			"before (a wrong key file? give the old one "
			"as DDNS_SECRET_KEY_FILE_OLD)\n",
			cfg->secret_key_file);
		return CLI_EXIT_USAGE;
	}
	log_info("ddnsd: tenant zones on (DDNS_SECRET_KEY_FILE)");
	return 0;
}

int
cli_serve(int argc, char **argv)
{
	struct ddns_config cfg;
	struct dns_keystore *ks = NULL;
	struct dns_pusher_opts po, pt;
	struct dns_pusher *pusher = NULL, *tenants = NULL;
	struct dns_reconciler *reconciler = NULL;
	struct api_server *http = NULL;
	struct ddns_netlist proxies;
	struct api_server_opts ho = { 0 };
	sigset_t set;
	long long deadline;
	bool stuck;
	int ret, sig = 0;

	(void)argv;
	if (argc != 1)
		return cli_usage("serve takes no arguments");
	/* The server's stdout is its log (containers); admin output is not. */
	ddns_log_set_stdout();
	/* No core dump, and no secret left in the environment. */
	if (ddns_secrets_no_dump() != 0)
		log_warn("ddnsd: prctl(PR_SET_DUMPABLE, 0) failed");
	if ((ret = cli_config(&cfg, DDNS_NEED_DB | DDNS_NEED_KEYS |
					    DDNS_NEED_LISTEN)) != 0)
		return ret;
	if (ddns_secrets_take(&cfg) != 0)
		return CLI_EXIT_FAIL;
	if ((ret = cli_load_keys(&cfg, &ks)) != 0)
		return ret;
	if ((ret = secret_check(&cfg)) != 0) {
		dns_keystore_free(ks);
		return ret;
	}
	if ((ret = http_opts(&cfg, &proxies, &ho)) != 0)
		goto out;
	api_health_set_metrics_token(cfg.metrics_token);
	/* A database that does not answer must not hang a thread forever. */
	setenv("PGCONNECT_TIMEOUT", "5", 0);
	/* Signals are taken by sigwait() below, never by other threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = CLI_EXIT_FAIL;
	if (db_thread_init(cfg.database_url) != 0)
		goto out;
	api_rest_configure(&cfg);
	api_console_configure(cfg.console_on);
	cli_pusher_opts(&cfg, ks, &po);
	if ((pusher = dns_pusher_start(&po)) == NULL)
		goto out;
	/* Tenants' primaries get threads of their own (dnsbackend/pusher.h). */
	pt = po;
	pt.tenant_zones = true;
	pt.threads = cfg.push_tenant_threads;
	if (auth_box_ready() && (tenants = dns_pusher_start(&pt)) == NULL)
		goto out;
	if (cfg.reconcile_interval_s > 0 &&
	    (reconciler = dns_reconciler_start(cfg.database_url, ks,
					       cfg.reconcile_interval_s,
					       cfg.dns_timeout_ms)) == NULL)
		goto out;
	if ((http = api_server_start(&cfg, &ho)) == NULL)
		goto out;
	/* PostgreSQL may be down: serve anyway, /readyz tells. */
	if (api_ready_start(cfg.database_url) != 0)
		goto out;
	log_info("ddnsd: serving");
	ddns_sd_notify("READY=1");
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
		reload_keys(&cfg, ks, pusher, tenants);
		api_server_reload_tls(http);
	}
	log_info("ddnsd: %s received, shutting down (up to %u s)",
		 strsignal(sig), cfg.shutdown_timeout);
	ddns_sd_notify("STOPPING=1");
	api_ready_stop();
	api_health_set(false, "shutting down");
	ret = CLI_EXIT_OK;
out:
	/* Requests and the current DNS batch drain together, both bounded. */
	deadline = ddns_now_ms() + (long long)cfg.shutdown_timeout * 1000;
	dns_pusher_request_stop(pusher);
	dns_pusher_request_stop(tenants);
	dns_reconciler_request_stop(reconciler);
	api_ready_stop();
	api_server_stop(http, cfg.shutdown_timeout);
	/* Idle threads end at once: give them that even at the deadline. */
	if (deadline < ddns_now_ms() + SERVE_THREAD_GRACE_MS)
		deadline = ddns_now_ms() + SERVE_THREAD_GRACE_MS;
	/* A thread still in an exchange keeps using ks until the exit. */
	stuck = dns_reconciler_stop(reconciler, deadline) != 0;
	stuck |= dns_pusher_stop(pusher, deadline) != 0;
	stuck |= dns_pusher_stop(tenants, deadline) != 0;
	if (!stuck)
		dns_keystore_free(ks);
	http_opts_free(&ho);
	if (ret == CLI_EXIT_OK)
		log_info("ddnsd: stopped");
	return ret;
}

/* Reads a PEM file named by environment variable var into *out (caller
 * frees). Prints the error and returns CLI_EXIT_USAGE on failure. */
static int
read_pem(const char *var, const char *path, char **out)
{
	FILE *f;
	char *buf = NULL;
	size_t n;
	int ret = CLI_EXIT_USAGE;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "ddnsd: %s: %s: %s\n", var, path,
			strerror(errno));
		return CLI_EXIT_USAGE;
	}
	if ((buf = malloc(PEM_MAX + 1)) == NULL)
		goto out;
	n = fread(buf, 1, PEM_MAX + 1, f);
	if (ferror(f) || n == 0 || n > PEM_MAX) {
		fprintf(stderr, "ddnsd: %s: %s: %s\n", var, path,
			ferror(f) ? strerror(errno)
			: n == 0  ? "empty file"
				  : "larger than 1 MiB");
		goto out;
	}
	buf[n] = '\0';
	if (strstr(buf, "-----BEGIN ") == NULL) {
		fprintf(stderr, "ddnsd: %s: %s: not a PEM file\n", var, path);
		goto out;
	}
	*out = buf;
	buf = NULL;
	ret = 0;
out:
	if (buf != NULL)
		sodium_memzero(buf, PEM_MAX + 1);
	free(buf);
	fclose(f);
	return ret;
}

/* Trusted proxies and TLS material for the HTTP server. */
static int
http_opts(const struct ddns_config *cfg, struct ddns_netlist *px,
	  struct api_server_opts *o)
{
	char *cert = NULL, *key = NULL;
	int ret;

	memset(o, 0, sizeof(*o));
	ret = ddns_netlist_parse(cfg->trusted_proxies, px);
	if (ret != 0) {
		fprintf(stderr,
			"ddnsd: DDNS_TRUSTED_PROXIES: %s (expected a list of "
			"ADDRESS[/PREFIX], at most %d)\n",
			ret == DDNS_ENOSPC ? "too many networks"
					   : "not a network",
			API_PROXIES_MAX);
		return CLI_EXIT_USAGE;
	}
	o->proxies = px;
	if (cfg->tls_cert == NULL)
		return 0;
	if ((ret = read_pem("DDNS_TLS_CERT", cfg->tls_cert, &cert)) != 0 ||
	    (ret = read_pem("DDNS_TLS_KEY", cfg->tls_key, &key)) != 0) {
		free(cert);
		return ret;
	}
	o->tls_cert_pem = cert;
	o->tls_key_pem = key;
	return 0;
}

static void
http_opts_free(struct api_server_opts *o)
{
	char *key = (char *)(uintptr_t)o->tls_key_pem;

	if (key != NULL)
		sodium_memzero(key, strlen(key));
	free(key);
	free((char *)(uintptr_t)o->tls_cert_pem);
	o->tls_cert_pem = o->tls_key_pem = NULL;
}
