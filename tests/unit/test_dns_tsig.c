/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/errors.h"
#include "dnsbackend/tsig.h"
#include "dnsbackend/wire.h"
#include "tests/unit/unit_data.h"

#define T0 0x6b0987baULL /* time signed of the captured vector */

/* tsig-keygen -a hmac-sha256 ddns-test.example. (secret decoded) */
static const uint8_t secret[32] = {
	0x60, 0x99, 0x4e, 0x0e, 0x11, 0x90, 0xde, 0xa1, 0x3a, 0x27, 0xdd,
	0x38, 0xd8, 0xfe, 0xd1, 0x66, 0xf9, 0x47, 0x48, 0xe7, 0xe0, 0xfe,
	0x6a, 0xfa, 0xc4, 0x86, 0xc6, 0x95, 0x5a, 0x80, 0xe5, 0xd6,
};

/*
 * An UPDATE as BIND 9.18's nsupdate sent it (tests/unit/unit_data.h), with
 * the id 0x6766 it carried when signed below: unsigned part, loaded once.
 */
static uint8_t req[UNIT_NSUPDATE_LEN + 1];
static size_t req_len;

/*
 * The TSIG RR nsupdate -y hmac-sha256:ddns-test.example.:... appended to
 * req (ARCOUNT became 1). Its MAC was recomputed independently with
 *   openssl dgst -sha256 -mac HMAC -macopt hexkey:60994e0e...e5d6
 * over req followed by the TSIG variables
 *   09 "ddns-test" 07 "example" 00 | 00ff | 00000000 |
 *   0b "hmac-sha256" 00 | 00006b0987ba | 012c | 0000 | 0000
 * and gave 842d0002...5557a9, the same as below.
 */
static const uint8_t req_tsig[] = {
	0x09, 0x64, 0x64, 0x6e, 0x73, 0x2d, 0x74, 0x65, 0x73, 0x74, 0x07, 0x65,
	0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x00, 0x00, 0xfa, 0x00, 0xff, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x3d, 0x0b, 0x68, 0x6d, 0x61, 0x63, 0x2d, 0x73,
	0x68, 0x61, 0x32, 0x35, 0x36, 0x00, 0x00, 0x00, 0x6b, 0x09, 0x87, 0xba,
	0x01, 0x2c, 0x00, 0x20, 0x84, 0x2d, 0x00, 0x02, 0x47, 0xc5, 0x93, 0x9a,
	0xb4, 0x02, 0xfa, 0x20, 0xc2, 0x5b, 0x56, 0xc8, 0x04, 0xe3, 0x12, 0x35,
	0xb3, 0xaf, 0xc0, 0x96, 0x2b, 0x0f, 0xff, 0xe3, 0x11, 0x55, 0x57, 0xa9,
	0x67, 0x66, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t expected_mac[32] = {
	0x84, 0x2d, 0x00, 0x02, 0x47, 0xc5, 0x93, 0x9a, 0xb4, 0x02, 0xfa,
	0x20, 0xc2, 0x5b, 0x56, 0xc8, 0x04, 0xe3, 0x12, 0x35, 0xb3, 0xaf,
	0xc0, 0x96, 0x2b, 0x0f, 0xff, 0xe3, 0x11, 0x55, 0x57, 0xa9,
};

static const uint8_t alg_wire[] = "\x0bhmac-sha256"; /* with the NUL */

/* How the test server signs (or does not sign) its reply. */
struct srv {
	const char *keyname;
	uint64_t time;
	uint16_t error;
	int with_mac;
	const uint8_t *other;
	uint16_t other_len;
};

static void make_key(struct dns_tsig_key *k, const char *name);
static void sign_request(struct ddns_buf *m, const struct dns_tsig_key *k,
			 uint8_t mac[32]);
static void make_reply(struct ddns_buf *r, uint16_t id, uint8_t rcode);
static void server_sign(struct ddns_buf *r, const struct srv *s,
			const uint8_t req_mac[32]);
static void build_signed_reply(struct ddns_buf *r, struct dns_tsig_key *k,
			       uint8_t mac[32], const struct srv *s);
static Suite *tsig_suite(void);
static void load_req(void);

static void
load_req(void)
{
	req_len = unit_data_load(UNIT_NSUPDATE_FILE, req, sizeof(req));
	ck_assert_uint_eq(req_len, UNIT_NSUPDATE_LEN);
	req[0] = 0x67; /* the id of the signed capture */
	req[1] = 0x66;
}

static void
make_key(struct dns_tsig_key *k, const char *name)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", name);
	memcpy(k->secret, secret, sizeof(secret));
	k->secret_len = sizeof(secret);
}

