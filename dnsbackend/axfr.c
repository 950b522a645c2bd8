/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/errors.h"
#include "dnsbackend/axfr.h"
#include "dnsbackend/client.h"
#include "dnsbackend/dnssec.h"
#include "dnsbackend/wire.h"

#define DNS_HDR_LEN 12
#define DNS_CLASS_IN 1
#define DNS_OPCODE_QUERY 0
#define AXFR_TOTAL_FACTOR 20

struct axfr_fetch {
	struct dns_axfr x;
	int ret;
};

static uint16_t rd16(const uint8_t *p);
static uint32_t rd32(const uint8_t *p);
static int name_to_text(const uint8_t *w, size_t wlen, char *out, size_t outsz);
static int rr_cmp(const void *a, const void *b);
static int list_sink(void *arg, const char *name, uint16_t type, uint32_t ttl,
		     const uint8_t *rdata, uint16_t rdlen);
static int txt_ok(const uint8_t *p, size_t n);
static int axfr_header(struct dns_axfr *x, const uint8_t *msg, size_t len);
static int axfr_tsig(struct dns_axfr *x, const uint8_t *msg, size_t len,
		     int is_last, uint64_t now);
static int axfr_rrs(struct dns_axfr *x, const uint8_t *msg, size_t len);
static int axfr_rr(struct dns_axfr *x, const uint8_t *msg, size_t len,
		   size_t *pos, int *is_tsig);
static int fetch_cb(void *arg, const uint8_t *m, size_t n);

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * Wire name (uncompressed) to presentation form without the trailing dot;
 * bytes outside letters, digits, '-' and '_' become \DDD. The root is ".".
 * Returns 0 or DDNS_ETRUNC.
 */
static int
name_to_text(const uint8_t *w, size_t wlen, char *out, size_t outsz)
{
	size_t i = 0, o = 0, j;
	uint8_t c, lab;

	if (wlen == 1)
		return snprintf(out, outsz, ".") < (int)outsz ? 0 : DDNS_ETRUNC;
	while (i < wlen && (lab = w[i]) != 0) {
		if (o != 0) {
			if (o + 1 >= outsz)
				return DDNS_ETRUNC;
			out[o++] = '.';
		}
		for (j = 1; j <= lab; j++) {
			c = w[i + j];
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			    c == '-' || c == '_') {
				if (o + 1 >= outsz)
					return DDNS_ETRUNC;
				out[o++] = (char)c;
			} else {
				if (o + 4 >= outsz)
					return DDNS_ETRUNC;
				snprintf(out + o, 5, "\\%03u", c);
				o += 4;
			}
		}
		i += (size_t)lab + 1;
	}
	out[o] = '\0';
	return 0;
}

static int
rr_cmp(const void *a, const void *b)
{
	const struct dns_rr *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	size_t n;

	if (c != 0)
		return c;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	n = x->rdlen < y->rdlen ? x->rdlen : y->rdlen;
	if (n > 0 && (c = memcmp(x->rdata, y->rdata, n)) != 0)
		return c;
	return x->rdlen < y->rdlen ? -1 : x->rdlen > y->rdlen;
}

void
dns_rrlist_sort(struct dns_rrlist *l)
{
	if (l != NULL && l->n > 1)
		qsort(l->rr, l->n, sizeof(*l->rr), rr_cmp);
}

void
dns_rrlist_free(struct dns_rrlist *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->rr[i].rdata);
	free(l->rr);
	memset(l, 0, sizeof(*l));
}

int
dns_rrlist_add(struct dns_rrlist *l, const char *name, uint16_t type,
	       uint32_t ttl, const uint8_t *rdata, uint16_t rdlen)
{
	struct dns_rr *rr, *grown;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		if (cap > SIZE_MAX / sizeof(*grown))
			return DDNS_ENOMEM;
		if ((grown = realloc(l->rr, cap * sizeof(*grown))) == NULL)
			return DDNS_ENOMEM;
		l->rr = grown;
		l->cap = cap;
	}
	rr = &l->rr[l->n];
	memset(rr, 0, sizeof(*rr));
	if ((rr->rdata = malloc(rdlen ? rdlen : 1)) == NULL)
		return DDNS_ENOMEM;
	memcpy(rr->rdata, rdata, rdlen);
	snprintf(rr->name, sizeof(rr->name), "%s", name);
	rr->type = type;
	rr->ttl = ttl;
	rr->rdlen = rdlen;
	l->n++;
	return 0;
}

