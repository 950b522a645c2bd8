/* SPDX-License-Identifier: MIT */
/*
 * Lists of networks ("10.0.0.0/8, 192.0.2.1 2001:db8::/32") that the
 * operator configures, and whether an address lies in one. Pure functions,
 * no allocation.
 */
#ifndef DDNS_COMMON_NETLIST_H
#define DDNS_COMMON_NETLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/names.h"

#define DDNS_NETLIST_MAX 32

struct ddns_cidr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t bytes[16];
	unsigned prefix;
};

struct ddns_netlist {
	struct ddns_cidr nets[DDNS_NETLIST_MAX];
	size_t n;
};

/*
 * Parses networks separated by commas and/or blanks, each an address with
 * an optional "/prefix" (none: a single host). Host bits beyond the prefix
 * are ignored. NULL or "" is the empty list. Returns 0, or DDNS_EINVAL (a
 * bad entry) or DDNS_ENOSPC (more than DDNS_NETLIST_MAX entries).
 */
int ddns_netlist_parse(const char *list, struct ddns_netlist *out);

/* Parses one "ADDR[/PREFIX]" of len bytes. 0 or DDNS_EINVAL. */
int ddns_cidr_parse(const char *s, size_t len, struct ddns_cidr *out);

/* True if a lies in network c. */
bool ddns_cidr_match(const struct ddns_cidr *c, const struct ddns_addr *a);

/* True if a lies in one of the networks. */
bool ddns_netlist_contains(const struct ddns_netlist *l,
			   const struct ddns_addr *a);

#endif