static void
sign_request(struct ddns_buf *m, const struct dns_tsig_key *k, uint8_t mac[32])
{
	ddns_buf_reset(m);
	ck_assert_int_eq(ddns_buf_append(m, req, req_len), 0);
	ck_assert_int_eq(dns_tsig_sign(m, k, T0, mac), 0);
}

/* An answer to req: header with QR and opcode UPDATE, zone echoed. */
static void
make_reply(struct ddns_buf *r, uint16_t id, uint8_t rcode)
{
	ddns_buf_reset(r);
	ck_assert_int_eq(ddns_buf_append_u16(r, id), 0);
	ck_assert_int_eq(ddns_buf_append_u16(r, 0xa800 | rcode), 0);
	ck_assert_int_eq(ddns_buf_append(r, "\0\1\0\0\0\0\0\0", 8), 0);
	ck_assert_int_eq(ddns_buf_append(r, req + 12, 17), 0);
}

/*
 * Written from RFC 8945 4.3 independently of tsig.c: MAC over the request
 * MAC (with its length), the reply as it is, then the TSIG variables.
 */
static void
server_sign(struct ddns_buf *r, const struct srv *s, const uint8_t req_mac[32])
{
	crypto_auth_hmacsha256_state st;
	uint8_t owner[255], mac[32], v[16];
	uint16_t ar;
	int olen;

	olen = dns_name_to_wire(s->keyname, owner, sizeof(owner));
	ck_assert_int_gt(olen, 0);
	v[0] = 0;
	v[1] = 32;
	crypto_auth_hmacsha256_init(&st, secret, sizeof(secret));
	crypto_auth_hmacsha256_update(&st, v, 2);
	crypto_auth_hmacsha256_update(&st, req_mac, 32);
	crypto_auth_hmacsha256_update(&st, r->data, r->len);
	crypto_auth_hmacsha256_update(&st, owner, (size_t)olen);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)"\0\377\0\0\0\0",
				      6);
	crypto_auth_hmacsha256_update(&st, alg_wire, sizeof(alg_wire));
	v[0] = v[1] = 0;
	v[2] = (uint8_t)(s->time >> 24);
	v[3] = (uint8_t)(s->time >> 16);
	v[4] = (uint8_t)(s->time >> 8);
	v[5] = (uint8_t)s->time;
	v[6] = 0x01;
	v[7] = 0x2c;
	v[8] = (uint8_t)(s->error >> 8);
	v[9] = (uint8_t)s->error;
	v[10] = (uint8_t)(s->other_len >> 8);
	v[11] = (uint8_t)s->other_len;
	crypto_auth_hmacsha256_update(&st, v, 12);
	crypto_auth_hmacsha256_update(&st, s->other, s->other_len);
	crypto_auth_hmacsha256_final(&st, mac);

	ck_assert_int_eq(ddns_buf_append(r, owner, (size_t)olen), 0);
	ck_assert_int_eq(ddns_buf_append(r, "\0\372\0\377\0\0\0\0", 8), 0);
	ck_assert_int_eq(
		ddns_buf_append_u16(r, (uint16_t)(sizeof(alg_wire) + 16 +
						  (s->with_mac ? 32 : 0) +
						  s->other_len)),
		0);
	ck_assert_int_eq(ddns_buf_append(r, alg_wire, sizeof(alg_wire)), 0);
	ck_assert_int_eq(ddns_buf_append(r, v, 8), 0); /* time, fudge */
	ck_assert_int_eq(ddns_buf_append_u16(r, s->with_mac ? 32 : 0), 0);
	if (s->with_mac)
		ck_assert_int_eq(ddns_buf_append(r, mac, 32), 0);
	ck_assert_int_eq(ddns_buf_append(r, req, 2), 0); /* original id */
	ck_assert_int_eq(ddns_buf_append(r, v + 8, 4), 0);
	ck_assert_int_eq(ddns_buf_append(r, s->other, s->other_len), 0);
	ar = (uint16_t)((r->data[10] << 8 | r->data[11]) + 1);
	r->data[10] = (uint8_t)(ar >> 8);
	r->data[11] = (uint8_t)ar;
}

