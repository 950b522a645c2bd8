/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server's connections: a cap per client prefix (IPv4 address,
 * IPv6 /64, so one /64 cannot take every slot; trusted proxies are
 * exempt, they carry many clients) and a deadline for request headers,
 * shorter than the idle keep-alive timeout, so a client that trickles its
 * headers in a byte at a time is cut off although it is never idle for
 * long (libmicrohttpd's timeout counts idleness only). Thread-safe.
 */
#ifndef DDNS_API_CONNS_H
#define DDNS_API_CONNS_H

#include <stdbool.h>

#include "api/clientip.h"

struct api_conns;
struct api_conn; /* one open connection */

struct api_conns_opts {
	const struct ddns_netlist *trusted; /* copied; NULL: none */
	unsigned per_prefix_max;            /* 0: no limit */
	unsigned header_timeout_s;          /* request line + headers, from the
				    * connection or the request line */
	unsigned idle_timeout_s; /* between requests on a connection */
};

/* NULL on allocation failure. Starts no thread. */
struct api_conns *api_conns_new(const struct api_conns_opts *o);

/* Stops the sweeper (if started) and frees. Every connection must be
 * closed (api_conns_closed) before. NULL-safe. */
void api_conns_free(struct api_conns *cs);

/* Starts a thread that calls api_conns_sweep() every 250 ms. 0 or
 * DDNS_ENOMEM. */
int api_conns_start(struct api_conns *cs);

/* May a connection from sa (a struct sockaddr) be accepted now? */
bool api_conns_admit(struct api_conns *cs, const void *sa);

/*
 * A connection was accepted: counts it against its prefix and starts its
 * header deadline. fd is shut down (never closed) when the deadline
 * passes. Returns the record to hand to the calls below, or NULL (out of
 * memory: the connection is then neither counted nor timed).
 */
struct api_conn *api_conns_opened(struct api_conns *cs, int fd, const void *sa);

/* The request line has arrived / the headers are complete / the request
 * is answered (keep-alive: the next request may come). NULL-safe. */
void api_conns_request_line(struct api_conns *cs, struct api_conn *c);
void api_conns_headers_done(struct api_conns *cs, struct api_conn *c);
void api_conns_request_done(struct api_conns *cs, struct api_conn *c);

/* The connection is closed: uncounts and frees c. NULL-safe. */
void api_conns_closed(struct api_conns *cs, struct api_conn *c);

/* Shuts down (SHUT_RDWR) every connection past its header deadline at
 * now_ms (monotonic). Returns how many. */
unsigned api_conns_sweep(struct api_conns *cs, long long now_ms);

/* Open connections counted for the prefix of sa. */
unsigned api_conns_count(struct api_conns *cs, const void *sa);

#endif
