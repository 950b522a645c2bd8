/* SPDX-License-Identifier: MIT */
/*
 * Configuration from the environment. Every variable is documented in
 * README.md; defaults are set by ddns_config_load().
 */
#ifndef DDNS_COMMON_CONFIG_H
#define DDNS_COMMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct ddns_config {
	const char *database_url;   /* DDNS_DATABASE_URL (required) */
	const char *listen;         /* DDNS_LISTEN, "addr:port" */
	char listen_addr[64];
	unsigned listen_port;
	const char *tsig_key_file;  /* DDNS_TSIG_KEY_FILE (serve) */
	const char *token_pepper;   /* DDNS_TOKEN_PEPPER, may be NULL */
	unsigned http_threads;      /* DDNS_HTTP_THREADS */
	unsigned push_interval_ms;  /* DDNS_PUSH_INTERVAL_MS */
	unsigned push_batch;        /* DDNS_PUSH_BATCH */
	unsigned dns_timeout_ms;    /* DDNS_DNS_TIMEOUT_MS */
	const char *log_level;      /* DDNS_LOG_LEVEL */
};

enum ddns_config_need {
	DDNS_NEED_DB = 1,
	DDNS_NEED_KEYS = 2,
	DDNS_NEED_LISTEN = 4,
};

/*
 * Fills cfg from the environment. need is a mask of what the command
 * requires. On error writes a one-line message naming the variable into
 * err and returns DDNS_ECONFIG. Strings point into the environment.
 */
int ddns_config_load(struct ddns_config *cfg, int need, char *err,
		     size_t errsz);

#endif