static void
build_signed_reply(struct ddns_buf *r, struct dns_tsig_key *k, uint8_t mac[32],
		   const struct srv *s)
{
	struct ddns_buf m = { 0 };

	make_key(k, "ddns-test.example");
	sign_request(&m, k, mac);
	make_reply(r, 0x6766, 0);
	server_sign(r, s, mac);
	ddns_buf_free(&m);
}

START_TEST(sign_known_vector)
{
	struct dns_tsig_key k;
	struct ddns_buf m = { 0 };
	uint8_t mac[32];

	/* Key name case and trailing dot do not change the MAC. */
	make_key(&k, "DDNS-test.example.");
	sign_request(&m, &k, mac);
	ck_assert_mem_eq(mac, expected_mac, 32);
	ck_assert_uint_eq(m.len, req_len + sizeof(req_tsig));
	ck_assert_uint_eq(m.data[11], 1);
	ck_assert_mem_eq(m.data + 12, req + 12, req_len - 12);
	ck_assert_mem_eq(m.data + req_len, req_tsig, sizeof(req_tsig));
	ck_assert_int_eq(dns_reply_parse(m.data, m.len, NULL), 0);
	ddns_buf_free(&m);
}
END_TEST

START_TEST(sign_errors)
{
	struct dns_tsig_key k;
	struct ddns_buf m = { 0 };
	uint8_t mac[32], *big;

	make_key(&k, "ddns-test.example");
	ck_assert_int_eq(ddns_buf_append(&m, req, 11), 0);
	ck_assert_int_eq(dns_tsig_sign(&m, &k, T0, mac), DDNS_EMALFORMED);
	/* No room left under 64 KiB for the TSIG RR. */
	big = calloc(1, DNS_MSG_MAX - 50);
	ck_assert_ptr_nonnull(big);
	ddns_buf_reset(&m);
	ck_assert_int_eq(ddns_buf_append(&m, big, DNS_MSG_MAX - 50), 0);
	ck_assert_int_eq(dns_tsig_sign(&m, &k, T0, mac), DDNS_ETRUNC);
	ck_assert_uint_eq(m.len, DNS_MSG_MAX - 50);
	ck_assert_uint_eq(m.data[11], 0);
	/* The buffer's own cap is honoured; the message is left alone. */
	ddns_buf_reset(&m);
	m.cap = req_len + 10;
	ck_assert_int_eq(ddns_buf_append(&m, req, req_len), 0);
	ck_assert_int_eq(dns_tsig_sign(&m, &k, T0, mac), DDNS_ETRUNC);
	ck_assert_uint_eq(m.len, req_len);
	ck_assert_mem_eq(m.data, req, req_len);
	free(big);
	ddns_buf_free(&m);
}
END_TEST

START_TEST(verify_roundtrip)
{
	struct srv s = { "ddns-test.example", T0 + 2, 0, 1, NULL, 0 };
	struct dns_tsig_key k;
	struct ddns_buf r = { 0 };
	uint8_t mac[32];

	build_signed_reply(&r, &k, mac, &s);
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0), 0);
	ck_assert_int_eq(
		dns_tsig_verify_reply(r.data, r.len, &k, mac, T0 + 302), 0);
	/* A forwarder may change the id: the original id is in the TSIG. */
	r.data[0] ^= 0x55;
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0), 0);
	ddns_buf_free(&r);

	/* Other data (e.g. server time) is covered by the MAC. */
	s.other = (const uint8_t *)"\0\0\1\2\3\4";
	s.other_len = 6;
	build_signed_reply(&r, &k, mac, &s);
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0), 0);
	r.data[r.len - 1] ^= 1;
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0),
			 DDNS_EBADSIG);
	ddns_buf_free(&r);
}
END_TEST

