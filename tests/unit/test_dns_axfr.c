/* SPDX-License-Identifier: MIT */
/*
 * The AXFR reader against a transfer captured from BIND 9.18: dig asked
 *   dig -y hmac-sha256:ddnsd-key:... axfr cap.test
 * through a recording TCP proxy, with named's transfer-message-size 512 so
 * that the answer spans three messages, each signed (files in data/:
 * axfr_bind_query.bin and axfr_bind_answer.bin, the raw TCP streams with
 * their 2-byte length prefixes). The zone held ns1, h1..h25 (A), h1 and h2
 * (AAAA, h2 with TTL 120), Upper (A) and _acme-challenge.h3 (TXT with two
 * strings). Unsigned intermediate messages, which BIND does not send, are
 * made by re-signing the captured messages here (RFC 8945 5.3.1).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/errors.h"
#include "dnsbackend/axfr.h"
#include "dnsbackend/tsig.h"
#include "tests/unit/unit_data.h"

#define NMSG 3

/* The key of the capture (tsig-keygen -a hmac-sha256 ddnsd-key). */
static const uint8_t secret[32] = {
	0x0f, 0x05, 0x81, 0x90, 0xbf, 0x99, 0x1a, 0xc4, 0xbc, 0xf8, 0xac,
	0xf3, 0xc7, 0x7d, 0xa7, 0xd4, 0xc1, 0x84, 0x99, 0x66, 0xcc, 0x70,
	0x53, 0xc7, 0x4d, 0xda, 0x8a, 0x46, 0xae, 0x74, 0x81, 0x18,
};

static struct dns_tsig_key key;
static uint8_t query[512], answer[4096];
static size_t qlen, alen;
static const uint8_t *msg[NMSG];
static size_t mlen[NMSG];
static uint16_t qid;
static uint8_t req_mac[DNS_TSIG_MAC_LEN];
static uint64_t t_signed;

static void setup(void);
static int feed_all(const uint8_t *const *m, const size_t *l, size_t n,
		    struct dns_rrlist *out, const struct dns_tsig_key *k,
		    uint64_t now, size_t *stopped);
static const struct dns_rr *find(const struct dns_rrlist *l, const char *n,
				 uint16_t type);
static size_t strip_tsig(const uint8_t *m, size_t len, uint8_t *out);
static size_t sign_msg(uint8_t *m, size_t len, const uint8_t *prior,
		       const uint8_t *pre, size_t prelen, int first,
		       uint8_t mac_out[DNS_TSIG_MAC_LEN]);
static int run_unsigned(unsigned k, int last_unsigned, size_t *stopped);
static int count_sink(void *arg, const char *name, uint16_t type, uint32_t ttl,
		      const uint8_t *rdata, uint16_t rdlen);

/* A sink that counts records and fails with DDNS_ENOMEM at the limit. */
struct counter {
	size_t n, a, limit;
	int seen_h25;
};

static int
count_sink(void *arg, const char *name, uint16_t type, uint32_t ttl,
	   const uint8_t *rdata, uint16_t rdlen)
{
	struct counter *c = arg;

	if (c->limit != 0 && c->n == c->limit)
		return DDNS_ENOMEM;
	c->n++;
	c->a += type == DNS_RR_A;
	if (strcmp(name, "h25.cap.test") == 0 && type == DNS_RR_A &&
	    ttl == 60 && rdlen == 4 &&
	    memcmp(rdata, "\x0a\x00\x19\x01", 4) == 0)
		c->seen_h25 = 1;
	return 0;
}

