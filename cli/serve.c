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
#include "cli/cli.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/log.h"
#include "db/conn.h"
#include "db/migrate.h"
#include "dnsbackend/keyfile.h"
#include "dnsbackend/keystore.h"
#include "dnsbackend/pusher.h"
#include "dnsbackend/reconcile.h"

static void pusher_opts(const struct ddns_config *cfg,
			struct dns_keystore *ks, struct dns_pusher_opts *o);
static int read_pem(const char *var, const char *path, char **out);
static int http_opts(const struct ddns_config *cfg, struct api_proxies *px,
		     struct api_server_opts *o);
static void http_opts_free(struct api_server_opts *o);
static const char *ready_check(struct db_conn **db);
static void *ready_main(void *arg);
static int ready_start(const char *url);
static void ready_stop(void);
static int healthcheck_get(const struct ddns_config *cfg);

#define PEM_MAX (1024 * 1024)
#define SERVE_THREAD_GRACE_MS 250

/* The readiness loop: one thread, its own PostgreSQL connection. */
static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop, running;
	const char *url;
} ready = { .lock = PTHREAD_MUTEX_INITIALIZER };

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

/* SIGHUP: the key file again; on any error the keys in use stay. */
static void
reload_keys(const struct ddns_config *cfg, struct dns_keystore *ks,
	    struct dns_pusher *pusher)
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
}

