/* SPDX-License-Identifier: MIT */
/*
 * Signed zones: which record types are the signer's, and the AXFR reader
 * over transfers of a DNSSEC-signed zone captured from BIND 9.18
 * (dnssec-policy default, inline-signing) and Knot 3.2 (dnssec-signing,
 * ECDSA P-256 CSK, NSEC), both started by deploy/local/services.sh
 * --signed. dig asked each for
 *   dig +tcp -k tsig.key @127.0.0.1 -p PORT dyn.test AXFR
 * through a recording TCP proxy (data/axfr_signed_{bind,knot}_{query,
 * answer}.bin, the raw TCP streams with their 2-byte length prefixes) after
 *   update add h1.dyn.test 60 A 10.0.0.1
 *   update add h1.dyn.test 60 AAAA 2001:db8::1
 *   update add h2.dyn.test 120 A 10.0.0.2
 *   update add _acme-challenge.h1.dyn.test 60 TXT "tok-abc"
 * The zone also holds ns1 (A). BIND's answer has 14 RRSIG, 5 NSEC, a
 * DNSKEY and a TYPE65534; Knot's 15 RRSIG, 5 NSEC, a DNSKEY, a CDS and a
 * CDNSKEY.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/errors.h"
#include "dnsbackend/axfr.h"
#include "dnsbackend/dnssec.h"
#include "tests/unit/unit_data.h"

#define MSG_MAX 8

/* The throwaway keys of the captures (tsig-keygen -a hmac-sha256). */
static const uint8_t bind_secret[32] = {
	0xb9, 0x20, 0x4d, 0x05, 0xa1, 0x53, 0xe4, 0x65, 0x1c, 0x0d, 0x76,
	0x02, 0x5a, 0x21, 0x55, 0xc0, 0x74, 0xb3, 0x65, 0x6f, 0xca, 0x18,
	0x9e, 0x56, 0xe8, 0x24, 0x1d, 0x87, 0xa2, 0x46, 0x59, 0x10,
};
static const uint8_t knot_secret[32] = {
	0x94, 0x7f, 0xa7, 0x3b, 0xfd, 0x28, 0xa0, 0xc4, 0xf2, 0x55, 0x04,
	0x42, 0xdb, 0x78, 0x15, 0xe0, 0xb7, 0x3a, 0x7e, 0x8f, 0x8b, 0x5c,
	0x60, 0xe4, 0xf7, 0xca, 0x53, 0xca, 0x23, 0x40, 0x83, 0x06,
};

struct capture {
	struct dns_tsig_key key;
	uint8_t query[512], answer[8192];
	size_t qlen, alen, nmsg;
	const uint8_t *msg[MSG_MAX];
	size_t mlen[MSG_MAX];
	uint16_t qid;
	uint8_t req_mac[DNS_TSIG_MAC_LEN];
	uint64_t t_signed;
};

static void load(struct capture *c, const char *ns, const uint8_t *secret);
static int feed(struct capture *c, struct dns_rrlist *out);
static const struct dns_rr *find(const struct dns_rrlist *l, const char *n,
				 uint16_t type);
static void check_kept(const struct dns_rrlist *l);

static void
load(struct capture *c, const char *ns, const uint8_t *secret)
{
	char name[64];
	size_t off = 0, l, q;

	ck_assert_int_ge(sodium_init(), 0);
	memset(c, 0, sizeof(*c));
	snprintf(c->key.name, sizeof(c->key.name), "ddnsd-key");
	memcpy(c->key.secret, secret, 32);
	c->key.secret_len = 32;
	snprintf(name, sizeof(name), "axfr_signed_%s_query.bin", ns);
	c->qlen = unit_data_load(name, c->query, sizeof(c->query));
	snprintf(name, sizeof(name), "axfr_signed_%s_answer.bin", ns);
	c->alen = unit_data_load(name, c->answer, sizeof(c->answer));
	/* The query: prefix, message whose last RR is dig's TSIG. */
	q = (size_t)(c->query[0] << 8 | c->query[1]);
	ck_assert_uint_eq(q + 2, c->qlen);
	c->qid = (uint16_t)(c->query[2] << 8 | c->query[3]);
	memcpy(c->req_mac, c->query + c->qlen - 6 - DNS_TSIG_MAC_LEN,
	       DNS_TSIG_MAC_LEN);
	while (off < c->alen) {
		ck_assert_uint_lt(c->nmsg, MSG_MAX);
		ck_assert_uint_lt(off + 2, c->alen);
		l = (size_t)(c->answer[off] << 8 | c->answer[off + 1]);
		c->msg[c->nmsg] = c->answer + off + 2;
		c->mlen[c->nmsg++] = l;
		off += 2 + l;
	}
	ck_assert_uint_eq(off, c->alen);
	/* Time signed of the first answer: 6 bytes after "hmac-sha256." */
	for (size_t i = 0; i + 13 < c->mlen[0]; i++)
		if (memcmp(c->msg[0] + i, "\x0bhmac-sha256\x00", 13) == 0)
			for (int k = 0; k < 6; k++)
				c->t_signed = c->t_signed << 8 |
					      c->msg[0][i + 13 + k];
	ck_assert_uint_gt(c->t_signed, 0);
}