static int
list_sink(void *arg, const char *name, uint16_t type, uint32_t ttl,
	  const uint8_t *rdata, uint16_t rdlen)
{
	return dns_rrlist_add(arg, name, type, ttl, rdata, rdlen);
}

/* TXT RDATA: one or more <length><bytes> strings filling it exactly. */
static int
txt_ok(const uint8_t *p, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return 0;
	while (i < n)
		i += (size_t)p[i] + 1;
	return i == n;
}

int
dns_axfr_query_build(struct ddns_buf *out, uint16_t id, const char *zone)
{
	uint8_t zw[255];
	int zlen, ret;

	if (out == NULL)
		return DDNS_EINVAL;
	if ((zlen = dns_name_to_wire(zone, zw, sizeof(zw))) < 0)
		return zlen;
	ddns_buf_reset(out);
	/* id, flags 0 (QUERY, no RD), QD 1, AN/NS/AR 0 */
	if ((ret = ddns_buf_append_u16(out, id)) != 0 ||
	    (ret = ddns_buf_append_u16(out, 0)) != 0 ||
	    (ret = ddns_buf_append_u16(out, 1)) != 0 ||
	    (ret = ddns_buf_append_u16(out, 0)) != 0 ||
	    (ret = ddns_buf_append_u16(out, 0)) != 0 ||
	    (ret = ddns_buf_append_u16(out, 0)) != 0 ||
	    (ret = ddns_buf_append(out, zw, (size_t)zlen)) != 0 ||
	    (ret = ddns_buf_append_u16(out, DNS_RR_AXFR)) != 0 ||
	    (ret = ddns_buf_append_u16(out, DNS_CLASS_IN)) != 0)
		ddns_buf_reset(out);
	return ret;
}

int
dns_axfr_init(struct dns_axfr *x, const char *zone, uint16_t id,
	      const struct dns_tsig_key *key,
	      const uint8_t req_mac[DNS_TSIG_MAC_LEN], struct dns_rrlist *out)
{
	struct dns_axfr_sink sink = { list_sink, out };
	int ret;

	if (out == NULL) {
		memset(x, 0, sizeof(*x));
		return DDNS_EINVAL;
	}
	if ((ret = dns_axfr_init_sink(x, zone, id, key, req_mac, &sink)) == 0)
		x->out = out;
	return ret;
}

int
dns_axfr_init_sink(struct dns_axfr *x, const char *zone, uint16_t id,
		   const struct dns_tsig_key *key,
		   const uint8_t req_mac[DNS_TSIG_MAC_LEN],
		   const struct dns_axfr_sink *sink)
{
	int zlen;

	memset(x, 0, sizeof(*x));
	if (key == NULL || req_mac == NULL || sink == NULL || sink->rr == NULL)
		return DDNS_EINVAL;
	if ((zlen = dns_name_to_wire(zone, x->zone, sizeof(x->zone))) < 0)
		return zlen;
	x->zone_len = (size_t)zlen;
	x->key = key;
	x->id = id;
	x->sink = *sink;
	memcpy(x->mac, req_mac, DNS_TSIG_MAC_LEN);
	/* Unsigned messages are kept until the next MAC covers them. */
	x->pending.cap = (size_t)DNS_AXFR_UNSIGNED_MAX * DNS_MSG_MAX;
	return 0;
}

void
dns_axfr_fini(struct dns_axfr *x)
{
	if (x == NULL)
		return;
	ddns_buf_free(&x->pending);
	sodium_memzero(x->mac, sizeof(x->mac));
}

/* Header checks shared by every message of the answer. */
static int
axfr_header(struct dns_axfr *x, const uint8_t *msg, size_t len)
{
	struct dns_reply_info info;
	uint16_t qd = len >= DNS_HDR_LEN ? rd16(msg + 4) : 0;

	if (dns_reply_parse(msg, len, &info) != 0 || info.id != x->id ||
	    !info.qr || info.opcode != DNS_OPCODE_QUERY)
		return DDNS_EMALFORMED;
	/* The question is echoed in the first message, optional later. */
	if (qd > 1 || (x->nmsg == 0 && qd != 1 && info.rcode == 0))
		return DDNS_EMALFORMED;
	return dns_rcode_error(info.rcode);
}

