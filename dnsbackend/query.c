/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/errors.h"
#include "dnsbackend/axfr.h"
#include "dnsbackend/client.h"
#include "dnsbackend/tsig.h"
#include "dnsbackend/query.h"
#include "dnsbackend/wire.h"

#define QUERY_TYPE_A 1
#define QUERY_TYPE_SOA 6
#define DNS_FLAG_AA 0x04 /* in the third header byte */
#define QUERY_CLASS_IN 1

static int query_build(struct ddns_buf *b, uint16_t id, const char *name,
		       uint16_t type);
static bool answer_has_soa(const uint8_t *m, size_t len, const char *zone);
static int answer_rrset(const uint8_t *m, size_t len, const char *name,
			uint16_t type, struct dns_rrlist *out);

static int
query_build(struct ddns_buf *b, uint16_t id, const char *name, uint16_t type)
{
	uint8_t hdr[12] = { 0 }, wire[255], tail[4];
	int wlen;

	if ((wlen = dns_name_to_wire(name, wire, sizeof(wire))) < 0)
		return wlen;
	hdr[0] = (uint8_t)(id >> 8);
	hdr[1] = (uint8_t)id;
	hdr[5] = 1; /* QDCOUNT; opcode QUERY, RD off */
	tail[0] = 0;
	tail[1] = (uint8_t)type;
	tail[2] = 0;
	tail[3] = QUERY_CLASS_IN;
	ddns_buf_reset(b);
	if (ddns_buf_append(b, hdr, sizeof(hdr)) != 0 ||
	    ddns_buf_append(b, wire, (size_t)wlen) != 0 ||
	    ddns_buf_append(b, tail, sizeof(tail)) != 0)
		return DDNS_ENOMEM;
	return 0;
}

int
dns_name_in_use(const char *primary, const char *name, int timeout_ms,
		bool *in_use)
{
	struct ddns_buf q = { 0 }, reply = { 0 };
	struct dns_reply_info info;
	uint16_t id = (uint16_t)randombytes_uniform(65536);
	int err;

	*in_use = false;
	if ((err = query_build(&q, id, name, QUERY_TYPE_A)) != 0)
		goto out;
	if ((err = dns_tcp_exchange(primary, q.data, q.len, &reply,
				    timeout_ms)) != 0)
		goto out;
	if ((err = dns_reply_parse(reply.data, reply.len, &info)) != 0)
		goto out;
	if (info.id != id || !info.qr || info.opcode != 0) {
		err = DDNS_EMALFORMED;
		goto out;
	}
	if (info.rcode == DNS_RCODE_NXDOMAIN)
		err = 0;
	else if (info.rcode == DNS_RCODE_NOERROR)
		*in_use = true;
	else
		err = dns_rcode_error(info.rcode);
out:
	ddns_buf_free(&q);
	ddns_buf_free(&reply);
	return err;
}

int
dns_name_free_check(void *arg, const char *primary, const char *name)
{
	const unsigned *timeout_ms = arg;
	bool in_use;
	int err = dns_name_in_use(primary, name, (int)*timeout_ms, &in_use);

	if (err != 0)
		return err;
	return in_use ? DDNS_ENAMEUSED : 0;
}

void
dns_placement_rules(const struct ddns_config *cfg,
		    struct db_placement_rules *out)
{
	out->reserved = &cfg->reserved;
	out->name_free = cfg->name_check_dns ? dns_name_free_check : NULL;
	/* dns_timeout_ms is at most 60000: it fits an int. */
	out->arg = (void *)(uintptr_t)&cfg->dns_timeout_ms;
}

/* Whether the first answer RR of m is the SOA of zone (parsed safely). */
static bool
answer_has_soa(const uint8_t *m, size_t len, const char *zone)
{
	uint8_t owner[255], want[255];
	size_t pos = 12;
	int wl, ol;

	if (len < 12 || ((m[6] << 8) | m[7]) == 0 ||
	    (wl = dns_name_to_wire(zone, want, sizeof(want))) < 0)
		return false;
	if (dns_name_unpack(m, len, pos, NULL, 0, &pos) < 0 || pos + 4 > len)
		return false;
	pos += 4; /* the question's type and class */
	if ((ol = dns_name_unpack(m, len, pos, owner, sizeof(owner), &pos)) <
		    0 ||
	    pos + 2 > len)
		return false;
	return ol == wl && memcmp(owner, want, (size_t)wl) == 0 &&
	       ((m[pos] << 8) | m[pos + 1]) == QUERY_TYPE_SOA;
}

