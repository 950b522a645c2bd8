/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/names.h"

static int env_uint(const char *name, unsigned def, unsigned min, unsigned max,
		    unsigned *out, char *err, size_t errsz);
static int parse_listen_one(const char *s, const char *e,
			    struct ddns_listen *l);
static int parse_listen(struct ddns_config *cfg, char *err, size_t errsz);
static const char *env_str(const char *name);
static int ops_env(struct ddns_config *cfg, char *err, size_t errsz);
static int limits_env(struct ddns_config *cfg, char *err, size_t errsz);
static int rest_env(struct ddns_config *cfg, char *err, size_t errsz);
static int console_env(struct ddns_config *cfg, char *err, size_t errsz);
static int router_env(struct ddns_config *cfg, char *err, size_t errsz);
static int check_names(const char *list, const char *var, char *err,
		       size_t errsz);

static int
env_uint(const char *name, unsigned def, unsigned min, unsigned max,
	 unsigned *out, char *err, size_t errsz)
{
	const char *s = getenv(name);
	unsigned long v;
	char *end;

	if (s == NULL || *s == '\0') {
		*out = def;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || s[0] == '-' || v < min || v > max) {
		snprintf(err, errsz, "%s: must be an integer in %u..%u", name,
			 min, max);
		return DDNS_ECONFIG;
	}
	*out = (unsigned)v;
	return 0;
}

/* One "ADDRESS:PORT" of DDNS_LISTEN, [s, e). */
static int
parse_listen_one(const char *s, const char *e, struct ddns_listen *l)
{
	const char *colon = NULL, *host = s;
	size_t hlen;
	unsigned char tmp[16];
	unsigned long port = 0;

	for (const char *p = s; p < e; p++)
		if (*p == ':')
			colon = p;
	if (colon == NULL)
		return -1;
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(l->addr))
		return -1;
	memcpy(l->addr, host, hlen);
	l->addr[hlen] = '\0';
	if (inet_pton(AF_INET, l->addr, tmp) == 1 && host == s)
		l->family = AF_INET;
	else if (inet_pton(AF_INET6, l->addr, tmp) == 1 && host != s)
		l->family = AF_INET6;
	else
		return -1;
	if (colon + 1 == e || e - colon > 6)
		return -1;
	for (const char *p = colon + 1; p < e; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (port == 0 || port > 65535)
		return -1;
	l->port = (unsigned)port;
	l->v6only = true;
	return 0;
}

/*
 * DDNS_LISTEN: a comma list. "[::]:PORT" serves IPv4 clients too, unless
 * an IPv4 address is listed on the same port (then that one serves them).
 */
static int
parse_listen(struct ddns_config *cfg, char *err, size_t errsz)
{
	const char *s = cfg->listen, *e, *bad = NULL;
	struct ddns_listen *l;
	unsigned char a[16], b[16];
	size_t i, j;

	cfg->nlisten = 0;
	for (;;) {
		s += strspn(s, " \t");
		e = s + strcspn(s, ",");
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (cfg->nlisten == DDNS_LISTEN_MAX) {
			snprintf(err, errsz,
				 "DDNS_LISTEN: more than %d "
				 "addresses",
				 DDNS_LISTEN_MAX);
			return DDNS_ECONFIG;
		}
		l = &cfg->listens[cfg->nlisten];
		if (parse_listen_one(s, e, l) != 0) {
			bad = s;
			break;
		}
		cfg->nlisten++;
		s = e + strspn(e, " \t");
		if (*s == '\0')
			break;
		s++; /* the comma */
	}
	if (bad != NULL) {
		snprintf(err, errsz,
			 "DDNS_LISTEN: expected ADDRESS:PORT[,ADDRESS:PORT...] "
			 "with literal IPv4 or [IPv6] addresses, got \"%.*s\"",
			 (int)(strcspn(bad, ",") > 80 ? 80 : strcspn(bad, ",")),
			 bad);
		return DDNS_ECONFIG;
	}
	for (i = 0; i < cfg->nlisten; i++) {
		l = &cfg->listens[i];
		inet_pton(l->family, l->addr, a);
		for (j = 0; j < i; j++) {
			inet_pton(cfg->listens[j].family, cfg->listens[j].addr,
				  b);
			if (cfg->listens[j].family == l->family &&
			    cfg->listens[j].port == l->port &&
			    memcmp(a, b, l->family == AF_INET ? 4 : 16) == 0) {
				snprintf(err, errsz,
					 "DDNS_LISTEN: %s port %u "
					 "is listed twice",
					 l->addr, l->port);
				return DDNS_ECONFIG;
			}
		}
		if (l->family != AF_INET6 || memcmp(a, &in6addr_any, 16) != 0)
			continue;
		l->v6only = false;
		for (j = 0; j < cfg->nlisten; j++)
			if (cfg->listens[j].family == AF_INET &&
			    cfg->listens[j].port == l->port)
				l->v6only = true;
	}
	memcpy(cfg->listen_addr, cfg->listens[0].addr,
	       sizeof(cfg->listen_addr));
	cfg->listen_port = cfg->listens[0].port;
	return 0;
}