static void
setup(void)
{
	size_t off = 0, l, q;

	ck_assert_int_ge(sodium_init(), 0);
	memset(&key, 0, sizeof(key));
	snprintf(key.name, sizeof(key.name), "ddnsd-key");
	memcpy(key.secret, secret, sizeof(secret));
	key.secret_len = sizeof(secret);
	qlen = unit_data_load("axfr_bind_query.bin", query, sizeof(query));
	alen = unit_data_load("axfr_bind_answer.bin", answer, sizeof(answer));
	/* The query: prefix, message whose last RR is dig's TSIG. */
	q = (size_t)(query[0] << 8 | query[1]);
	ck_assert_uint_eq(q + 2, qlen);
	qid = (uint16_t)(query[2] << 8 | query[3]);
	memcpy(req_mac, query + qlen - 6 - DNS_TSIG_MAC_LEN, DNS_TSIG_MAC_LEN);
	for (int i = 0; i < NMSG; i++) {
		ck_assert_uint_lt(off + 2, alen);
		l = (size_t)(answer[off] << 8 | answer[off + 1]);
		msg[i] = answer + off + 2;
		mlen[i] = l;
		off += 2 + l;
	}
	ck_assert_uint_eq(off, alen);
	/* Time signed of the first answer: 6 bytes after "hmac-sha256." */
	for (size_t i = 0; i + 13 < mlen[0]; i++)
		if (memcmp(msg[0] + i, "\x0bhmac-sha256\x00", 13) == 0)
			for (int k = 0; k < 6; k++)
				t_signed = t_signed << 8 | msg[0][i + 13 + k];
	ck_assert_uint_gt(t_signed, 0);
}