/*
 * The TSIG rule of RFC 8945 5.3.1: first and last signed, a signed one at
 * least every 100, each MAC covering the previous one and the unsigned
 * messages since.
 */
static int
axfr_tsig(struct dns_axfr *x, const uint8_t *msg, size_t len, int is_last,
	  uint64_t now)
{
	int first = x->nmsg == 0, ret;

	ret = dns_tsig_verify_multi(msg, len, x->key, x->mac, x->pending.data,
				    x->pending.len, first, now, x->mac);
	if (ret == DDNS_ETSIGMISSING && !first && !is_last &&
	    x->npending < DNS_AXFR_UNSIGNED_MAX) {
		if ((ret = ddns_buf_append(&x->pending, msg, len)) != 0)
			return ret == DDNS_ETRUNC ? DDNS_EMALFORMED : ret;
		x->npending++;
		return 0;
	}
	if (ret != 0)
		return ret;
	ddns_buf_reset(&x->pending);
	x->npending = 0;
	return 0;
}

/*
 * One answer RR at *pos: checks, keeps A/AAAA/TXT, counts SOAs and the
 * DNSSEC signer's records.
 */
static int
axfr_rr(struct dns_axfr *x, const uint8_t *msg, size_t len, size_t *pos,
	int *is_tsig)
{
	uint8_t owner[255];
	char name[256];
	uint16_t type, klass, rdlen;
	uint32_t ttl;
	const uint8_t *rd;
	int n;

	n = dns_name_unpack(msg, len, *pos, owner, sizeof(owner), pos);
	if (n < 0 || len - *pos < 10)
		return DDNS_EMALFORMED;
	type = rd16(msg + *pos);
	klass = rd16(msg + *pos + 2);
	ttl = rd32(msg + *pos + 4);
	rdlen = rd16(msg + *pos + 8);
	rd = msg + *pos + 10;
	*pos += 10 + (size_t)rdlen; /* dns_reply_parse checked the bounds */
	*is_tsig = type == 250;
	if (*is_tsig)
		return 0;
	if (x->nsoa == 0 && (type != DNS_RR_SOA || (size_t)n != x->zone_len ||
			     memcmp(owner, x->zone, x->zone_len) != 0))
		return DDNS_EMALFORMED; /* must open with the zone's SOA */
	if (type == DNS_RR_SOA) {
		if ((size_t)n != x->zone_len ||
		    memcmp(owner, x->zone, x->zone_len) != 0)
			return DDNS_EMALFORMED;
		x->nsoa++;
		return 0;
	}
	if (x->nsoa >= 2)
		return DDNS_EMALFORMED; /* records after the closing SOA */
	if (klass != DNS_CLASS_IN)
		return 0;
	if (dns_rrtype_is_signers(type)) {
		x->nsigner++; /* a signed zone: counted, never compared */
		if (x->out != NULL)
			x->out->nsigner++;
		return 0;
	}
	if ((type == DNS_RR_A && rdlen != 4) ||
	    (type == DNS_RR_AAAA && rdlen != 16) ||
	    (type == DNS_RR_TXT && !txt_ok(rd, rdlen)))
		return DDNS_EMALFORMED;
	if (type != DNS_RR_A && type != DNS_RR_AAAA && type != DNS_RR_TXT)
		return 0;
	if (name_to_text(owner, (size_t)n, name, sizeof(name)) != 0)
		return 0; /* too long once escaped: never a host name */
	return x->sink.rr(x->sink.arg, name, type, ttl & 0x7fffffffu, rd,
			  rdlen);
}

