/* SPDX-License-Identifier: MIT */
/*
 * Asking a zone's primary whether a name already holds records: before a
 * name in a shared zone becomes a host, so that a tenant can never take
 * over a name the operator serves (the zone's NS target, www, mail, the
 * glue of a delegation). One plain query over TCP, bounded by a timeout.
 */
#ifndef DDNS_DNSBACKEND_QUERY_H
#define DDNS_DNSBACKEND_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"
#include "db/placement.h"

/*
 * Queries primary for name (type A, no recursion). NXDOMAIN means nothing
 * is at or below the name: *in_use = false. NOERROR (records of any type,
 * an empty non-terminal above other names, or a referral into a
 * delegation) means *in_use = true. Returns 0, DDNS_EREFUSED /
 * DDNS_ESERVFAIL / DDNS_ERCODE for other answers, DDNS_EMALFORMED, or a
 * transport error (DDNS_ETIMEDOUT, DDNS_ECONNREFUSED, ...).
 */
int dns_name_in_use(const char *primary, const char *name, int timeout_ms,
		    bool *in_use);

/*
 * The check db_host_create() calls (arg: a const unsigned * with the
 * timeout in ms): 0 when name is free at primary, DDNS_ENAMEUSED when it holds
 * records, or dns_name_in_use()'s error.
 */
int dns_name_free_check(void *arg, const char *primary, const char *name);

/*
 * Checks that primary serves zone and accepts key: a TSIG-signed query
 * for the zone's SOA whose answer must be signed with the same key
 * (verified), authoritative (AA) and hold the zone's SOA. Returns 0, or
 * writes the reason in words into why and returns DDNS_EBADKEY (the key
 * is not accepted), DDNS_ENOTAUTH (not authoritative for the zone) or
 * DDNS_ETIMEDOUT (no answer within timeout_ms).
 */
struct dns_tsig_key;
int dns_zone_verify(const char *primary, const struct dns_tsig_key *key,
		    const char *zone, int timeout_ms, char *why, size_t whysz);

/*
 * Asks primary for the type RRset of name (A or AAAA; no recursion) with
 * a TSIG-signed query whose answer must be signed with key (verified),
 * and appends the answer's records of that owner, type and class IN to
 * out (name as given, TTL as served). NXDOMAIN appends nothing: 0.
 * Returns 0, DDNS_EREFUSED / DDNS_ENOTAUTH / DDNS_ESERVFAIL / DDNS_ERCODE,
 * DDNS_EBADSIG / DDNS_EBADKEY / DDNS_EBADTIME / DDNS_ETSIGMISSING,
 * DDNS_EMALFORMED, DDNS_ENOMEM or a transport error.
 */
struct dns_rrlist;
int dns_rrset_query(const char *primary, const struct dns_tsig_key *key,
		    const char *name, uint16_t type, int timeout_ms,
		    struct dns_rrlist *out);

/*
 * The placement rules of the configuration for db_host_create(): its
 * reserved labels and, unless DDNS_NAME_CHECK=off, dns_name_free_check()
 * with DDNS_DNS_TIMEOUT_MS.
 * cfg must outlive out. The CLI and the REST API both use this.
 */
void dns_placement_rules(const struct ddns_config *cfg,
			 struct db_placement_rules *out);

#endif
