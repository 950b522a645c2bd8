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

#define API_PROXIES_MAX 32

struct api_cidr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t bytes[16];
	unsigned prefix;
};

struct api_proxies {
	struct api_cidr nets[API_PROXIES_MAX];
	size_t n;
};

/*
 * Parses a list of networks separated by commas and/or blanks, each an
 * address with an optional "/prefix" (none: a single host), e.g.
 * "10.0.0.0/8, 192.0.2.1 2001:db8::/32". Host bits beyond the prefix are
 * ignored. NULL or "" is the empty list. Returns 0, or DDNS_EINVAL
 * (a bad entry) or DDNS_ENOSPC (more than API_PROXIES_MAX entries).
 */
int api_proxies_parse(const char *list, struct api_proxies *out);

/* True if a lies in one of the networks. */
bool api_proxies_contains(const struct api_proxies *p,
			  const struct ddns_addr *a);

/*
 * Chooses the client address. When peer is not trusted: peer. Otherwise
 * X-Forwarded-For (xff, may be NULL) is read from the right, skipping
 * trusted hops: the first untrusted address is the client; when every
 * entry is trusted, the leftmost; an entry that does not parse stops the
 * walk and the last good hop (or peer) is used. With no usable
 * X-Forwarded-For, a valid X-Real-IP (xri, may be NULL) is used, else peer.
 */
void api_client_addr(const struct api_proxies *p, const struct ddns_addr *peer,
		     const char *xff, const char *xri, struct ddns_addr *out);

#endif