/* Walks the answer section; a TSIG may only be the last additional RR. */
static int
axfr_rrs(struct dns_axfr *x, const uint8_t *msg, size_t len)
{
	size_t pos = DNS_HDR_LEN, i, nan;
	int is_tsig, ret;

	for (i = 0; i < rd16(msg + 4); i++) {
		if (dns_name_unpack(msg, len, pos, NULL, 0, &pos) < 0)
			return DDNS_EMALFORMED;
		pos += 4;
	}
	nan = rd16(msg + 6);
	if (rd16(msg + 8) != 0)
		return DDNS_EMALFORMED;
	for (i = 0; i < nan; i++) {
		if ((ret = axfr_rr(x, msg, len, &pos, &is_tsig)) != 0)
			return ret;
		if (is_tsig)
			return DDNS_EMALFORMED;
	}
	return 0;
}

int
dns_axfr_feed(struct dns_axfr *x, const uint8_t *msg, size_t len, uint64_t now)
{
	unsigned soa_before;
	int ret, tret;

	if (x == NULL || msg == NULL || x->done)
		return DDNS_EINVAL;
	x->done = 1; /* until this message is fully accepted */
	if ((ret = axfr_header(x, msg, len)) != 0) {
		/* An error answer: a TSIG error says more than the RCODE. */
		if (ret == DDNS_EMALFORMED || x->nmsg != 0)
			return ret;
		tret = dns_tsig_verify_multi(msg, len, x->key, x->mac, NULL, 0,
					     1, now, NULL);
		return tret == 0 || tret == DDNS_ETSIGMISSING ? ret : tret;
	}
	soa_before = x->nsoa;
	if ((ret = axfr_rrs(x, msg, len)) != 0)
		return ret;
	if ((ret = axfr_tsig(x, msg, len, x->nsoa >= 2, now)) != 0)
		return ret;
	x->nmsg++;
	if (x->nsoa >= 2 && soa_before < 2)
		return 1;
	x->done = 0;
	if (x->nsoa == 0)
		return DDNS_EMALFORMED; /* a message without the opening SOA */
	return 0;
}

static int
fetch_cb(void *arg, const uint8_t *m, size_t n)
{
	struct axfr_fetch *f = arg;

	f->ret = dns_axfr_feed(&f->x, m, n, (uint64_t)time(NULL));
	return f->ret;
}

int
dns_axfr_fetch(const char *primary, const struct dns_tsig_key *key,
	       const char *zone, int timeout_ms, struct dns_rrlist *out)
{
	struct dns_axfr_sink sink = { list_sink, out };
	int ret;

	if (out == NULL)
		return DDNS_EINVAL;
	dns_rrlist_free(out);
	ret = dns_axfr_fetch_sink(primary, key, zone, timeout_ms, &sink,
				  &out->nsigner);
	if (ret != 0)
		dns_rrlist_free(out);
	return ret;
}

int
dns_axfr_fetch_sink(const char *primary, const struct dns_tsig_key *key,
		    const char *zone, int timeout_ms,
		    const struct dns_axfr_sink *sink, size_t *nsigner)
{
	struct ddns_buf q = { 0 };
	struct axfr_fetch f;
	uint8_t mac[DNS_TSIG_MAC_LEN];
	uint16_t id;
	int ret;

	memset(&f, 0, sizeof(f));
	if (nsigner != NULL)
		*nsigner = 0;
	if (primary == NULL || key == NULL || zone == NULL || sink == NULL ||
	    timeout_ms <= 0 || timeout_ms > INT32_MAX / AXFR_TOTAL_FACTOR)
		return DDNS_EINVAL;
	if (sodium_init() < 0)
		return DDNS_ENOMEM;
	id = (uint16_t)randombytes_uniform(65536);
	if ((ret = dns_axfr_query_build(&q, id, zone)) != 0 ||
	    (ret = dns_tsig_sign(&q, key, (uint64_t)time(NULL), mac)) != 0 ||
	    (ret = dns_axfr_init_sink(&f.x, zone, id, key, mac, sink)) != 0)
		goto out;
	ret = dns_tcp_stream(primary, q.data, q.len, timeout_ms,
			     timeout_ms * AXFR_TOTAL_FACTOR, fetch_cb, &f);
	/* The connection closed before the closing SOA: incomplete. */
	if (ret == 0 && f.ret != 1)
		ret = DDNS_EMALFORMED;
	if (ret == 0 && nsigner != NULL)
		*nsigner = f.x.nsigner;
out:
	dns_axfr_fini(&f.x);
	ddns_buf_free(&q);
	return ret;
}
