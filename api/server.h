/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server (libmicrohttpd, thread pool). Routes requests to the
 * handlers and writes the access log without query strings or secrets.
 */
#ifndef DDNS_API_SERVER_H
#define DDNS_API_SERVER_H

#include "common/config.h"

struct api_server;

/* Starts listening on cfg->listen_addr:listen_port with http_threads
 * threads. Returns NULL on failure (logged). */
struct api_server *api_server_start(const struct ddns_config *cfg);

/* Stops accepting, waits for in-flight requests, frees. NULL-safe. */
void api_server_stop(struct api_server *s);

#endif
