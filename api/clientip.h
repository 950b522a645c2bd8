/* SPDX-License-Identifier: MIT */
/*
 * The client address of a request: the TCP peer, unless the peer is one of
 * the trusted reverse proxies (DDNS_TRUSTED_PROXIES), in which case the
 * address it forwards in X-Forwarded-For (or X-Real-IP) is believed. Pure
 * functions, no allocation.
 */
#ifndef DDNS_API_CLIENTIP_H
#define DDNS_API_CLIENTIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/names.h"
#include "common/netlist.h"

/*
 * The trusted proxies are a network list (common/netlist.h): parsed with
 * ddns_netlist_parse(), looked up with ddns_netlist_contains().
 */
#define API_PROXIES_MAX DDNS_NETLIST_MAX

/*
 * Chooses the client address. When peer is not trusted: peer. Otherwise
 * X-Forwarded-For (xff, may be NULL: no such header) is read from the
 * right, skipping trusted hops: the first untrusted address is the client;
 * when every entry is trusted, the leftmost; an entry that does not parse
 * stops the walk and the last good hop (or peer) is used. X-Real-IP (xri,
 * may be NULL) is believed only when there is no X-Forwarded-For at all
 * (NULL or blank): a proxy that appends to X-Forwarded-For (nginx
 * $proxy_add_x_forwarded_for, HAProxy "option forwardfor") may pass a
 * client's own X-Real-IP through, which must not beat the proxy's entry.
 */
void api_client_addr(const struct ddns_netlist *p, const struct ddns_addr *peer,
		     const char *xff, const char *xri, struct ddns_addr *out);

/* Longest X-Forwarded-For list kept: all lines joined (431 beyond 8 KiB). */
#define API_XFF_MAX 8192

/*
 * The forwarding headers of one request, as collected line by line from
 * the parser. RFC 9110 5.3: several lines of a list field are one list,
 * in order; they are joined with ", ". X-Real-IP is a single value: when
 * it comes more than once it is not used (which line is the proxy's
 * cannot be told).
 */
struct api_fwd {
	char xff[API_XFF_MAX + 1];
	size_t xff_len;
	bool xff_seen;     /* at least one non-blank X-Forwarded-For line */
	bool xff_overflow; /* longer than API_XFF_MAX: the list is not used */
	const char *xri;   /* the X-Real-IP line (not copied) */
	unsigned xri_lines;
};

/* Starts an empty collection. */
void api_fwd_init(struct api_fwd *f);

/*
 * Adds one header line (name case-insensitive; other names are ignored).
 * value must stay valid while f is used for X-Real-IP.
 */
void api_fwd_add(struct api_fwd *f, const char *name, const char *value,
		 size_t value_len);

/* api_client_addr() with what f collected. */
void api_client_addr_fwd(const struct ddns_netlist *p,
			 const struct ddns_addr *peer, const struct api_fwd *f,
			 struct ddns_addr *out);

#endif
