/* SPDX-License-Identifier: MIT */
/*
 * Configuration from the environment. Every variable is documented in
 * README.md; defaults are set by ddns_config_load().
 */
#ifndef DDNS_COMMON_CONFIG_H
#define DDNS_COMMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/placement.h"

#define DDNS_LISTEN_MAX 8

/* One address of DDNS_LISTEN. */
struct ddns_listen {
	char addr[64]; /* literal address, without brackets */
	unsigned port;
	int family;  /* AF_INET or AF_INET6 */
	bool v6only; /* IPv6: IPv6 clients only; false only for "[::]"
			  * when no IPv4 address is listed on its port */
};

struct ddns_config {
	const char *database_url; /* DDNS_DATABASE_URL (required) */
	const char *listen;       /* DDNS_LISTEN, "addr:port[,addr:port]" */
	char listen_addr[64];     /* the first address of the list */
	unsigned listen_port;
	struct ddns_listen listens[DDNS_LISTEN_MAX];
	size_t nlisten;
	const char *tsig_key_file;     /* DDNS_TSIG_KEY_FILE (serve) */
	const char *token_pepper;      /* DDNS_TOKEN_PEPPER, may be NULL */
	unsigned http_threads;         /* DDNS_HTTP_THREADS */
	unsigned push_interval_ms;     /* DDNS_PUSH_INTERVAL_MS */
	unsigned push_batch;           /* DDNS_PUSH_BATCH */
	unsigned push_threads;         /* DDNS_PUSH_THREADS */
	unsigned push_tenant_threads;  /* DDNS_PUSH_TENANT_THREADS */
	unsigned dns_timeout_ms;       /* DDNS_DNS_TIMEOUT_MS */
	unsigned reconcile_interval_s; /* DDNS_RECONCILE_INTERVAL, 0 = off */
	const char *log_level;         /* DDNS_LOG_LEVEL */
	const char *log_format;        /* DDNS_LOG_FORMAT: json or text */
	const char *metrics_token;     /* DDNS_METRICS_TOKEN, may be NULL */
	unsigned shutdown_timeout;     /* DDNS_SHUTDOWN_TIMEOUT, seconds */
	const char *tls_cert;        /* DDNS_TLS_CERT (PEM path), may be NULL */
	const char *tls_key;         /* DDNS_TLS_KEY (PEM path), may be NULL */
	const char *trusted_proxies; /* DDNS_TRUSTED_PROXIES, "" = none */
	/* Abuse limits (0 disables a limit where README says so). */
	unsigned host_change_burst;      /* DDNS_HOST_CHANGE_BURST */
	unsigned host_change_window_s;   /* DDNS_HOST_CHANGE_WINDOW_S */
	unsigned host_nochg_per_min;     /* DDNS_HOST_NOCHG_PER_MIN */
	unsigned auth_fail_max;          /* DDNS_AUTH_FAIL_MAX */
	unsigned auth_fail_window_s;     /* DDNS_AUTH_FAIL_WINDOW_S */
	unsigned login_fail_max;         /* DDNS_LOGIN_FAIL_MAX */
	unsigned login_fail_window_s;    /* DDNS_LOGIN_FAIL_WINDOW_S */
	unsigned max_tokens_per_host;    /* DDNS_MAX_TOKENS_PER_HOST */
	unsigned max_tokens_per_account; /* DDNS_MAX_TOKENS_PER_ACCOUNT */
	unsigned max_conn_per_ip;        /* DDNS_MAX_CONN_PER_IP */
	unsigned conn_timeout_s;         /* DDNS_CONN_TIMEOUT_S */
	unsigned header_timeout_s;       /* DDNS_HEADER_TIMEOUT_S */
	unsigned max_connections;        /* DDNS_MAX_CONNECTIONS */
	/* REST API */
	bool signup_open;              /* DDNS_SIGNUP=open */
	unsigned ttl_min, ttl_max;     /* DDNS_TTL_MIN, DDNS_TTL_MAX */
	unsigned events_max_age_days;  /* DDNS_EVENTS_MAX_AGE_DAYS */
	unsigned events_max_per_host;  /* DDNS_EVENTS_MAX_PER_HOST */
	struct ddns_reserved reserved; /* DDNS_RESERVED_NAMES */
	bool name_check_dns;           /* DDNS_NAME_CHECK=dns (default) */
	/* Web console */
	bool console_on;         /* DDNS_CONSOLE (on unless "off") */
	unsigned session_idle_s; /* DDNS_SESSION_IDLE_S */
	unsigned session_max_s;  /* DDNS_SESSION_MAX_S */
	/* Routers */
	const char *checkip_hosts; /* DDNS_CHECKIP_HOSTS, "" = none */
	unsigned checkip_per_min;  /* DDNS_CHECKIP_PER_MIN, 0 = off */
	const char *public_url;    /* DDNS_PUBLIC_URL, NULL = derived */
	/* Tenants' own zones */
	const char *secret_key_file;     /* DDNS_SECRET_KEY_FILE, may be NULL */
	const char *secret_key_file_old; /* DDNS_SECRET_KEY_FILE_OLD */
	const char *zone_primary_allow;  /* DDNS_ZONE_PRIMARY_ALLOW */
	unsigned max_zones_per_account;  /* DDNS_MAX_ZONES_PER_ACCOUNT */
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