/* An unset and an empty variable are the same: NULL. */
static const char *
env_str(const char *name)
{
	const char *s = getenv(name);

	return (s != NULL && *s != '\0') ? s : NULL;
}

/* Operations settings: log format, metrics, shutdown, TLS, proxies. */
static int
ops_env(struct ddns_config *cfg, char *err, size_t errsz)
{
	cfg->log_format = env_str("DDNS_LOG_FORMAT");
	if (cfg->log_format == NULL || strcmp(cfg->log_format, "json") == 0) {
		cfg->log_format = "json";
		ddns_log_set_format(DDNS_LOG_JSON);
	} else if (strcmp(cfg->log_format, "text") == 0) {
		ddns_log_set_format(DDNS_LOG_TEXT);
	} else {
		snprintf(err, errsz, "DDNS_LOG_FORMAT: expected json or text");
		return DDNS_ECONFIG;
	}
	cfg->metrics_token = env_str("DDNS_METRICS_TOKEN");
	cfg->tls_cert = env_str("DDNS_TLS_CERT");
	cfg->tls_key = env_str("DDNS_TLS_KEY");
	if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
		snprintf(err, errsz,
			 "%s: not set, but %s is (set both for "
			 "TLS, or neither)",
			 cfg->tls_cert ? "DDNS_TLS_KEY" : "DDNS_TLS_CERT",
			 cfg->tls_cert ? "DDNS_TLS_CERT" : "DDNS_TLS_KEY");
		return DDNS_ECONFIG;
	}
	cfg->trusted_proxies = env_str("DDNS_TRUSTED_PROXIES");
	if (cfg->trusted_proxies == NULL)
		cfg->trusted_proxies = "";
	return 0;
}

/* Abuse and connection limits. */
static int
limits_env(struct ddns_config *cfg, char *err, size_t errsz)
{
	int ret;

	if ((ret = env_uint("DDNS_HOST_CHANGE_BURST", 10, 0, 100000,
			    &cfg->host_change_burst, err, errsz)) ||
	    (ret = env_uint("DDNS_HOST_CHANGE_WINDOW_S", 600, 1, 86400,
			    &cfg->host_change_window_s, err, errsz)) ||
	    (ret = env_uint("DDNS_HOST_NOCHG_PER_MIN", 60, 0, 1000000,
			    &cfg->host_nochg_per_min, err, errsz)) ||
	    (ret = env_uint("DDNS_AUTH_FAIL_MAX", 10, 0, 1000000,
			    &cfg->auth_fail_max, err, errsz)) ||
	    (ret = env_uint("DDNS_AUTH_FAIL_WINDOW_S", 900, 1, 86400,
			    &cfg->auth_fail_window_s, err, errsz)) ||
	    (ret = env_uint("DDNS_LOGIN_FAIL_MAX", 20, 0, 1000000,
			    &cfg->login_fail_max, err, errsz)) ||
	    (ret = env_uint("DDNS_LOGIN_FAIL_WINDOW_S", 900, 1, 86400,
			    &cfg->login_fail_window_s, err, errsz)) ||
	    (ret = env_uint("DDNS_MAX_TOKENS_PER_HOST", 10, 1, 10000,
			    &cfg->max_tokens_per_host, err, errsz)) ||
	    (ret = env_uint("DDNS_MAX_TOKENS_PER_ACCOUNT", 50, 1, 10000,
			    &cfg->max_tokens_per_account, err, errsz)) ||
	    (ret = env_uint("DDNS_MAX_CONN_PER_IP", 64, 0, 100000,
			    &cfg->max_conn_per_ip, err, errsz)) ||
	    (ret = env_uint("DDNS_CONN_TIMEOUT_S", 30, 1, 3600,
			    &cfg->conn_timeout_s, err, errsz)) ||
	    (ret = env_uint("DDNS_HEADER_TIMEOUT_S", 10, 1, 3600,
			    &cfg->header_timeout_s, err, errsz)) ||
	    (ret = env_uint("DDNS_MAX_CONNECTIONS", 16384, 16, 1000000,
			    &cfg->max_connections, err, errsz)))
		return ret;
	return 0;
}

