/* SPDX-License-Identifier: MIT */
/*
 * Which primaries ddnsd may connect to for a tenant's own zone. A tenant
 * names an address that ddnsd will send TCP to, so the service must not
 * become a way into the operator's network: the primary is an IP literal
 * (no name to re-resolve) of a public unicast address on port 53, unless
 * the operator lists its network in DDNS_ZONE_PRIMARY_ALLOW (then any
 * port). The addresses of the service's own PostgreSQL are always
 * refused. Checked at creation, at every change, and before each
 * connection.
 */
#ifndef DDNS_DNSBACKEND_POLICY_H
#define DDNS_DNSBACKEND_POLICY_H

#include <stddef.h>

#include "common/netlist.h"

#define DNS_POLICY_DB_MAX 16

struct dns_primary_policy {
	struct ddns_netlist allow;
	size_t ndb;
	struct ddns_addr db[DNS_POLICY_DB_MAX]; /* PostgreSQL's addresses */
	unsigned db_port[DNS_POLICY_DB_MAX];
};

/*
 * Sets the process-wide policy: allow is DDNS_ZONE_PRIMARY_ALLOW (NULL:
 * empty), database_url the service's own PostgreSQL (its host names are
 * resolved now). Returns 0, or DDNS_ECONFIG with a one-line reason in err.
 */
int dns_policy_init(const char *allow, const char *database_url, char *err,
		    size_t errsz);

/*
 * Whether a tenant's primary ("ADDR:PORT", "[v6]:PORT" or "ADDR") may be
 * contacted under the policy set by dns_policy_init(). Returns 0, or
 * DDNS_EACCES with the reason in why (for the tenant: no internal
 * detail), or DDNS_EINVAL when it is not an IP literal with a port.
 */
int dns_policy_check(const char *primary, char *why, size_t whysz);

#endif
