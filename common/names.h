/* SPDX-License-Identifier: MIT */
/*
 * Validation of outside input that every module shares: host names and
 * IP addresses. Pure functions, no allocation.
 */
#ifndef DDNS_COMMON_NAMES_H
#define DDNS_COMMON_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DDNS_NAME_MAX 253 /* presentation form, without trailing dot */

/*
 * Normalises a host name into out (size >= DDNS_NAME_MAX + 1): lower case,
 * one trailing dot removed. Rules: total length <= 253, at least two labels,
 * each label 1..63 characters of [a-z0-9-] not starting or ending with '-'.
 * len is the input length (input need not be NUL-terminated; an embedded
 * NUL is invalid). Returns 0 or DDNS_ENOTFQDN.
 */
int ddns_name_normalize(const char *in, size_t len, char *out, size_t outsz);

/* True if name (normalised) equals zone or ends with "." zone. */
bool ddns_name_in_zone(const char *name, const char *zone);

/* A parsed address of one family. */
struct ddns_addr {
	int family;        /* AF_INET or AF_INET6 */
	uint8_t bytes[16]; /* 4 used for AF_INET */
};

/*
 * Parses one address as a router sends it: dotted IPv4, or IPv6 with an
 * optional "/prefixlen" (0..128) that is dropped. An IPv4-mapped IPv6
 * address becomes IPv4. Rejected: unspecified (0.0.0.0, ::), multicast,
 * scoped ("%eth0"), empty, over-long, anything inet_pton refuses.
 * Returns 0 or DDNS_EBADADDR.
 */
int ddns_addr_parse(const char *in, size_t len, struct ddns_addr *out);

/* Converts a socket address (AF_INET/AF_INET6) into a ddns_addr
 * (IPv4-mapped becomes IPv4). Returns 0 or DDNS_EBADADDR. */
int ddns_addr_from_sockaddr(const void *sa, struct ddns_addr *out);

/* Writes the presentation form into out (size >= 46). */
void ddns_addr_format(const struct ddns_addr *a, char *out, size_t outsz);

#endif
