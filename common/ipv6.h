/* SPDX-License-Identifier: MIT */
/*
 * IPv6 prefixes and interface identifiers: how a device behind a router
 * gets its address from the router's LAN prefix. Pure functions.
 */
#ifndef DDNS_COMMON_IPV6_H
#define DDNS_COMMON_IPV6_H

#include <stdint.h>

/* Clears every bit of the 16-byte address a after the first len (0..128;
 * larger values clear nothing). */
void ddns_ipv6_mask(uint8_t a[16], unsigned len);

/*
 * Writes into out the first len bits of prefix followed by the last
 * 128 - len bits of iid (len 0..128). out may alias either input.
 */
void ddns_ipv6_join(const uint8_t prefix[16], unsigned len,
		    const uint8_t iid[16], uint8_t out[16]);

#endif
