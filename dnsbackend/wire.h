/* SPDX-License-Identifier: MIT */
/*
 * DNS wire format (RFC 1035) for RFC 2136 UPDATE messages and their replies.
 */
#ifndef DDNS_DNSBACKEND_WIRE_H
#define DDNS_DNSBACKEND_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define DNS_MSG_MAX 65535

enum dns_rcode {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
	DNS_RCODE_YXDOMAIN = 6,
	DNS_RCODE_YXRRSET = 7,
	DNS_RCODE_NXRRSET = 8,
	DNS_RCODE_NOTAUTH = 9,
	DNS_RCODE_NOTZONE = 10,
	DNS_RCODE_BADSIG = 16, /* TSIG error field values */
	DNS_RCODE_BADKEY = 17,
	DNS_RCODE_BADTIME = 18,
};

#define DNS_CHANGE_TXT_MAX 4  /* TXT values per name */
#define DNS_TXT_VALUE_MAX 255 /* bytes in one character-string */
#define DNS_ACME_LABEL "_acme-challenge"

/*
 * The desired state of one name. For each of A and AAAA the message deletes
 * the RRset and, when the address is present, adds it back: applying the
 * same change twice gives the same zone.
 *
 * With acme set, the same is done for the TXT RRset at
 * "_acme-challenge.<name>": it is deleted and each of the ntxt values is
 * added as one TXT record (values: 1..255 printable ASCII bytes). When that
 * owner name would be too long for DNS and ntxt is 0, the TXT part is
 * skipped. With remove set, everything ddnsd manages for the name (A, AAAA
 * and the _acme-challenge TXT) is deleted and nothing added; addresses and
 * TXT values are ignored. Without acme and remove the message is exactly
 * what it was before TXT support existed.
 */
struct dns_change {
	const char *name; /* absolute, no trailing dot, under the zone */
	uint32_t ttl;
	bool has_v4;
	uint8_t v4[4];
	bool has_v6;
	uint8_t v6[16];
	bool acme;
	bool remove;
	size_t ntxt;
	const char *txt[DNS_CHANGE_TXT_MAX]; /* NUL-terminated, not owned */
};

/* True if s (NUL-terminated) is a valid TXT value for a dns_change:
 * 1..DNS_TXT_VALUE_MAX bytes, each printable ASCII (0x20..0x7e). */
bool dns_txt_value_ok(const char *s);

/*
 * Converts a presentation name ("a.example.com", trailing dot optional) to
 * uncompressed wire form into out (size >= 255). Returns the wire length or
 * DDNS_ENOTFQDN.
 */
int dns_name_to_wire(const char *name, uint8_t *out, size_t outsz);

/*
 * Builds an UPDATE message (opcode 5, zone section = zone SOA IN) with id
 * for the n changes into out (reset first). Owner names are compressed.
 * Returns 0, DDNS_ENOTFQDN (bad name or name not under zone), DDNS_EINVAL
 * (a bad TXT value or more than DNS_CHANGE_TXT_MAX), DDNS_ETRUNC (message
 * would exceed 65535 bytes: send fewer changes) or DDNS_ENOMEM.
 */
int dns_update_build(struct ddns_buf *out, uint16_t id, const char *zone,
		     const struct dns_change *ch, size_t n);

struct dns_reply_info {
	uint16_t id;
	bool qr;
	uint8_t opcode;
	uint16_t rcode; /* header RCODE (4 bits) */
};

/*
 * Parses the header of a reply and checks that the question/zone, answer,
 * authority and additional sections are well formed (walks every RR with
 * bounds checks, follows compression pointers safely). Returns 0 or
 * DDNS_EMALFORMED.
 */
int dns_reply_parse(const uint8_t *msg, size_t len,
		    struct dns_reply_info *info);

/*
 * Reads the possibly compressed name at offset pos of msg (len bytes).
 * When out is not NULL, writes it uncompressed and in lower case there
 * (outsz >= 255). *next receives the offset just past the name where it
 * stands in msg. Compression pointers must point before the labels that
 * lead to them, so loops are impossible. Returns the wire length of the
 * name or DDNS_EMALFORMED.
 */
int dns_name_unpack(const uint8_t *msg, size_t len, size_t pos, uint8_t *out,
		    size_t outsz, size_t *next);

#endif
