/* SPDX-License-Identifier: MIT */
/*
 * TSIG (RFC 8945) with hmac-sha256, on top of libsodium's HMAC-SHA256.
 */
#ifndef DDNS_DNSBACKEND_TSIG_H
#define DDNS_DNSBACKEND_TSIG_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "dnsbackend/keyfile.h"

#define DNS_TSIG_MAC_LEN 32
#define DNS_TSIG_FUDGE 300

/*
 * Signs the message in msg: appends a TSIG RR (key name, hmac-sha256.,
 * time signed = now, fudge, original id = message id, error 0, no other
 * data) and increments ARCOUNT. The request MAC is copied to mac (needed to
 * verify the reply). Returns 0, DDNS_EMALFORMED (msg shorter than a
 * header), DDNS_ETRUNC or DDNS_ENOMEM.
 */
int dns_tsig_sign(struct ddns_buf *msg, const struct dns_tsig_key *key,
		  uint64_t now, uint8_t mac[DNS_TSIG_MAC_LEN]);

/*
 * Verifies the TSIG of a reply to a request signed with key whose MAC was
 * req_mac. The TSIG must be the last additional RR. Returns:
 *   0                  valid and error field 0;
 *   DDNS_ETSIGMISSING  no TSIG RR;
 *   DDNS_EBADKEY       key or algorithm name differ, or error field BADKEY;
 *   DDNS_EBADSIG       MAC wrong, or error field BADSIG;
 *   DDNS_EBADTIME      time signed outside now +- fudge, or error BADTIME;
 *   DDNS_EMALFORMED    anything that does not parse.
 * When the error field is non-zero the server may send an empty MAC; the
 * error field is then reported without MAC verification.
 */
int dns_tsig_verify_reply(const uint8_t *msg, size_t len,
			  const struct dns_tsig_key *key,
			  const uint8_t req_mac[DNS_TSIG_MAC_LEN],
			  uint64_t now);

/*
 * Verifies one message of a multi-message answer such as AXFR (RFC 8945
 * 5.3.1). For the first message (first != 0) prior_mac is the request's
 * MAC and pre must be empty; the check is that of dns_tsig_verify_reply.
 * For a later signed message prior_mac is the MAC of the previous signed
 * message and pre holds the unsigned messages received since (raw,
 * concatenated, prelen bytes); only the timers are covered. On success the
 * message's MAC is copied to mac_out (may be NULL): the prior MAC of the
 * next one. Errors as dns_tsig_verify_reply.
 */
int dns_tsig_verify_multi(const uint8_t *msg, size_t len,
			  const struct dns_tsig_key *key,
			  const uint8_t prior_mac[DNS_TSIG_MAC_LEN],
			  const uint8_t *pre, size_t prelen, int first,
			  uint64_t now, uint8_t mac_out[DNS_TSIG_MAC_LEN]);

#endif
