/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/errors.h"
#include "common/log.h"

static int env_uint(const char *name, unsigned def, unsigned min,
		    unsigned max, unsigned *out, char *err, size_t errsz);
static int parse_listen(struct ddns_config *cfg, char *err, size_t errsz);

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

static int
parse_listen(struct ddns_config *cfg, char *err, size_t errsz)
{
	const char *s = cfg->listen, *colon, *host;
	size_t hlen;
	unsigned char tmp[16];
	unsigned long port;
	char *end;

	colon = strrchr(s, ':');
	if (colon == NULL)
		goto bad;
	host = s;
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(cfg->listen_addr))
		goto bad;
	memcpy(cfg->listen_addr, host, hlen);
	cfg->listen_addr[hlen] = '\0';
	if (inet_pton(AF_INET, cfg->listen_addr, tmp) != 1 &&
	    inet_pton(AF_INET6, cfg->listen_addr, tmp) != 1)
		goto bad;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || colon[1] == '\0' || port == 0 ||
	    port > 65535)
		goto bad;
	cfg->listen_port = (unsigned)port;
	return 0;
bad:
	snprintf(err, errsz,
		 "DDNS_LISTEN: expected ADDRESS:PORT with a literal IPv4 or "
		 "[IPv6] address, got \"%s\"",
		 s);
	return DDNS_ECONFIG;
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
		snprintf(err, errsz, "DDNS_DATABASE_URL: not set (a libpq URI "
				     "or conninfo string)");
		return DDNS_ECONFIG;
	}
	cfg->tsig_key_file = getenv("DDNS_TSIG_KEY_FILE");
	if ((need & DDNS_NEED_KEYS) &&
	    (cfg->tsig_key_file == NULL || *cfg->tsig_key_file == '\0')) {
		snprintf(err, errsz, "DDNS_TSIG_KEY_FILE: not set (path of a "
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
	    (ret = env_uint("DDNS_DNS_TIMEOUT_MS", 3000, 100, 60000,
			    &cfg->dns_timeout_ms, err, errsz)))
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
		snprintf(err, errsz, "DDNS_LOG_LEVEL: expected debug, info, "
				     "warn or error");
		return DDNS_ECONFIG;
	}
	return 0;
}
