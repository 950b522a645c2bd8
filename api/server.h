/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server (libmicrohttpd, thread pool, optional TLS). Routes
 * requests to the handlers, gives each an X-Request-Id, picks the client
 * address (api/clientip.h), counts metrics and writes one structured access
 * log line per request, without query strings or secrets.
 */
#ifndef DDNS_API_SERVER_H
#define DDNS_API_SERVER_H

#include "api/clientip.h"
#include "common/config.h"

struct api_server;

struct api_server_opts {
	const struct ddns_netlist *proxies; /* copied; NULL: trust nobody */
	const char *tls_cert_pem; /* PEM text; both NULL: plain HTTP; copied */
	const char *tls_key_pem;
};

/* Starts listening on cfg->listen_addr:listen_port with http_threads
 * threads. Returns NULL on failure (logged). */
struct api_server *api_server_start(const struct ddns_config *cfg,
				    const struct api_server_opts *opts);

/*
 * SIGHUP: reads DDNS_TLS_CERT and DDNS_TLS_KEY again; new connections get
 * the new certificate, connections in flight keep theirs. Files that do
 * not parse, or a key that does not match, are logged and the certificate
 * in use stays. No-op without TLS or for NULL.
 */
void api_server_reload_tls(struct api_server *s);

/*
 * Graceful stop: stops accepting connections, lets requests in flight
 * finish (answers then carry "Connection: close") for up to timeout_s
 * seconds, then closes every connection and frees. NULL-safe.
 */
void api_server_stop(struct api_server *s, unsigned timeout_s);

#endif
