/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <sodium.h>

#include "common/errors.h"
#include "dnsbackend/tsig.h"
#include "dnsbackend/wire.h"

#define DNS_HDR_LEN 12
#define DNS_TYPE_TSIG 250
#define DNS_CLASS_ANY 255

/* "hmac-sha256." in wire form. */
static const uint8_t tsig_alg[] = { 11,  'h', 'm', 'a', 'c', '-', 's',
				    'h', 'a', '2', '5', '6', 0 };

/* The fields of a received TSIG RR that the MAC and the checks need. */
struct tsig_rr {
	size_t start; /* offset of the RR in the message */
	uint8_t owner[255];
	size_t owner_len;
	uint8_t alg[255];
	size_t alg_len;
	uint64_t time_signed;
	uint16_t fudge;
	const uint8_t *mac;
	uint16_t mac_len;
	uint16_t orig_id;
	uint16_t error;
	const uint8_t *other;
	uint16_t other_len;
};

static uint16_t rd16(const uint8_t *p);
static void wr16(uint8_t *p, uint16_t v);
static void wr48(uint8_t *p, uint64_t v);
static void tsig_vars(crypto_auth_hmacsha256_state *st, const uint8_t *owner,
		      size_t owner_len, uint64_t time_signed, uint16_t fudge,
		      uint16_t error, const uint8_t *other, uint16_t other_len);
static int tsig_find(const uint8_t *msg, size_t len, struct tsig_rr *rr);
static int tsig_rdata(const uint8_t *msg, size_t pos, size_t rdlen,
		      struct tsig_rr *rr);
static int tsig_error(uint16_t error);
static int tsig_verify(const uint8_t *msg, size_t len,
		       const struct dns_tsig_key *key,
		       const uint8_t prior_mac[DNS_TSIG_MAC_LEN],
		       const uint8_t *pre, size_t prelen, int timers_only,
		       uint64_t now, uint8_t mac_out[DNS_TSIG_MAC_LEN]);

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
wr48(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 5; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* Feeds the TSIG variables (RFC 8945 4.3.3) into the HMAC. */
static void
tsig_vars(crypto_auth_hmacsha256_state *st, const uint8_t *owner,
	  size_t owner_len, uint64_t time_signed, uint16_t fudge,
	  uint16_t error, const uint8_t *other, uint16_t other_len)
{
	uint8_t v[16];

	crypto_auth_hmacsha256_update(st, owner, owner_len);
	wr16(v, DNS_CLASS_ANY);
	memset(v + 2, 0, 4); /* TTL */
	crypto_auth_hmacsha256_update(st, v, 6);
	crypto_auth_hmacsha256_update(st, tsig_alg, sizeof(tsig_alg));
	wr48(v, time_signed);
	wr16(v + 6, fudge);
	wr16(v + 8, error);
	wr16(v + 10, other_len);
	crypto_auth_hmacsha256_update(st, v, 12);
	if (other_len > 0)
		crypto_auth_hmacsha256_update(st, other, other_len);
}

int
dns_tsig_sign(struct ddns_buf *msg, const struct dns_tsig_key *key,
	      uint64_t now, uint8_t mac[DNS_TSIG_MAC_LEN])
{
	crypto_auth_hmacsha256_state st;
	uint8_t owner[255], rd[16];
	size_t len0;
	uint16_t arcount;
	int olen, ret;

	if (msg == NULL || key == NULL || mac == NULL)
		return DDNS_EINVAL;
	if (msg->len < DNS_HDR_LEN || msg->len > DNS_MSG_MAX)
		return DDNS_EMALFORMED;
	arcount = rd16(msg->data + 10);
	if (arcount == UINT16_MAX)
		return DDNS_ETRUNC;
	if ((olen = dns_name_to_wire(key->name, owner, sizeof(owner))) < 0)
		return DDNS_EINVAL;
	/* owner, type..rdlength, algorithm, 16 fixed bytes, MAC, 6 more */
	len0 = msg->len;
	if (DNS_MSG_MAX - len0 <
	    (size_t)olen + 10 + sizeof(tsig_alg) + 10 + DNS_TSIG_MAC_LEN + 6)
		return DDNS_ETRUNC;

	crypto_auth_hmacsha256_init(&st, key->secret, key->secret_len);
	crypto_auth_hmacsha256_update(&st, msg->data, msg->len);
	tsig_vars(&st, owner, (size_t)olen, now, DNS_TSIG_FUDGE, 0, NULL, 0);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));

	if ((ret = ddns_buf_append(msg, owner, (size_t)olen)) != 0 ||
	    (ret = ddns_buf_append_u16(msg, DNS_TYPE_TSIG)) != 0 ||
	    (ret = ddns_buf_append_u16(msg, DNS_CLASS_ANY)) != 0 ||
	    (ret = ddns_buf_append_u32(msg, 0)) != 0 ||
	    (ret = ddns_buf_append_u16(msg, (uint16_t)(sizeof(tsig_alg) + 10 +
						       DNS_TSIG_MAC_LEN +
						       6))) != 0 ||
	    (ret = ddns_buf_append(msg, tsig_alg, sizeof(tsig_alg))) != 0)
		goto out;
	wr48(rd, now);
	wr16(rd + 6, DNS_TSIG_FUDGE);
	wr16(rd + 8, DNS_TSIG_MAC_LEN);
	if ((ret = ddns_buf_append(msg, rd, 10)) != 0 ||
	    (ret = ddns_buf_append(msg, mac, DNS_TSIG_MAC_LEN)) != 0)
		goto out;
	memcpy(rd, msg->data, 2); /* original id */
	memset(rd + 2, 0, 4);     /* error, other len */
	if ((ret = ddns_buf_append(msg, rd, 6)) != 0)
		goto out;
	wr16(msg->data + 10, (uint16_t)(arcount + 1));
