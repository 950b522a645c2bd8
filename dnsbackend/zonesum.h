/* SPDX-License-Identifier: MIT */
/*
 * A compact summary of a zone for reconcile: per owner name one 16-byte
 * entry instead of the records themselves, so that a zone of 1,000,000
 * hosts is compared in about 17 MB. An entry holds a keyed hash of the
 * name (libsodium crypto_shorthash, SipHash-2-4, with a random key per
 * summary: no tenant can choose names or records that collide), the sum
 * of keyed hashes of the records reconcile compares at that name (order
 * independent: records of one name may arrive apart in a transfer), and
 * two flags: the name holds A/AAAA records, and a host has claimed it.
 *
 * Which records count at a name (as reconcile compared them before):
 * at "_acme-challenge.<...>" the TXT records (a host's ACME values), at
 * every other name the A and AAAA records; TXT elsewhere is not
 * compared. Host names never start with '_' (common/names.c).
 *
 * Use: dns_zsum_init(), dns_zsum_add() for every record (the AXFR sink
 * dns_zsum_sink()), dns_zsum_finish(), then dns_zsum_get() per host and
 * dns_zsum_foreign(); dns_zsum_free().
 */
#ifndef DDNS_DNSBACKEND_ZONESUM_H
#define DDNS_DNSBACKEND_ZONESUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsbackend/axfr.h"

#define DNS_ZSUM_KEYLEN 16 /* crypto_shorthash_KEYBYTES */

struct dns_zsum_ent {
	uint64_t name; /* keyed hash of the name */
	uint64_t w;    /* digest (multiple of 4) | DNS_ZSUM_F_* */
};

struct dns_zsum {
	uint8_t key[DNS_ZSUM_KEYLEN];
	struct dns_zsum_ent *e; /* owned */
	size_t n, cap;
	uint32_t *dir; /* owned: after finish, the bucket starts */
	unsigned bits; /* bucket = top bits of the name hash */
	size_t nrr;    /* records added (every kept record) */
	bool done;     /* finished: no more adds, lookups allowed */
};

/* Prepares s with a fresh random key. 0 or DDNS_ENOMEM (sodium_init). */
int dns_zsum_init(struct dns_zsum *s);

/* Frees what s holds; leaves it empty. NULL-safe. */
void dns_zsum_free(struct dns_zsum *s);

/* The keyed hash of a name (presentation form, lower case, no dot). */
uint64_t dns_zsum_name(const struct dns_zsum *s, const char *name);

/*
 * One record's share of a digest: a keyed hash of (type, ttl, rdata) with
 * the two flag bits clear. A host's expected digest is the sum (mod 2^64)
 * of the shares of the records it should have.
 */
uint64_t dns_zsum_rr(const struct dns_zsum *s, uint16_t type, uint32_t ttl,
		     const uint8_t *rdata, size_t rdlen);

/*
 * Adds a record of name (counted in s->nrr; folded into the name's entry
 * when its type counts there, see the top). 0, DDNS_EINVAL (after
 * finish) or DDNS_ENOMEM.
 */
int dns_zsum_add(struct dns_zsum *s, const char *name, uint16_t type,
		 uint32_t ttl, const uint8_t *rdata, uint16_t rdlen);

/* The AXFR sink that calls dns_zsum_add() on s. */
struct dns_axfr_sink dns_zsum_sink(struct dns_zsum *s);

/*
 * Sorts the entries by name hash in place, merges the entries of one name
 * and builds the lookup directory. 0 or DDNS_ENOMEM.
 */
int dns_zsum_finish(struct dns_zsum *s);

/*
 * The digest of the records at the name whose hash is name (0 when the
 * name holds none that count); with claim, the name is marked as a
 * host's. Only after dns_zsum_finish().
 */
uint64_t dns_zsum_get(struct dns_zsum *s, uint64_t name, bool claim);

/* Names with A/AAAA records that no host claimed. */
size_t dns_zsum_foreign(const struct dns_zsum *s);

#endif