static void
pusher_opts(const struct ddns_config *cfg, struct dns_keystore *ks,
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
cli_serve(int argc, char **argv)
{
	struct ddns_config cfg;
	struct dns_keystore *ks = NULL;
	struct dns_pusher_opts po;
	struct dns_pusher *pusher = NULL;
	struct dns_reconciler *reconciler = NULL;
	struct api_server *http = NULL;
	struct api_proxies proxies;
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
	if ((ret = cli_config(&cfg, DDNS_NEED_DB | DDNS_NEED_KEYS |
					    DDNS_NEED_LISTEN)) != 0)
		return ret;
	if ((ret = cli_load_keys(&cfg, &ks)) != 0)
		return ret;
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
	pusher_opts(&cfg, ks, &po);
	if ((pusher = dns_pusher_start(&po)) == NULL)
		goto out;
	if (cfg.reconcile_interval_s > 0 &&
	    (reconciler = dns_reconciler_start(cfg.database_url, ks,
					       cfg.reconcile_interval_s,
					       cfg.dns_timeout_ms)) == NULL)
		goto out;
	if ((http = api_server_start(&cfg, &ho)) == NULL)
		goto out;
	/* PostgreSQL may be down: serve anyway, /readyz tells. */
	if (ready_start(cfg.database_url) != 0)
		goto out;
	log_info("ddnsd: serving");
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		reload_keys(&cfg, ks, pusher);
	log_info("ddnsd: %s received, shutting down (up to %u s)",
		 strsignal(sig), cfg.shutdown_timeout);
	ready_stop();
	api_health_set(false, "shutting down");
	ret = CLI_EXIT_OK;
out:
	/* Requests and the current DNS batch drain together, both bounded. */
	deadline = ddns_now_ms() + (long long)cfg.shutdown_timeout * 1000;
	dns_pusher_request_stop(pusher);
	dns_reconciler_request_stop(reconciler);
	ready_stop();
	api_server_stop(http, cfg.shutdown_timeout);
	/* Idle threads end at once: give them that even at the deadline. */
	if (deadline < ddns_now_ms() + SERVE_THREAD_GRACE_MS)
		deadline = ddns_now_ms() + SERVE_THREAD_GRACE_MS;
	/* A thread still in an exchange keeps using ks until the exit. */
	stuck = dns_reconciler_stop(reconciler, deadline) != 0;
	stuck |= dns_pusher_stop(pusher, deadline) != 0;
	if (!stuck)
		dns_keystore_free(ks);
	http_opts_free(&ho);
	if (ret == CLI_EXIT_OK)
		log_info("ddnsd: stopped");
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
	pusher_opts(&cfg, ks, &po);
	ret = dns_pusher_drain(&po) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	dns_keystore_free(ks);
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
http_opts(const struct ddns_config *cfg, struct api_proxies *px,
	  struct api_server_opts *o)
{
	char *cert = NULL, *key = NULL;
	int ret;

	memset(o, 0, sizeof(*o));
	ret = api_proxies_parse(cfg->trusted_proxies, px);
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

/* NULL when ready, else why not. Keeps *db open between checks. */
static const char *
ready_check(struct db_conn **db)
{
	int err, pending;

	if (*db == NULL && (*db = db_connect(ready.url, &err)) == NULL)
		return "postgresql unreachable";
	if (db_migrations_pending(*db, &pending) != 0) {
		db_close(*db);
		*db = NULL;
		return "postgresql unreachable";
	}
	return pending > 0 ? "migrations pending" : NULL;
}

/*
 * Checks every 2 s while ready; while not, retries with backoff from
 * 0.5 s doubling to 5 s, so an outage is noticed and the return quickly
 * seen without hammering a database that is down.
 */
static void *
ready_main(void *arg)
{
	struct db_conn *db = NULL;
	const char *why, *last = "starting";
	unsigned fails = 0;
	long long ms;
	struct timespec ts;

	(void)arg;
	pthread_mutex_lock(&ready.lock);
	while (!ready.stop) {
		pthread_mutex_unlock(&ready.lock);
		why = ready_check(&db);
		if (why != last && (why == NULL || last == NULL ||
				    strcmp(why, last) != 0)) {
			if (why == NULL)
				log_info("ddnsd: ready");
			else
				log_warn("ddnsd: not ready: %s", why);
		}
		api_health_set(why == NULL, why);
		last = why;
		fails = why == NULL ? 0 : fails + 1;
		ms = why == NULL ? 2000 : 500LL << (fails < 4 ? fails - 1 : 3);
		if (ms > 5000)
			ms = 5000;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)(ms / 1000);
		ts.tv_nsec += (long)(ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&ready.lock);
		while (!ready.stop &&
		       pthread_cond_timedwait(&ready.cond, &ready.lock, &ts) !=
			       ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&ready.lock);
	db_close(db);
	return NULL;
}

static int
ready_start(const char *url)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ready.cond, &ca);
	pthread_condattr_destroy(&ca);
	ready.url = url;
	ready.stop = false;
	if (pthread_create(&ready.thread, NULL, ready_main, NULL) != 0) {
		log_error("ddnsd: cannot start the readiness thread");
		return DDNS_ENOMEM;
	}
	ready.running = true;
	return 0;
}

static void
ready_stop(void)
{
	if (!ready.running)
		return;
	pthread_mutex_lock(&ready.lock);
	ready.stop = true;
	pthread_cond_signal(&ready.cond);
	pthread_mutex_unlock(&ready.lock);
	pthread_join(ready.thread, NULL);
	pthread_cond_destroy(&ready.cond);
	ready.running = false;
}

/* GET /healthz on DDNS_LISTEN; with TLS on, a TCP connect only. */
static int
healthcheck_get(const struct ddns_config *cfg)
{
	static const char req[] = "GET /healthz HTTP/1.0\r\n"
				  "Host: localhost\r\n\r\n";
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct timeval tv = { 3, 0 };
	char buf[64];
	ssize_t n;
	socklen_t len;
	int fd, ok = 0;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, cfg->listen_addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)cfg->listen_port);
		/* A wildcard listener answers on loopback. */
		if (sin->sin_addr.s_addr == htonl(INADDR_ANY))
			sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, cfg->listen_addr, &sin6->sin6_addr) ==
		   1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)cfg->listen_port);
		if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	} else {
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, len) != 0)
		goto out;
	if (cfg->tls_cert != NULL) {
		ok = 1;
		goto out;
	}
	if (write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1))
		goto out;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		ok = strncmp(buf, "HTTP/1.", 7) == 0 &&
		     strncmp(buf + 8, " 200 ", 5) == 0;
	}
out:
	close(fd);
	return ok ? 0 : -1;
}

int
cli_healthcheck(int argc, char **argv)
{
	struct ddns_config cfg;
	char err[256];

	(void)argv;
	if (argc != 1)
		return cli_usage("healthcheck takes no arguments");
	/* Only DDNS_LISTEN and the TLS switch matter here. */
	if (ddns_config_load(&cfg, DDNS_NEED_LISTEN, err, sizeof(err)) != 0) {
		fprintf(stderr, "ddnsd: %s\n", err);
		return CLI_EXIT_USAGE;
	}
	if (healthcheck_get(&cfg) != 0) {
		fprintf(stderr, "ddnsd: healthcheck: %s/healthz did not "
				"answer 200\n",
			cfg.listen);
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}