/* Feeds n messages; returns the last feed's result, *stopped its index. */
static int
feed_all(const uint8_t *const *m, const size_t *l, size_t n,
	 struct dns_rrlist *out, const struct dns_tsig_key *k, uint64_t now,
	 size_t *stopped)
{
	struct dns_axfr x;
	int ret = DDNS_EINVAL;
	size_t i;

	ck_assert_int_eq(dns_axfr_init(&x, "cap.test", qid, k, req_mac, out),
			 0);
	for (i = 0; i < n; i++) {
		ret = dns_axfr_feed(&x, m[i], l[i], now);
		if (ret != 0)
			break;
	}
	if (stopped != NULL)
		*stopped = i;
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

START_TEST(query_build)
{
	struct ddns_buf b = { 0 };
	static const uint8_t want[] = {
		0x12, 0x34, 0,   0, 0,   1,   0,   0,   0, 0, 0,   0, 3,
		'c',  'a',  'p', 4, 't', 'e', 's', 't', 0, 0, 252, 0, 1,
	};

	ck_assert_int_eq(dns_axfr_query_build(&b, 0x1234, "Cap.Test."), 0);
	ck_assert_uint_eq(b.len, sizeof(want));
	ck_assert_mem_eq(b.data, want, sizeof(want));
	ck_assert_int_eq(dns_axfr_query_build(&b, 1, "bad..name"),
			 DDNS_ENOTFQDN);
	ddns_buf_free(&b);
}
END_TEST

/* The same transfer through a sink: the same records, its error ends it. */
START_TEST(sink)
{
	struct counter c = { 0 };
	struct dns_axfr_sink k = { count_sink, &c };
	struct dns_axfr x;
	int ret = 0;

	ck_assert_int_eq(
		dns_axfr_init_sink(&x, "cap.test", qid, &key, req_mac, &k), 0);
	for (size_t i = 0; i < NMSG && ret == 0; i++)
		ret = dns_axfr_feed(&x, msg[i], mlen[i], t_signed);
	dns_axfr_fini(&x);
	ck_assert_int_eq(ret, 1);
	ck_assert_uint_eq(c.n, 30);
	ck_assert_uint_eq(c.a, 27);
	ck_assert_int_eq(c.seen_h25, 1);
	ck_assert_uint_eq(x.nsigner, 0);

	memset(&c, 0, sizeof(c));
	c.limit = 5;
	ck_assert_int_eq(
		dns_axfr_init_sink(&x, "cap.test", qid, &key, req_mac, &k), 0);
	ck_assert_int_eq(dns_axfr_feed(&x, msg[0], mlen[0], t_signed),
			 DDNS_ENOMEM);
	ck_assert_int_eq(dns_axfr_feed(&x, msg[1], mlen[1], t_signed),
			 DDNS_EINVAL);
	dns_axfr_fini(&x);
	ck_assert_uint_eq(c.n, 5);
	k.rr = NULL;
	ck_assert_int_eq(
		dns_axfr_init_sink(&x, "cap.test", qid, &key, req_mac, &k),
		DDNS_EINVAL);
}
END_TEST

START_TEST(bind_capture)
{
	struct dns_rrlist l = { 0 };
	const struct dns_rr *rr;
	size_t stopped, na = 0;

	ck_assert_int_eq(
		feed_all(msg, mlen, NMSG, &l, &key, t_signed, &stopped), 1);
	ck_assert_uint_eq(stopped, NMSG - 1);
	for (size_t i = 0; i < l.n; i++)
		na += l.rr[i].type == DNS_RR_A;
	ck_assert_uint_eq(na, 27); /* ns1, h1..h25, upper */
	ck_assert_uint_eq(l.n, 30);
	rr = find(&l, "h25.cap.test", DNS_RR_A);
	ck_assert_ptr_nonnull(rr);
	ck_assert_uint_eq(rr->ttl, 60);
	ck_assert_mem_eq(rr->rdata, "\x0a\x00\x19\x01", 4);
	ck_assert_ptr_nonnull(find(&l, "upper.cap.test", DNS_RR_A));
	rr = find(&l, "h2.cap.test", DNS_RR_AAAA);
	ck_assert_ptr_nonnull(rr);
	ck_assert_uint_eq(rr->ttl, 120);
	ck_assert_uint_eq(rr->rdlen, 16);
	rr = find(&l, "_acme-challenge.h3.cap.test", DNS_RR_TXT);
	ck_assert_ptr_nonnull(rr);
	ck_assert_uint_eq(rr->rdlen, 22);
	ck_assert_mem_eq(rr->rdata,
			 "\x07tok-abc\x0d"
			 "second string",
			 22);
	dns_rrlist_sort(&l);
	ck_assert_str_eq(l.rr[0].name, "_acme-challenge.h3.cap.test");
	dns_rrlist_free(&l);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(wrong_key)
{
	struct dns_tsig_key bad = key;
	struct dns_rrlist l = { 0 };
	size_t stopped;

	bad.secret[0] ^= 1;
	ck_assert_int_eq(
		feed_all(msg, mlen, NMSG, &l, &bad, t_signed, &stopped),
		DDNS_EBADSIG);
	ck_assert_uint_eq(stopped, 0);
	snprintf(bad.name, sizeof(bad.name), "other-key");
	memcpy(bad.secret, secret, sizeof(secret));
	ck_assert_int_eq(feed_all(msg, mlen, 1, &l, &bad, t_signed, NULL),
			 DDNS_EBADKEY);
	dns_rrlist_free(&l);
}
END_TEST

START_TEST(tampered_middle)
{
	uint8_t copy[1024];
	const uint8_t *m[NMSG] = { msg[0], copy, msg[2] };
	struct dns_rrlist l = { 0 };
	size_t stopped;

	memcpy(copy, msg[1], mlen[1]);
	copy[mlen[1] / 2] ^= 0x01; /* inside an RR of the answer section */
	ck_assert_int_ne(feed_all(m, mlen, NMSG, &l, &key, t_signed, &stopped),
			 1);
	ck_assert_uint_eq(stopped, 1);
	dns_rrlist_free(&l);
}
END_TEST

START_TEST(missing_or_reordered)
{
	const uint8_t *m[2] = { msg[0], msg[2] };
	const size_t l2[2] = { mlen[0], mlen[2] };
	struct dns_rrlist l = { 0 };
	size_t stopped;

	/* Message 2 dropped: the chain of MACs breaks at message 3. */
	ck_assert_int_eq(feed_all(m, l2, 2, &l, &key, t_signed, &stopped),
			 DDNS_EBADSIG);
	ck_assert_uint_eq(stopped, 1);
	dns_rrlist_free(&l);
	/* Cut short: not complete (the caller treats EOF as malformed). */
	ck_assert_int_eq(feed_all(msg, mlen, 2, &l, &key, t_signed, NULL), 0);
	dns_rrlist_free(&l);
}
END_TEST

START_TEST(time_and_id)
{
	struct dns_rrlist l = { 0 };
	struct dns_axfr x;

	ck_assert_int_eq(feed_all(msg, mlen, 1, &l, &key, t_signed + 301, NULL),
			 DDNS_EBADTIME);
	dns_rrlist_free(&l);
	ck_assert_int_eq(dns_axfr_init(&x, "cap.test", (uint16_t)(qid + 1),
				       &key, req_mac, &l),
			 0);
	ck_assert_int_eq(dns_axfr_feed(&x, msg[0], mlen[0], t_signed),
			 DDNS_EMALFORMED);
	/* After an error the reader refuses to go on. */
	ck_assert_int_eq(dns_axfr_feed(&x, msg[1], mlen[1], t_signed),
			 DDNS_EINVAL);
	dns_axfr_fini(&x);
	/* Another zone's transfer does not open with our SOA. */
	ck_assert_int_eq(
		dns_axfr_init(&x, "other.test", qid, &key, req_mac, &l), 0);
	ck_assert_int_eq(dns_axfr_feed(&x, msg[0], mlen[0], t_signed),
			 DDNS_EMALFORMED);
	dns_axfr_fini(&x);
	dns_rrlist_free(&l);
}
END_TEST

/* Copies m without its TSIG RR (the last additional), ARCOUNT - 1. */
static size_t
strip_tsig(const uint8_t *m, size_t len, uint8_t *out)
{
	size_t at = 0;

	for (size_t i = 0; i + 13 < len; i++)
		if (memcmp(m + i,
			   "\x09"
			   "ddnsd-key\x00\x00\xfa",
			   13) == 0)
			at = i;
	ck_assert_uint_gt(at, 0);
	memcpy(out, m, at);
	out[11]--;
	return at;
}

/* Appends a TSIG to m as a server would (RFC 8945 5.3.1); new length. */
static size_t
sign_msg(uint8_t *m, size_t len, const uint8_t *prior, const uint8_t *pre,
	 size_t prelen, int first, uint8_t mac_out[DNS_TSIG_MAC_LEN])
{
	static const uint8_t owner[] = "\x09"
				       "ddnsd-key";
	static const uint8_t alg[] = "\x0bhmac-sha256";
	crypto_auth_hmacsha256_state st;
	uint8_t v[16] = { 0 }, pfx[2] = { 0, DNS_TSIG_MAC_LEN };
	uint64_t t = t_signed;
	size_t o = len;

	for (int i = 5; i >= 0; i--, t >>= 8)
		v[i] = (uint8_t)t;
	v[6] = 0x01;
	v[7] = 0x2c; /* fudge 300; v[8..11] error 0, other len 0 */
	crypto_auth_hmacsha256_init(&st, secret, sizeof(secret));
	crypto_auth_hmacsha256_update(&st, pfx, 2);
	crypto_auth_hmacsha256_update(&st, prior, DNS_TSIG_MAC_LEN);
	crypto_auth_hmacsha256_update(&st, pre, prelen);
	crypto_auth_hmacsha256_update(&st, m, len);
	if (first) {
		crypto_auth_hmacsha256_update(&st, owner, sizeof(owner));
		crypto_auth_hmacsha256_update(
			&st, (const uint8_t *)"\0\xff\0\0\0\0", 6);
		crypto_auth_hmacsha256_update(&st, alg, sizeof(alg));
		crypto_auth_hmacsha256_update(&st, v, 12);
	} else {
		crypto_auth_hmacsha256_update(&st, v, 8);
	}
	crypto_auth_hmacsha256_final(&st, mac_out);
	memcpy(m + o, owner, sizeof(owner));
	o += sizeof(owner);
	memcpy(m + o, "\x00\xfa\x00\xff\0\0\0\0\x00\x3d", 10);
	o += 10;
	memcpy(m + o, alg, sizeof(alg));
	o += sizeof(alg);
	memcpy(m + o, v, 8);
	o += 8;
	memcpy(m + o, pfx, 2);
	o += 2;
	memcpy(m + o, mac_out, DNS_TSIG_MAC_LEN);
	o += DNS_TSIG_MAC_LEN;
	memcpy(m + o, m, 2); /* original id */
	memset(m + o + 2, 0, 4);
	o += 6;
	m[11]++;
	return o;
}

/*
 * 1 signed, k unsigned copies of message 2 (no SOA in it), message 3
 * signed, or unsigned when last_unsigned.
 */
static int
run_unsigned(unsigned k, int last_unsigned, size_t *stopped)
{
	static uint8_t bufs[3][1024];
	uint8_t mac[DNS_TSIG_MAC_LEN], *pre;
	const uint8_t **m;
	size_t *l, prelen, mid;
	struct dns_rrlist lst = { 0 };
	int ret;

	m = calloc(k + 2, sizeof(*m));
	l = calloc(k + 2, sizeof(*l));
	pre = malloc((size_t)k * 1024 + 1);
	ck_assert(m != NULL && l != NULL && pre != NULL);
	l[0] = sign_msg(bufs[0], strip_tsig(msg[0], mlen[0], bufs[0]), req_mac,
			NULL, 0, 1, mac);
	mid = strip_tsig(msg[1], mlen[1], bufs[1]);
	m[0] = bufs[0];
	prelen = 0;
	for (unsigned i = 1; i <= k; i++) {
		m[i] = bufs[1];
		l[i] = mid;
		memcpy(pre + prelen, bufs[1], mid);
		prelen += mid;
	}
	l[k + 1] = strip_tsig(msg[2], mlen[2], bufs[2]);
	if (!last_unsigned)
		l[k + 1] =
			sign_msg(bufs[2], l[k + 1], mac, pre, prelen, 0, mac);
	m[k + 1] = bufs[2];
	ret = feed_all(m, l, k + 2, &lst, &key, t_signed, stopped);
	dns_rrlist_free(&lst);
	free(m);
	free(l);
	free(pre);
	return ret;
}

START_TEST(unsigned_intermediate)
{
	size_t stopped;

	ck_assert_int_eq(run_unsigned(1, 0, &stopped), 1);
	ck_assert_int_eq(run_unsigned(DNS_AXFR_UNSIGNED_MAX, 0, &stopped), 1);
	/* The 100th unsigned message in a row must have been signed. */
	ck_assert_int_eq(run_unsigned(DNS_AXFR_UNSIGNED_MAX + 1, 0, &stopped),
			 DDNS_ETSIGMISSING);
	ck_assert_uint_eq(stopped, DNS_AXFR_UNSIGNED_MAX + 1);
	/* The last message must be signed. */
	ck_assert_int_eq(run_unsigned(1, 1, &stopped), DDNS_ETSIGMISSING);
	ck_assert_uint_eq(stopped, 2);
}
END_TEST

static Suite *
axfr_suite(void)
{
	Suite *s = suite_create("dns_axfr");
	TCase *tc = tcase_create("axfr");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, query_build);
	tcase_add_test(tc, bind_capture);
	tcase_add_test(tc, sink);
	tcase_add_test(tc, wrong_key);
	tcase_add_test(tc, tampered_middle);
	tcase_add_test(tc, missing_or_reordered);
	tcase_add_test(tc, time_and_id);
	tcase_add_test(tc, unsigned_intermediate);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(axfr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