int
dns_zone_verify(const char *primary, const struct dns_tsig_key *key,
		const char *zone, int timeout_ms, char *why, size_t whysz)
{
	struct ddns_buf q = { 0 }, reply = { 0 };
	struct dns_reply_info info;
	uint8_t mac[DNS_TSIG_MAC_LEN];
	uint16_t id = (uint16_t)randombytes_uniform(65536);
	int err;

	if ((err = query_build(&q, id, zone, QUERY_TYPE_SOA)) != 0 ||
	    (err = dns_tsig_sign(&q, key, (uint64_t)time(NULL), mac)) != 0)
		goto out;
	err = dns_tcp_exchange(primary, q.data, q.len, &reply, timeout_ms);
	if (err != 0) {
		snprintf(why, whysz,
			 "primary: no answer within the DNS timeout (%s)",
			 ddns_strerror(err));
		err = DDNS_ETIMEDOUT;
		goto out;
	}
	if (dns_reply_parse(reply.data, reply.len, &info) != 0 ||
	    info.id != id || !info.qr) {
		snprintf(why, whysz, "primary: the answer does not parse");
		err = DDNS_ENOTAUTH;
		goto out;
	}
	err = dns_tsig_verify_reply(reply.data, reply.len, key, mac,
				    (uint64_t)time(NULL));
	if (err != 0) {
		snprintf(why, whysz,
			 "tsig: the primary did not accept the key, or did "
			 "not sign its answer with it (%s)",
			 ddns_strerror(err));
		err = DDNS_EBADKEY;
		goto out;
	}
	if (info.rcode != DNS_RCODE_NOERROR || !(reply.data[2] & DNS_FLAG_AA) ||
	    !answer_has_soa(reply.data, reply.len, zone)) {
		snprintf(why, whysz,
			 "primary: not authoritative for %s (no SOA in an "
			 "authoritative answer)",
			 zone);
		err = DDNS_ENOTAUTH;
	}
out:
	ddns_buf_free(&q);
	ddns_buf_free(&reply);
	return err;
}

/*
 * Appends to out the answer RRs of m whose owner is name (uncompressed
 * wire form compared in lower case), of type and class IN.
 */
static int
answer_rrset(const uint8_t *m, size_t len, const char *name, uint16_t type,
	     struct dns_rrlist *out)
{
	uint8_t owner[255], want[255];
	size_t pos = 12, rdlen, nan;
	uint32_t ttl;
	int wl, ol, err;

	if ((wl = dns_name_to_wire(name, want, sizeof(want))) < 0)
		return wl;
	for (int i = 0; i < wl; i++)
		if (want[i] >= 'A' && want[i] <= 'Z')
			want[i] = (uint8_t)(want[i] - 'A' + 'a');
	nan = (size_t)((m[6] << 8) | m[7]);
	for (size_t q = 0; q < (size_t)((m[4] << 8) | m[5]); q++) {
		if (dns_name_unpack(m, len, pos, NULL, 0, &pos) < 0 ||
		    pos + 4 > len)
			return DDNS_EMALFORMED;
		pos += 4;
	}
	for (size_t i = 0; i < nan; i++) {
		ol = dns_name_unpack(m, len, pos, owner, sizeof(owner), &pos);
		if (ol < 0 || pos + 10 > len)
			return DDNS_EMALFORMED;
		ttl = (uint32_t)m[pos + 4] << 24 | (uint32_t)m[pos + 5] << 16 |
		      (uint32_t)m[pos + 6] << 8 | m[pos + 7];
		rdlen = (size_t)((m[pos + 8] << 8) | m[pos + 9]);
		if (pos + 10 + rdlen > len)
			return DDNS_EMALFORMED;
		if (ol == wl && memcmp(owner, want, (size_t)wl) == 0 &&
		    ((m[pos] << 8) | m[pos + 1]) == type &&
		    ((m[pos + 2] << 8) | m[pos + 3]) == QUERY_CLASS_IN &&
		    (err = dns_rrlist_add(out, name, type, ttl & 0x7fffffffu,
					  m + pos + 10, (uint16_t)rdlen)) != 0)
			return err;
		pos += 10 + rdlen;
	}
	return 0;
}

int
dns_rrset_query(const char *primary, const struct dns_tsig_key *key,
		const char *name, uint16_t type, int timeout_ms,
		struct dns_rrlist *out)
{
	struct ddns_buf q = { 0 }, reply = { 0 };
	struct dns_reply_info info;
	uint8_t mac[DNS_TSIG_MAC_LEN];
	uint16_t id = (uint16_t)randombytes_uniform(65536);
	int err;

	if ((err = query_build(&q, id, name, type)) != 0 ||
	    (err = dns_tsig_sign(&q, key, (uint64_t)time(NULL), mac)) != 0 ||
	    (err = dns_tcp_exchange(primary, q.data, q.len, &reply,
				    timeout_ms)) != 0 ||
	    (err = dns_reply_parse(reply.data, reply.len, &info)) != 0)
		goto out;
	if (info.id != id || !info.qr || info.opcode != 0) {
		err = DDNS_EMALFORMED;
		goto out;
	}
	if ((err = dns_tsig_verify_reply(reply.data, reply.len, key, mac,
					 (uint64_t)time(NULL))) != 0)
		goto out;
	if (info.rcode == DNS_RCODE_NXDOMAIN)
		goto out; /* nothing at the name */
	if ((err = dns_rcode_error(info.rcode)) == 0)
		err = answer_rrset(reply.data, reply.len, name, type, out);
out:
	ddns_buf_free(&q);
	ddns_buf_free(&reply);
	return err;
}