out:
	if (ret != 0)
		msg->len = len0;
	return ret;
}

/* Parses the TSIG RDATA at pos (rdlen bytes, already bounds-checked). */
static int
tsig_rdata(const uint8_t *msg, size_t pos, size_t rdlen, struct tsig_rr *rr)
{
	size_t end = pos + rdlen;
	const uint8_t *p;
	int n;

	n = dns_name_unpack(msg, end, pos, rr->alg, sizeof(rr->alg), &pos);
	if (n < 0)
		return DDNS_EMALFORMED;
	rr->alg_len = (size_t)n;
	if (end - pos < 10)
		return DDNS_EMALFORMED;
	p = msg + pos;
	rr->time_signed = ((uint64_t)rd16(p) << 32) |
			  ((uint64_t)rd16(p + 2) << 16) | rd16(p + 4);
	rr->fudge = rd16(p + 6);
	rr->mac_len = rd16(p + 8);
	pos += 10;
	if (end - pos < (size_t)rr->mac_len + 6)
		return DDNS_EMALFORMED;
	rr->mac = msg + pos;
	pos += rr->mac_len;
	rr->orig_id = rd16(msg + pos);
	rr->error = rd16(msg + pos + 2);
	rr->other_len = rd16(msg + pos + 4);
	pos += 6;
	if (end - pos != rr->other_len)
		return DDNS_EMALFORMED;
	rr->other = msg + pos;
	return 0;
}

/*
 * Finds the last additional RR and, if it is a TSIG, parses it. Returns 0,
 * DDNS_ETSIGMISSING or DDNS_EMALFORMED.
 */
static int
tsig_find(const uint8_t *msg, size_t len, struct tsig_rr *rr)
{
	size_t pos = DNS_HDR_LEN, i, nrr;
	size_t rdlen;
	int n;

	if (dns_reply_parse(msg, len, NULL) != 0)
		return DDNS_EMALFORMED;
	if (rd16(msg + 10) == 0)
		return DDNS_ETSIGMISSING;
	/* dns_reply_parse checked every bound; walk again to the last RR. */
	for (i = 0; i < rd16(msg + 4); i++) {
		if (dns_name_unpack(msg, len, pos, NULL, 0, &pos) < 0)
			return DDNS_EMALFORMED;
		pos += 4;
	}
	nrr = (size_t)rd16(msg + 6) + rd16(msg + 8) + rd16(msg + 10) - 1;
	for (i = 0; i < nrr; i++) {
		if (dns_name_unpack(msg, len, pos, NULL, 0, &pos) < 0)
			return DDNS_EMALFORMED;
		pos += 10 + (size_t)rd16(msg + pos + 8);
	}
	rr->start = pos;
	n = dns_name_unpack(msg, len, pos, rr->owner, sizeof(rr->owner), &pos);
	if (n < 0)
		return DDNS_EMALFORMED;
	rr->owner_len = (size_t)n;
	if (rd16(msg + pos) != DNS_TYPE_TSIG)
		return DDNS_ETSIGMISSING;
	if (rd16(msg + pos + 2) != DNS_CLASS_ANY || rd16(msg + pos + 4) != 0 ||
	    rd16(msg + pos + 6) != 0)
		return DDNS_EMALFORMED;
	rdlen = rd16(msg + pos + 8);
	pos += 10;
	return tsig_rdata(msg, pos, rdlen, rr);
}

static int
tsig_error(uint16_t error)
{
	switch (error) {
	case DNS_RCODE_BADKEY: return DDNS_EBADKEY;
	case DNS_RCODE_BADTIME: return DDNS_EBADTIME;
	default:
		/* BADSIG, BADTRUNC (22) and unknown codes: not accepted. */
		return DDNS_EBADSIG;
	}
}