/* REST API: self-signup, TTL bounds, history retention. */
static int
rest_env(struct ddns_config *cfg, char *err, size_t errsz)
{
	const char *s = env_str("DDNS_SIGNUP");
	int ret;

	if (s != NULL && strcmp(s, "open") != 0 && strcmp(s, "closed") != 0) {
		snprintf(err, errsz, "DDNS_SIGNUP: expected open or closed");
		return DDNS_ECONFIG;
	}
	cfg->signup_open = s != NULL && strcmp(s, "open") == 0;
	if ((ret = env_uint("DDNS_TTL_MIN", 60, 1, 86400, &cfg->ttl_min, err,
			    errsz)) ||
	    (ret = env_uint("DDNS_TTL_MAX", 86400, 1, 86400, &cfg->ttl_max, err,
			    errsz)) ||
	    (ret = env_uint("DDNS_EVENTS_MAX_AGE_DAYS", 90, 1, 36500,
			    &cfg->events_max_age_days, err, errsz)) ||
	    (ret = env_uint("DDNS_EVENTS_MAX_PER_HOST", 1000, 1, 1000000,
			    &cfg->events_max_per_host, err, errsz)))
		return ret;
	if (cfg->ttl_min > cfg->ttl_max) {
		snprintf(err, errsz, "DDNS_TTL_MIN: greater than DDNS_TTL_MAX");
		return DDNS_ECONFIG;
	}
	s = env_str("DDNS_NAME_CHECK");
	if (s != NULL && strcmp(s, "dns") != 0 && strcmp(s, "off") != 0) {
		snprintf(err, errsz, "DDNS_NAME_CHECK: expected dns or off");
		return DDNS_ECONFIG;
	}
	cfg->name_check_dns = s == NULL || strcmp(s, "dns") == 0;
	cfg->secret_key_file = env_str("DDNS_SECRET_KEY_FILE");
	cfg->secret_key_file_old = env_str("DDNS_SECRET_KEY_FILE_OLD");
	cfg->zone_primary_allow = env_str("DDNS_ZONE_PRIMARY_ALLOW");
	if (cfg->secret_key_file_old != NULL && cfg->secret_key_file == NULL) {
		snprintf(err, errsz,
			 "DDNS_SECRET_KEY_FILE: not set, but "
			 "DDNS_SECRET_KEY_FILE_OLD is");
		return DDNS_ECONFIG;
	}
	if ((ret = env_uint("DDNS_MAX_ZONES_PER_ACCOUNT", 5, 0, 10000,
			    &cfg->max_zones_per_account, err, errsz)) != 0)
		return ret;
	s = getenv("DDNS_RESERVED_NAMES");
	if (ddns_reserved_parse(s != NULL ? s : DDNS_RESERVED_DEFAULT,
				&cfg->reserved) != 0) {
		snprintf(err, errsz,
			 "DDNS_RESERVED_NAMES: expected labels separated by "
			 "commas, each optionally ending in # (digits follow) "
			 "or * (anything follows), at most %d",
			 DDNS_RESERVED_MAX);
		return DDNS_ECONFIG;
	}
	return 0;
}

/* Web console: on or off, session lifetimes. */
static int
console_env(struct ddns_config *cfg, char *err, size_t errsz)
{
	const char *s = env_str("DDNS_CONSOLE");
	int ret;

	if (s != NULL && strcmp(s, "on") != 0 && strcmp(s, "off") != 0) {
		snprintf(err, errsz, "DDNS_CONSOLE: expected on or off");
		return DDNS_ECONFIG;
	}
	cfg->console_on = s == NULL || strcmp(s, "on") == 0;
	if ((ret = env_uint("DDNS_SESSION_IDLE_S", 3600, 60, 2592000,
			    &cfg->session_idle_s, err, errsz)) ||
	    (ret = env_uint("DDNS_SESSION_MAX_S", 43200, 60, 31536000,
			    &cfg->session_max_s, err, errsz)))
		return ret;
	if (cfg->session_idle_s > cfg->session_max_s) {
		snprintf(
			err, errsz,
			"DDNS_SESSION_IDLE_S: greater than DDNS_SESSION_MAX_S");
		return DDNS_ECONFIG;
	}
	return 0;
}

/* Every entry of a comma or space separated list is a host name. */
static int
check_names(const char *list, const char *var, char *err, size_t errsz)
{
	char name[DDNS_NAME_MAX + 1];
	const char *p = list;
	size_t n;

	for (;;) {
		p += strspn(p, ", \t");
		if (*p == '\0')
			return 0;
		n = strcspn(p, ", \t");
		if (ddns_name_normalize(p, n, name, sizeof(name)) != 0) {
			snprintf(err, errsz, "%s: \"%.*s\" is not a host name",
				 var, (int)(n > 64 ? 64 : n), p);
			return DDNS_ECONFIG;
		}
		p += n;
	}
}