/* Feeds every message; returns the last result (1: complete). */
static int
feed(struct capture *c, struct dns_rrlist *out)
{
	struct dns_axfr x;
	int ret = DDNS_EINVAL;

	ck_assert_int_eq(
		dns_axfr_init(&x, "dyn.test", c->qid, &c->key, c->req_mac, out),
		0);
	for (size_t i = 0; i < c->nmsg; i++)
		if ((ret = dns_axfr_feed(&x, c->msg[i], c->mlen[i],
					 c->t_signed)) != 0)
			break;
	dns_axfr_fini(&x);
	return ret;
}

static const struct dns_rr *
find(const struct dns_rrlist *l, const char *n, uint16_t type)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->rr[i].name, n) == 0 && l->rr[i].type == type)
			return &l->rr[i];
	return NULL;
}

/* Exactly the hosts' kind of records survive, none of the signer's. */
static void
check_kept(const struct dns_rrlist *l)
{
	const struct dns_rr *rr;

	ck_assert_uint_eq(l->n, 5); /* ns1, h1, h2 A; h1 AAAA; the TXT */
	for (size_t i = 0; i < l->n; i++)
		ck_assert(!dns_rrtype_is_signers(l->rr[i].type));
	rr = find(l, "h1.dyn.test", DNS_RR_A);
	ck_assert_ptr_nonnull(rr);
	ck_assert_mem_eq(rr->rdata, "\x0a\x00\x00\x01", 4);
	ck_assert_uint_eq(rr->ttl, 60);
	rr = find(l, "h2.dyn.test", DNS_RR_A);
	ck_assert_ptr_nonnull(rr);
	ck_assert_uint_eq(rr->ttl, 120);
	ck_assert_ptr_nonnull(find(l, "h1.dyn.test", DNS_RR_AAAA));
	ck_assert_ptr_nonnull(find(l, "ns1.dyn.test", DNS_RR_A));
	rr = find(l, "_acme-challenge.h1.dyn.test", DNS_RR_TXT);
	ck_assert_ptr_nonnull(rr);
	ck_assert_uint_eq(rr->rdlen, 8);
	ck_assert_mem_eq(rr->rdata, "\x07tok-abc", 8);
}

START_TEST(signer_types)
{
	static const uint16_t signers[] = { 46, 47, 48, 50,   51,
					    59, 60, 63, 65534 };
	/* A, NS, CNAME, SOA, MX, TXT, AAAA, SRV, DS, TLSA, HTTPS, CAA,
	 * 65533, 65535 */
	static const uint16_t others[] = { 1,  2,  5,  6,  15,  16,    28,
					   33, 43, 52, 65, 257, 65533, 65535 };

	for (size_t i = 0; i < sizeof(signers) / sizeof(signers[0]); i++)
		ck_assert_msg(dns_rrtype_is_signers(signers[i]), "type %u",
			      signers[i]);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		ck_assert_msg(!dns_rrtype_is_signers(others[i]), "type %u",
			      others[i]);
}
END_TEST

START_TEST(bind_signed_axfr)
{
	static struct capture c;
	struct dns_rrlist l = { 0 };

	load(&c, "bind", bind_secret);
	ck_assert_int_eq(feed(&c, &l), 1);
	check_kept(&l);
	ck_assert_uint_eq(l.nsigner, 21); /* 14 RRSIG, 5 NSEC, DNSKEY, 65534 */
	dns_rrlist_free(&l);
	ck_assert_uint_eq(l.nsigner, 0);
}
END_TEST

START_TEST(knot_signed_axfr)
{
	static struct capture c;
	struct dns_rrlist l = { 0 };

	load(&c, "knot", knot_secret);
	ck_assert_int_eq(feed(&c, &l), 1);
	check_kept(&l);
	ck_assert_uint_eq(l.nsigner, 23); /* 15 RRSIG, 5 NSEC, DNSKEY, CDS,
	                                     CDNSKEY */
	dns_rrlist_free(&l);
}
END_TEST

/* A signature of the transfer still matters in a signed zone. */
START_TEST(signed_axfr_wrong_key)
{
	static struct capture c;
	struct dns_rrlist l = { 0 };

	load(&c, "knot", bind_secret);
	ck_assert_int_eq(feed(&c, &l), DDNS_EBADSIG);
	dns_rrlist_free(&l);
}
END_TEST

static Suite *
dnssec_suite(void)
{
	Suite *s = suite_create("dns_dnssec");
	TCase *tc = tcase_create("dnssec");

	tcase_add_test(tc, signer_types);
	tcase_add_test(tc, bind_signed_axfr);
	tcase_add_test(tc, knot_signed_axfr);
	tcase_add_test(tc, signed_axfr_wrong_key);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dnssec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