START_TEST(verify_badsig)
{
	struct srv s = { "ddns-test.example", T0, 0, 1, NULL, 0 };
	struct dns_tsig_key k;
	struct ddns_buf r = { 0 };
	uint8_t mac[32];
	size_t macoff;

	build_signed_reply(&r, &k, mac, &s);
	/* a letter of the zone name in the reply body */
	r.data[14] ^= 0x01;
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0),
			 DDNS_EBADSIG);
	r.data[14] ^= 0x01;
	/* the rcode */
	r.data[3] ^= 0x05;
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0),
			 DDNS_EBADSIG);
	r.data[3] ^= 0x05;
	/* the MAC itself: last 6 bytes are id, error, other len */
	macoff = r.len - 6 - 32;
	r.data[macoff + 7] ^= 0x80;
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0),
			 DDNS_EBADSIG);
	r.data[macoff + 7] ^= 0x80;
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0), 0);
	/* the request MAC it chains to */
	mac[0] ^= 1;
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0),
			 DDNS_EBADSIG);
	mac[0] ^= 1;
	/* other secret, same name */
	k.secret[5] ^= 1;
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0),
			 DDNS_EBADSIG);
	ddns_buf_free(&r);
}
END_TEST

START_TEST(verify_badkey)
{
	struct srv s = { "ddns-test.example", T0, 0, 1, NULL, 0 };
	struct dns_tsig_key k, other;
	struct ddns_buf r = { 0 };
	uint8_t mac[32];
	uint8_t *p;

	build_signed_reply(&r, &k, mac, &s);
	make_key(&other, "other.example");
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &other, mac, T0),
			 DDNS_EBADKEY);
	/* Key names compare case-insensitively. */
	make_key(&other, "DDNS-TEST.example.");
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &other, mac, T0),
			 0);
	/* Another algorithm: hmac-sha256 -> hmac-sha512 */
	p = r.data + r.len - 6 - 32 - 10 - sizeof(alg_wire);
	ck_assert_mem_eq(p, alg_wire, sizeof(alg_wire));
	memcpy(p + 9, "512", 3);
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0),
			 DDNS_EBADKEY);
	ddns_buf_free(&r);
}
END_TEST

START_TEST(verify_badtime)
{
	struct srv s = { "ddns-test.example", T0, 0, 1, NULL, 0 };
	struct dns_tsig_key k;
	struct ddns_buf r = { 0 };
	uint8_t mac[32];

	build_signed_reply(&r, &k, mac, &s);
	ck_assert_int_eq(
		dns_tsig_verify_reply(r.data, r.len, &k, mac, T0 + 300), 0);
	ck_assert_int_eq(
		dns_tsig_verify_reply(r.data, r.len, &k, mac, T0 - 300), 0);
	ck_assert_int_eq(
		dns_tsig_verify_reply(r.data, r.len, &k, mac, T0 + 301),
		DDNS_EBADTIME);
	ck_assert_int_eq(
		dns_tsig_verify_reply(r.data, r.len, &k, mac, T0 - 301),
		DDNS_EBADTIME);
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, 0),
			 DDNS_EBADTIME);
	ddns_buf_free(&r);
}
END_TEST

START_TEST(verify_missing)
{
	struct dns_tsig_key k;
	struct ddns_buf r = { 0 };
	uint8_t mac[32] = { 0 };

	make_key(&k, "ddns-test.example");
	make_reply(&r, 0x6766, DNS_RCODE_NOTAUTH);
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0),
			 DDNS_ETSIGMISSING);
	/* The last additional RR is an OPT, not a TSIG. */
	ck_assert_int_eq(ddns_buf_append(&r, "\0\0\51\20\0\0\0\0\0\0\0", 11),
			 0);
	r.data[11] = 1;
	ck_assert_int_eq(dns_reply_parse(r.data, r.len, NULL), 0);
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0),
			 DDNS_ETSIGMISSING);
	ddns_buf_free(&r);
}
END_TEST

