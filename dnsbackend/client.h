/* SPDX-License-Identifier: MIT */
/*
 * Sending one signed UPDATE to a zone's primary over TCP and checking the
 * answer. Blocking, bounded by a timeout; safe to call from any thread.
 */
#ifndef DDNS_DNSBACKEND_CLIENT_H
#define DDNS_DNSBACKEND_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "dnsbackend/keyfile.h"
#include "dnsbackend/wire.h"

/*
 * Parses "host:port", "[v6]:port" or "host" (port 53) where host is a
 * literal IPv4/IPv6 address. Fills a sockaddr_storage-sized buffer.
 * Returns 0 or DDNS_EINVAL.
 */
int dns_primary_parse(const char *primary, void *ss, size_t sssz,
		      unsigned *sslen);

/*
 * Sends msg (2-byte length prefix added here) over a new TCP connection to
 * primary and reads one reply into reply. timeout_ms bounds connect, send
 * and receive together. Returns 0, DDNS_ETIMEDOUT, DDNS_ECONNREFUSED, other
 * negative errno, DDNS_EMALFORMED (short or oversized reply) or DDNS_EINVAL.
 */
int dns_tcp_exchange(const char *primary, const uint8_t *msg, size_t len,
		     struct ddns_buf *reply, int timeout_ms);

/*
 * Builds, signs with key, sends and checks one UPDATE for the n changes of
 * zone. The reply must match the id, be a response with opcode UPDATE and
 * carry a valid TSIG. Returns 0 on NOERROR; otherwise the mapped error:
 * DDNS_EREFUSED, DDNS_ENOTAUTH, DDNS_ESERVFAIL, DDNS_EBADSIG, DDNS_EBADKEY,
 * DDNS_EBADTIME, DDNS_ETSIGMISSING, DDNS_ERCODE (other RCODE),
 * DDNS_EMALFORMED, DDNS_ETRUNC (too many changes for one message) or a
 * transport error. This function is the one place that maps a DNS RCODE to
 * a DDNS_E* code. *rcode (may be NULL) receives the header RCODE of a
 * reply whose TSIG verified, else NOERROR: the pusher tells by it a change
 * the nameserver refused from a failure of the exchange. n may be 0 (an
 * UPDATE with no changes: whether the zone takes updates with this key).
 */
int dns_update_send(const char *primary, const struct dns_tsig_key *key,
		    const char *zone, const struct dns_change *ch, size_t n,
		    int timeout_ms, uint16_t *rcode);

/* The mnemonic of an RCODE ("REFUSED"; "RCODE" for one without a name).
 * Static storage. */
const char *dns_rcode_name(uint16_t rcode);

/*
 * Sends msg over a new TCP connection to primary and hands each
 * length-prefixed message of the answer to cb (the buffer is reused) until
 * cb returns non-zero: 1 ends the exchange successfully, a negative code
 * ends it with that error. timeout_ms bounds connect + send and the wait
 * for each message; total_ms (>= timeout_ms) bounds the whole exchange.
 * Returns 0, cb's error, DDNS_ETIMEDOUT, DDNS_ECONNREFUSED, other negative
 * errno, DDNS_EMALFORMED (a message shorter than a header, early EOF),
 * DDNS_ENOMEM or DDNS_EINVAL.
 */
int dns_tcp_stream(const char *primary, const uint8_t *msg, size_t len,
		   int timeout_ms, int total_ms,
		   int (*cb)(void *arg, const uint8_t *m, size_t n), void *arg);

/*
 * The one mapping of a DNS RCODE to a DDNS_E* code: 0 for NOERROR,
 * DDNS_EREFUSED, DDNS_ENOTAUTH, DDNS_ESERVFAIL, else DDNS_ERCODE.
 */
int dns_rcode_error(uint16_t rcode);

#endif