/*
 * The common part of reply verification. The MAC covers prior_mac (with
 * its length), the pre bytes (unsigned messages since the last signed one,
 * RFC 8945 5.3.1), this message without its TSIG, and either the full TSIG
 * variables (first message) or only the timers (later messages).
 */
static int
tsig_verify(const uint8_t *msg, size_t len, const struct dns_tsig_key *key,
	    const uint8_t prior_mac[DNS_TSIG_MAC_LEN], const uint8_t *pre,
	    size_t prelen, int timers_only, uint64_t now,
	    uint8_t mac_out[DNS_TSIG_MAC_LEN])
{
	crypto_auth_hmacsha256_state st;
	struct tsig_rr rr;
	uint8_t kw[255], hdr[DNS_HDR_LEN], mac[DNS_TSIG_MAC_LEN];
	uint64_t fudge, skew;
	int klen, ret;

	if (msg == NULL || key == NULL || prior_mac == NULL)
		return DDNS_EINVAL;
	if ((klen = dns_name_to_wire(key->name, kw, sizeof(kw))) < 0)
		return DDNS_EINVAL;
	if ((ret = tsig_find(msg, len, &rr)) != 0)
		return ret;
	/* An error reply is often unsigned: report the server's verdict. */
	if (rr.error != 0)
		return tsig_error(rr.error);
	if (rr.owner_len != (size_t)klen ||
	    memcmp(rr.owner, kw, rr.owner_len) != 0)
		return DDNS_EBADKEY;
	if (rr.alg_len != sizeof(tsig_alg) ||
	    memcmp(rr.alg, tsig_alg, sizeof(tsig_alg)) != 0)
		return DDNS_EBADKEY;
	if (rr.mac_len != DNS_TSIG_MAC_LEN)
		return DDNS_EBADSIG;

	memcpy(hdr, msg, DNS_HDR_LEN);
	wr16(hdr, rr.orig_id);
	wr16(hdr + 10, (uint16_t)(rd16(hdr + 10) - 1));
	wr16(mac, DNS_TSIG_MAC_LEN);
	crypto_auth_hmacsha256_init(&st, key->secret, key->secret_len);
	crypto_auth_hmacsha256_update(&st, mac, 2);
	crypto_auth_hmacsha256_update(&st, prior_mac, DNS_TSIG_MAC_LEN);
	if (prelen > 0)
		crypto_auth_hmacsha256_update(&st, pre, prelen);
	crypto_auth_hmacsha256_update(&st, hdr, DNS_HDR_LEN);
	crypto_auth_hmacsha256_update(&st, msg + DNS_HDR_LEN,
				      rr.start - DNS_HDR_LEN);
	if (timers_only) {
		wr48(hdr, rr.time_signed);
		wr16(hdr + 6, rr.fudge);
		crypto_auth_hmacsha256_update(&st, hdr, 8);
	} else {
		tsig_vars(&st, rr.owner, rr.owner_len, rr.time_signed, rr.fudge,
			  rr.error, rr.other, rr.other_len);
	}
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
	if (sodium_memcmp(mac, rr.mac, DNS_TSIG_MAC_LEN) != 0)
		return DDNS_EBADSIG;

	/* Time is checked only once the MAC is good (RFC 8945 5.4.3). */
	fudge = rr.fudge < DNS_TSIG_FUDGE ? rr.fudge : DNS_TSIG_FUDGE;
	skew = now > rr.time_signed ? now - rr.time_signed
				    : rr.time_signed - now;
	if (skew > fudge)
		return DDNS_EBADTIME;
	if (mac_out != NULL)
		memcpy(mac_out, rr.mac, DNS_TSIG_MAC_LEN);
	return 0;
}

int
dns_tsig_verify_reply(const uint8_t *msg, size_t len,
		      const struct dns_tsig_key *key,
		      const uint8_t req_mac[DNS_TSIG_MAC_LEN], uint64_t now)
{
	return tsig_verify(msg, len, key, req_mac, NULL, 0, 0, now, NULL);
}

int
dns_tsig_verify_multi(const uint8_t *msg, size_t len,
		      const struct dns_tsig_key *key,
		      const uint8_t prior_mac[DNS_TSIG_MAC_LEN],
		      const uint8_t *pre, size_t prelen, int first,
		      uint64_t now, uint8_t mac_out[DNS_TSIG_MAC_LEN])
{
	if (first && prelen != 0)
		return DDNS_EINVAL;
	return tsig_verify(msg, len, key, prior_mac, pre, prelen, !first, now,
			   mac_out);
}
