/* SPDX-License-Identifier: MIT */
/*
 * Zone transfer (AXFR, RFC 5936) over TCP, signed with TSIG (RFC 8945): what
 * the nameserver really serves, for reconcile. The answer is a stream of
 * messages; the first and the last must be signed, unsigned ones between
 * are allowed (at most 99 in a row) and are covered by the next MAC.
 */
#ifndef DDNS_DNSBACKEND_AXFR_H
#define DDNS_DNSBACKEND_AXFR_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "dnsbackend/keyfile.h"
#include "dnsbackend/tsig.h"

#define DNS_RR_A 1
#define DNS_RR_SOA 6
#define DNS_RR_TXT 16
#define DNS_RR_AAAA 28
#define DNS_RR_AXFR 252

/* The most unsigned messages allowed in a row (RFC 8945 5.3.1). */
#define DNS_AXFR_UNSIGNED_MAX 99

/* One resource record of a kept type (A, AAAA, TXT). */
struct dns_rr {
	char name[256]; /* presentation form, lower case, no trailing dot */
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t *rdata; /* owned by the list; TXT: the raw character-strings */
};

struct dns_rrlist {
	struct dns_rr *rr; /* owned */
	size_t n, cap;
	size_t nsigner; /* records of the signer seen (dns_rrtype_is_signers) */
};

/* Frees the records and their data; leaves the list empty. NULL-safe. */
void dns_rrlist_free(struct dns_rrlist *l);

/* Sorts by name, then type, then rdata (for comparisons and tests). */
void dns_rrlist_sort(struct dns_rrlist *l);

/* Appends a copy of one record. 0 or DDNS_ENOMEM. */
int dns_rrlist_add(struct dns_rrlist *l, const char *name, uint16_t type,
		   uint32_t ttl, const uint8_t *rdata, uint16_t rdlen);

/*
 * Where the records of a transfer go, one by one, as they are read: rr is
 * called for each kept record (A, AAAA, TXT of class IN; name in
 * presentation form, lower case, no trailing dot; rdata only valid during
 * the call) and returns 0 or a negative code that ends the transfer with
 * it. A record list is one such sink (dns_axfr_init()); reconcile's zone
 * summary another, so that a zone of any size is read in bounded memory.
 */
struct dns_axfr_sink {
	int (*rr)(void *arg, const char *name, uint16_t type, uint32_t ttl,
		  const uint8_t *rdata, uint16_t rdlen);
	void *arg;
};

/*
 * The state of one transfer being read: feed it the messages in order.
 * Initialise with dns_axfr_init(); release with dns_axfr_fini().
 */
struct dns_axfr {
	const struct dns_tsig_key *key; /* borrowed */
	uint8_t zone[255];              /* wire form, lower case */
	size_t zone_len;
	uint16_t id;
	uint8_t mac[DNS_TSIG_MAC_LEN]; /* request MAC, then last verified */
	struct ddns_buf pending;       /* unsigned messages since that MAC */
	unsigned npending;
	unsigned nmsg;
	unsigned nsoa;
	int done;
	struct dns_axfr_sink sink;
	struct dns_rrlist *out; /* borrowed or NULL: the list of the sink */
	size_t nsigner;         /* records of the signer seen */
};

/*
 * Builds the AXFR query for zone (question zone AXFR IN, no RD) with id
 * into out (reset first), unsigned. Returns 0, DDNS_ENOTFQDN or
 * DDNS_ENOMEM.
 */
int dns_axfr_query_build(struct ddns_buf *out, uint16_t id, const char *zone);

/*
 * Prepares x to read the answer to the query with id, signed with key
 * whose MAC was req_mac, for zone; records go to out. Returns 0 or
 * DDNS_ENOTFQDN.
 */
int dns_axfr_init(struct dns_axfr *x, const char *zone, uint16_t id,
		  const struct dns_tsig_key *key,
		  const uint8_t req_mac[DNS_TSIG_MAC_LEN],
		  struct dns_rrlist *out);

/* dns_axfr_init() with the records handed to sink instead of a list. */
int dns_axfr_init_sink(struct dns_axfr *x, const char *zone, uint16_t id,
		       const struct dns_tsig_key *key,
		       const uint8_t req_mac[DNS_TSIG_MAC_LEN],
		       const struct dns_axfr_sink *sink);

/*
 * Reads the next message of the answer (len bytes). Checks id, QR, opcode,
 * RCODE, TSIG (first and last message signed, chain of MACs, at most
 * DNS_AXFR_UNSIGNED_MAX unsigned in a row), that the transfer opens with
 * the zone's SOA, and every RR's bounds; hands A, AAAA and TXT records of
 * class IN to the sink (appends them to the list) and counts the DNSSEC
 * signer's in x->nsigner (and out->nsigner). Returns 0 (more to come), 1
 * (the closing SOA was
 * seen in a correctly signed message: transfer complete), or an error:
 * DDNS_EMALFORMED, DDNS_EREFUSED/DDNS_ENOTAUTH/... (RCODE, mapped by
 * dns_rcode_error), DDNS_EBADSIG/DDNS_EBADKEY/DDNS_EBADTIME/
 * DDNS_ETSIGMISSING, DDNS_ENOMEM or the sink's error. After an error or completion, further
 * messages are DDNS_EINVAL.
 */
int dns_axfr_feed(struct dns_axfr *x, const uint8_t *msg, size_t len,
		  uint64_t now);

/* Releases what x holds (not the list). NULL-safe. */
void dns_axfr_fini(struct dns_axfr *x);

/*
 * Transfers zone from primary over TCP, signed with key: builds and signs
 * the query, reads and checks every message (dns_axfr_feed). timeout_ms
 * bounds connect and each message, 20 times that the whole transfer. On
 * success out (emptied first) holds the zone's A, AAAA and TXT records.
 * On error out is empty. Errors as dns_axfr_feed plus transport errors
 * (DDNS_ETIMEDOUT, DDNS_ECONNREFUSED, ...).
 */
int dns_axfr_fetch(const char *primary, const struct dns_tsig_key *key,
		   const char *zone, int timeout_ms, struct dns_rrlist *out);

/*
 * dns_axfr_fetch() as a stream: each kept record goes to sink as it
 * arrives (nothing of the zone is held here); *nsigner (may be NULL)
 * receives the count of the signer's records. On error the sink may have
 * seen part of the zone. Errors as dns_axfr_fetch().
 */
int dns_axfr_fetch_sink(const char *primary, const struct dns_tsig_key *key,
			const char *zone, int timeout_ms,
			const struct dns_axfr_sink *sink, size_t *nsigner);

#endif