/* Router-facing settings: checkip host names and rate, public URL. */
static int
router_env(struct ddns_config *cfg, char *err, size_t errsz)
{
	const char *u;
	int ret;

	cfg->checkip_hosts = env_str("DDNS_CHECKIP_HOSTS");
	if (cfg->checkip_hosts == NULL)
		cfg->checkip_hosts = "";
	if ((ret = check_names(cfg->checkip_hosts, "DDNS_CHECKIP_HOSTS", err,
			       errsz)) != 0 ||
	    (ret = env_uint("DDNS_CHECKIP_PER_MIN", 60, 0, 1000000,
			    &cfg->checkip_per_min, err, errsz)) != 0)
		return ret;
	u = cfg->public_url = env_str("DDNS_PUBLIC_URL");
	if (u != NULL &&
	    ((strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) ||
	     strlen(u) > 200 || strpbrk(u, " \t\"'<>\\?#") != NULL ||
	     u[strlen(u) - 1] == '/' || u[strlen(u) - 1] == ':' ||
	     strchr(u + 8, '/') != NULL || strchr(u, '@') != NULL)) {
		snprintf(err, errsz,
			 "DDNS_PUBLIC_URL: expected http://HOST[:PORT] "
			 "or https://HOST[:PORT], no path");
		return DDNS_ECONFIG;
	}
	return 0;
}

int
ddns_config_load(struct ddns_config *cfg, int need, char *err, size_t errsz)
{
	const char *s;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->database_url = getenv("DDNS_DATABASE_URL");
	if ((need & DDNS_NEED_DB) &&
	    (cfg->database_url == NULL || *cfg->database_url == '\0')) {
		snprintf(err, errsz,
			 "DDNS_DATABASE_URL: not set (a libpq URI "
			 "or conninfo string)");
		return DDNS_ECONFIG;
	}
	cfg->tsig_key_file = getenv("DDNS_TSIG_KEY_FILE");
	if ((need & DDNS_NEED_KEYS) &&
	    (cfg->tsig_key_file == NULL || *cfg->tsig_key_file == '\0')) {
		snprintf(err, errsz,
			 "DDNS_TSIG_KEY_FILE: not set (path of a "
			 "BIND-style TSIG key file)");
		return DDNS_ECONFIG;
	}
	s = getenv("DDNS_LISTEN");
	cfg->listen = (s != NULL && *s != '\0') ? s : "127.0.0.1:8080";
	if ((need & DDNS_NEED_LISTEN) &&
	    (ret = parse_listen(cfg, err, errsz)) != 0)
		return ret;
	cfg->token_pepper = getenv("DDNS_TOKEN_PEPPER");
	if ((ret = env_uint("DDNS_HTTP_THREADS", 4, 1, 64, &cfg->http_threads,
			    err, errsz)) ||
	    (ret = env_uint("DDNS_PUSH_INTERVAL_MS", 2000, 50, 600000,
			    &cfg->push_interval_ms, err, errsz)) ||
	    (ret = env_uint("DDNS_PUSH_BATCH", 200, 1, 1000, &cfg->push_batch,
			    err, errsz)) ||
	    (ret = env_uint("DDNS_PUSH_THREADS", 2, 1, 16, &cfg->push_threads,
			    err, errsz)) ||
	    (ret = env_uint("DDNS_PUSH_TENANT_THREADS", 2, 1, 16,
			    &cfg->push_tenant_threads, err, errsz)) ||
	    (ret = env_uint("DDNS_DNS_TIMEOUT_MS", 3000, 100, 60000,
			    &cfg->dns_timeout_ms, err, errsz)) ||
	    (ret = env_uint("DDNS_RECONCILE_INTERVAL", 0, 0, 604800,
			    &cfg->reconcile_interval_s, err, errsz)) ||
	    (ret = env_uint("DDNS_SHUTDOWN_TIMEOUT", 10, 0, 3600,
			    &cfg->shutdown_timeout, err, errsz)) ||
	    (ret = ops_env(cfg, err, errsz)) ||
	    (ret = limits_env(cfg, err, errsz)) ||
	    (ret = rest_env(cfg, err, errsz)) ||
	    (ret = console_env(cfg, err, errsz)) ||
	    (ret = router_env(cfg, err, errsz)))
		return ret;
	s = getenv("DDNS_LOG_LEVEL");
	cfg->log_level = (s != NULL && *s != '\0') ? s : "info";
	if (strcmp(cfg->log_level, "debug") == 0)
		ddns_log_set_level(DDNS_LOG_DEBUG);
	else if (strcmp(cfg->log_level, "info") == 0)
		ddns_log_set_level(DDNS_LOG_INFO);
	else if (strcmp(cfg->log_level, "warn") == 0)
		ddns_log_set_level(DDNS_LOG_WARN);
	else if (strcmp(cfg->log_level, "error") == 0)
		ddns_log_set_level(DDNS_LOG_ERROR);
	else {
		snprintf(err, errsz,
			 "DDNS_LOG_LEVEL: expected debug, info, "
			 "warn or error");
		return DDNS_ECONFIG;
	}
	return 0;
}