START_TEST(verify_malformed)
{
	struct srv s = { "ddns-test.example", T0, 0, 1, NULL, 0 };
	struct dns_tsig_key k;
	struct ddns_buf r = { 0 };
	uint8_t mac[32], m[512];
	unsigned seed = 7;
	size_t i, len;

	build_signed_reply(&r, &k, mac, &s);
	for (len = 0; len < r.len; len++)
		ck_assert_int_eq(
			dns_tsig_verify_reply(r.data, len, &k, mac, T0),
			DDNS_EMALFORMED);
	/* RDLENGTH one short: the TSIG fields no longer add up */
	ck_assert_uint_le(r.len, sizeof(m));
	memcpy(m, r.data, r.len);
	m[r.len - 6 - 32 - 10 - 13 - 1] -= 1;
	ck_assert_int_eq(dns_tsig_verify_reply(m, r.len - 1, &k, mac, T0),
			 DDNS_EMALFORMED);
	/*
	 * Random single-byte mutations: never a crash, never accepted, except
	 * in the id (replaced by the original id) or the case of a letter in
	 * a name (names are compared in canonical, lower-case form).
	 */
	for (i = 0; i < 20000; i++) {
		size_t at = (size_t)rand_r(&seed) % r.len;
		uint8_t x = (uint8_t)(1 + rand_r(&seed) % 255);

		memcpy(m, r.data, r.len);
		m[at] ^= x;
		if (dns_tsig_verify_reply(m, r.len, &k, mac, T0) == 0)
			ck_assert(at < 2 ||
				  (x == 0x20 && ((m[at] | 0x20) >= 'a' &&
						 (m[at] | 0x20) <= 'z')));
	}
	ddns_buf_free(&r);
}
END_TEST

START_TEST(verify_error_field)
{
	struct srv s = { "ddns-test.example", T0, DNS_RCODE_BADSIG, 0, NULL, 0 };
	struct dns_tsig_key k;
	struct ddns_buf m = { 0 }, r = { 0 };
	uint8_t mac[32];

	/* What BIND sends for a bad MAC: NOTAUTH, TSIG with no MAC. */
	make_key(&k, "ddns-test.example");
	sign_request(&m, &k, mac);
	make_reply(&r, 0x6766, DNS_RCODE_NOTAUTH);
	server_sign(&r, &s, mac);
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0),
			 DDNS_EBADSIG);
	s.error = DNS_RCODE_BADKEY;
	make_reply(&r, 0x6766, DNS_RCODE_NOTAUTH);
	server_sign(&r, &s, mac);
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0),
			 DDNS_EBADKEY);
	/* BADTIME comes signed, with the server's time as other data. */
	s.error = DNS_RCODE_BADTIME;
	s.with_mac = 1;
	s.other = (const uint8_t *)"\0\0\1\2\3\4";
	s.other_len = 6;
	make_reply(&r, 0x6766, DNS_RCODE_NOTAUTH);
	server_sign(&r, &s, mac);
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0),
			 DDNS_EBADTIME);
	/* A MAC-less reply without error is a bad signature. */
	s.error = 0;
	s.with_mac = 0;
	s.other_len = 0;
	make_reply(&r, 0x6766, 0);
	server_sign(&r, &s, mac);
	ck_assert_int_eq(dns_tsig_verify_reply(r.data, r.len, &k, mac, T0),
			 DDNS_EBADSIG);
	ddns_buf_free(&m);
	ddns_buf_free(&r);
}
END_TEST

static Suite *
tsig_suite(void)
{
	Suite *s = suite_create("dns_tsig");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, load_req, NULL);

	tcase_add_test(tc, sign_known_vector);
	tcase_add_test(tc, sign_errors);
	tcase_add_test(tc, verify_roundtrip);
	tcase_add_test(tc, verify_badsig);
	tcase_add_test(tc, verify_badkey);
	tcase_add_test(tc, verify_badtime);
	tcase_add_test(tc, verify_missing);
	tcase_add_test(tc, verify_malformed);
	tcase_add_test(tc, verify_error_field);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	sr = srunner_create(tsig_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
