/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "dnsbackend/wire.h"
#include "tests/unit/unit_data.h"

/* What BIND 9.18's nsupdate sent (tests/unit/unit_data.h), loaded once. */
static uint8_t nsupdate_msg[UNIT_NSUPDATE_LEN + 1];
static size_t nsupdate_len;

/* A NOERROR answer to an UPDATE: header and the zone section echoed. */
static const uint8_t reply_ok[] = {
	0x72, 0x91, 0xa8, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x07, 'e',  'x',  'a',  'm',  'p',  'l',  'e',
	0x03, 'c',  'o',  'm',  0x00, 0x00, 0x06, 0x00, 0x01,
};

static void set_changes(struct dns_change ch[2]);
static void load_nsupdate(void);
static Suite *wire_suite(void);

static void
load_nsupdate(void)
{
	nsupdate_len = unit_data_load(UNIT_NSUPDATE_FILE, nsupdate_msg,
				      sizeof(nsupdate_msg));
	ck_assert_uint_eq(nsupdate_len, UNIT_NSUPDATE_LEN);
}

static void
set_changes(struct dns_change ch[2])
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	memset(ch, 0, 2 * sizeof(*ch));
	ch[0].name = "host1.example.com";
	ch[0].ttl = 300;
	ch[0].has_v4 = true;
	memcpy(ch[0].v4, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	ch[0].has_v6 = true;
	memcpy(ch[0].v6, v6, 16);
	ch[1].name = "HOST2.Example.Com."; /* case and dot do not matter */
	ch[1].ttl = 60;
	ch[1].has_v4 = true;
	memcpy(ch[1].v4, (uint8_t[]){ 192, 0, 2, 2 }, 4);
}

START_TEST(build_matches_nsupdate)
{
	struct dns_change ch[2];
	struct ddns_buf b = { 0 };

	set_changes(ch);
	ck_assert_int_eq(dns_update_build(&b, 0x7291, "Example.COM", ch, 2), 0);
	ck_assert_uint_eq(b.len, nsupdate_len);
	ck_assert_mem_eq(b.data, nsupdate_msg, nsupdate_len);
	ck_assert_int_eq(dns_reply_parse(b.data, b.len, NULL), 0);
	ddns_buf_free(&b);
}
END_TEST

START_TEST(build_zone_apex_and_removal)
{
	static const uint8_t want[] = {
		0x00,
		0x01,
		0x28,
		0x00,
		0x00,
		0x01,
		0x00,
		0x00,
		0x00,
		0x03,
		0x00,
		0x00,
		0x01,
		'z',
		0x00,
		0x00,
		0x06,
		0x00,
		0x01,
		/* delete apex A, add apex A 10.0.0.1 ttl 5, delete AAAA */
		0xc0,
		0x0c,
		0x00,
		0x01,
		0x00,
		0xff,
		0,
		0,
		0,
		0,
		0,
		0,
		0xc0,
		0x0c,
		0x00,
		0x01,
		0x00,
		0x01,
		0,
		0,
		0,
		5,
		0,
		4,
		10,
		0,
		0,
		1,
		0xc0,
		0x0c,
		0x00,
		0x1c,
		0x00,
		0xff,
		0,
		0,
		0,
		0,
		0,
		0,
	};
	struct dns_change ch = { .name = "z", .ttl = 5, .has_v4 = true };
	struct ddns_buf b = { 0 };

	ch.v4[0] = 10;
	ch.v4[3] = 1;
	ck_assert_int_eq(dns_update_build(&b, 1, "z.", &ch, 1), 0);
	ck_assert_uint_eq(b.len, sizeof(want));
	ck_assert_mem_eq(b.data, want, sizeof(want));
	ddns_buf_free(&b);
}
END_TEST

START_TEST(build_rejects_names)
{
	struct dns_change ch[2];
	struct ddns_buf b = { 0 };
	char big[300];

	set_changes(ch);
	ch[1].name = "host2.example.org";
	ck_assert_int_eq(dns_update_build(&b, 1, "example.com", ch, 2),
			 DDNS_ENOTFQDN);
	ck_assert_uint_eq(b.len, 0);
	ch[1].name = "badexample.com"; /* suffix, but not at a label */
	ck_assert_int_eq(dns_update_build(&b, 1, "example.com", ch, 2),
			 DDNS_ENOTFQDN);
	ch[1].name = "com";
	ck_assert_int_eq(dns_update_build(&b, 1, "example.com", ch, 2),
			 DDNS_ENOTFQDN);
	ch[1].name = "a..example.com";
	ck_assert_int_eq(dns_update_build(&b, 1, "example.com", ch, 2),
			 DDNS_ENOTFQDN);
	ch[1].name = "a b.example.com";
	ck_assert_int_eq(dns_update_build(&b, 1, "example.com", ch, 2),
			 DDNS_ENOTFQDN);
	memset(big, 'a', 64);
	memcpy(big + 64, ".example.com", sizeof(".example.com"));
	ch[1].name = big;
	ck_assert_int_eq(dns_update_build(&b, 1, "example.com", ch, 2),
			 DDNS_ENOTFQDN);
	ck_assert_int_eq(dns_update_build(&b, 1, "", ch, 1), DDNS_ENOTFQDN);
	ck_assert_int_eq(dns_update_build(&b, 1, "bad_zone!", ch, 1),
			 DDNS_ENOTFQDN);
	ddns_buf_free(&b);
}
END_TEST

START_TEST(name_to_wire_limits)
{
	uint8_t w[255];
	char name[300];
	size_t i;

	ck_assert_int_eq(dns_name_to_wire("a.B.", w, sizeof(w)), 5);
	ck_assert_mem_eq(w, "\001a\001b\000", 5);
	ck_assert_int_eq(dns_name_to_wire("", w, sizeof(w)), DDNS_ENOTFQDN);
	ck_assert_int_eq(dns_name_to_wire(".", w, sizeof(w)), DDNS_ENOTFQDN);
	ck_assert_int_eq(dns_name_to_wire(".a", w, sizeof(w)), DDNS_ENOTFQDN);
	ck_assert_int_eq(dns_name_to_wire("a..", w, sizeof(w)), DDNS_ENOTFQDN);

	/* 63-octet label is fine, 64 is not. */
	memset(name, 'x', 63);
	memcpy(name + 63, ".com", 5);
	ck_assert_int_eq(dns_name_to_wire(name, w, sizeof(w)), 69);
	memset(name, 'x', 64);
	memcpy(name + 64, ".com", 5);
	ck_assert_int_eq(dns_name_to_wire(name, w, sizeof(w)), DDNS_ENOTFQDN);

	/* 253 presentation octets = 255 wire octets; one more is too long. */
	for (i = 0; i < 253; i++)
		name[i] = (i % 2) ? '.' : 'a';
	name[253] = '\0';
	ck_assert_int_eq(dns_name_to_wire(name, w, sizeof(w)), 255);
	name[253] = 'a';
	name[254] = '\0';
	name[252] = 'a'; /* "...a.aa": 254 octets */
	ck_assert_int_eq(dns_name_to_wire(name, w, sizeof(w)), DDNS_ENOTFQDN);
	memset(name, 'a', 299);
	name[299] = '\0';
	ck_assert_int_eq(dns_name_to_wire(name, w, sizeof(w)), DDNS_ENOTFQDN);
	ck_assert_int_eq(dns_name_to_wire("a.b", w, 4), DDNS_ENOTFQDN);
}
END_TEST

START_TEST(build_truncates)
{
	struct dns_change *ch;
	struct ddns_buf b = { 0 };
	char(*names)[32];
	size_t i, n = 3000;

	ch = calloc(n, sizeof(*ch));
	names = calloc(n, sizeof(*names));
	ck_assert_ptr_nonnull(ch);
	ck_assert_ptr_nonnull(names);
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "host%zu.example.com", i);
		ch[i].name = names[i];
		ch[i].ttl = 60;
		ch[i].has_v4 = ch[i].has_v6 = true;
	}
	ck_assert_int_eq(dns_update_build(&b, 1, "example.com", ch, n),
			 DDNS_ETRUNC);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0); /* the caller's cap is left alone */

	/* A caller's smaller cap wins. */
	b.cap = 100;
	ck_assert_int_eq(dns_update_build(&b, 1, "example.com", ch, 2),
			 DDNS_ETRUNC);
	ck_assert_uint_eq(b.cap, 100);
	b.cap = 0;

	/*
	 * Just under the limit: names past offset 0x3fff cannot be pointed
	 * to and are written again; the message must still parse.
	 */
	ck_assert_int_eq(dns_update_build(&b, 1, "example.com", ch, 700), 0);
	ck_assert_uint_gt(b.len, 0x4000);
	ck_assert_uint_le(b.len, DNS_MSG_MAX);
	ck_assert_int_eq(dns_reply_parse(b.data, b.len, NULL), 0);
	ck_assert_uint_eq((size_t)b.data[8] << 8 | b.data[9], 700 * 4);
	ddns_buf_free(&b);
	free(names);
	free(ch);
}
END_TEST

START_TEST(build_far_names_decode)
{
	struct dns_change *ch;
	struct ddns_buf b = { 0 };
	struct dns_reply_info info;
	char(*names)[32];
	uint8_t w[255], want[255];
	size_t i, pos, n = 700;
	int len;

	ch = calloc(n, sizeof(*ch));
	names = calloc(n, sizeof(*names));
	ck_assert_ptr_nonnull(ch);
	ck_assert_ptr_nonnull(names);
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "h%zu.example.com", i);
		ch[i].name = names[i];
		ch[i].has_v4 = true;
	}
	ck_assert_int_eq(dns_update_build(&b, 7, "example.com", ch, n), 0);
	ck_assert_int_eq(dns_reply_parse(b.data, b.len, &info), 0);
	ck_assert_uint_eq(info.id, 7);
	ck_assert(!info.qr);
	ck_assert_uint_eq(info.opcode, 5);
	/* Every RR's owner decodes to its change's name. */
	pos = 12 + 13 + 4;
	for (i = 0; i < n * 3; i++) {
		len = dns_name_unpack(b.data, b.len, pos, w, sizeof(w), &pos);
		ck_assert_int_gt(len, 0);
		ck_assert_int_eq(
			dns_name_to_wire(names[i / 3], want, sizeof(want)),
			len);
		ck_assert_mem_eq(w, want, (size_t)len);
		pos += 10 + ((size_t)b.data[pos + 8] << 8 | b.data[pos + 9]);
	}
	ck_assert_uint_eq(pos, b.len);
	ddns_buf_free(&b);
	free(names);
	free(ch);
}
END_TEST

START_TEST(reply_parse_ok)
{
	struct dns_reply_info info;
	uint8_t m[sizeof(reply_ok)];

	ck_assert_int_eq(dns_reply_parse(reply_ok, sizeof(reply_ok), &info), 0);
	ck_assert_uint_eq(info.id, 0x7291);
	ck_assert(info.qr);
	ck_assert_uint_eq(info.opcode, 5);
	ck_assert_uint_eq(info.rcode, 0);
	memcpy(m, reply_ok, sizeof(m));
	m[3] = 0x05;
	ck_assert_int_eq(dns_reply_parse(m, sizeof(m), &info), 0);
	ck_assert_uint_eq(info.rcode, DNS_RCODE_REFUSED);
}
END_TEST

START_TEST(reply_parse_truncated)
{
	size_t i;

	for (i = 0; i < sizeof(reply_ok); i++)
		ck_assert_int_eq(dns_reply_parse(reply_ok, i, NULL),
				 DDNS_EMALFORMED);
	for (i = 0; i < nsupdate_len; i++)
		ck_assert_int_eq(dns_reply_parse(nsupdate_msg, i, NULL),
				 DDNS_EMALFORMED);
	ck_assert_int_eq(dns_reply_parse(NULL, 0, NULL), DDNS_EMALFORMED);
}
END_TEST

START_TEST(reply_parse_bad_counts)
{
	uint8_t m[sizeof(reply_ok) + 1];

	memcpy(m, reply_ok, sizeof(reply_ok));
	m[sizeof(reply_ok)] = 0;
	/* trailing byte */
	ck_assert_int_eq(dns_reply_parse(m, sizeof(m), NULL), DDNS_EMALFORMED);
	/* counts promise more than there is */
	m[10] = m[11] = 0xff;
	ck_assert_int_eq(dns_reply_parse(m, sizeof(reply_ok), NULL),
			 DDNS_EMALFORMED);
	m[10] = m[11] = 0;
	m[4] = 0xff;
	ck_assert_int_eq(dns_reply_parse(m, sizeof(reply_ok), NULL),
			 DDNS_EMALFORMED);
}
END_TEST

START_TEST(reply_parse_compression_loops)
{
	/* header with one question, then the name under test */
	uint8_t m[64] = { 0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	uint8_t w[255];
	size_t next;

	/* pointer to itself */
	memcpy(m + 12, "\xc0\x0c\x00\x06\x00\x01", 6);
	ck_assert_int_eq(dns_reply_parse(m, 18, NULL), DDNS_EMALFORMED);
	/* label then pointer back to the label: a loop */
	memcpy(m + 12, "\x01x\xc0\x0c\x00\x06\x00\x01", 8);
	ck_assert_int_eq(dns_reply_parse(m, 20, NULL), DDNS_EMALFORMED);
	/*
	 * forward pointer: 12 points to the root label at 14, then QTYPE and
	 * QCLASS end the message exactly, so only the pointer's direction is
	 * wrong
	 */
	memcpy(m + 12, "\xc0\x0e\x00\x00\x06\x00", 6);
	ck_assert_int_eq(dns_name_unpack(m, 18, 12, w, sizeof(w), &next),
			 DDNS_EMALFORMED);
	ck_assert_int_eq(dns_reply_parse(m, 18, NULL), DDNS_EMALFORMED);
	/* the same message with the root label in place parses */
	memcpy(m + 12, "\x00\x00\x06\x00\x01", 5);
	ck_assert_int_eq(dns_reply_parse(m, 17, NULL), 0);
	/* pointer past the end */
	memcpy(m + 12, "\xff\xff\x00\x06\x00\x01", 6);
	ck_assert_int_eq(dns_reply_parse(m, 18, NULL), DDNS_EMALFORMED);
	/* pointer cut in half */
	ck_assert_int_eq(dns_reply_parse(m, 13, NULL), DDNS_EMALFORMED);
	/* extended label type */
	memcpy(m + 12, "\x41\x00\x00\x06\x00\x01", 6);
	ck_assert_int_eq(dns_reply_parse(m, 18, NULL), DDNS_EMALFORMED);
	/* label running past the end */
	memcpy(m + 12,
	       "\x3f"
	       "abc",
	       4);
	ck_assert_int_eq(dns_reply_parse(m, 16, NULL), DDNS_EMALFORMED);

	/* a valid backward pointer: "a" then ptr to the name at 12 */
	memcpy(m + 12,
	       "\x01"
	       "b\x00\x01"
	       "a\xc0\x0c",
	       8);
	ck_assert_int_eq(dns_name_unpack(m, 20, 15, w, sizeof(w), &next), 5);
	ck_assert_mem_eq(w,
			 "\x01"
			 "a\x01"
			 "b\x00",
			 5);
	ck_assert_uint_eq(next, 19);
	/* loop through two pointers: 12 -> 14 -> 12 */
	memcpy(m + 12, "\xc0\x0e\xc0\x0c", 4);
	ck_assert_int_eq(dns_name_unpack(m, 16, 14, NULL, 0, &next),
			 DDNS_EMALFORMED);
	ck_assert_int_eq(dns_name_unpack(m, 16, 12, NULL, 0, &next),
			 DDNS_EMALFORMED);
}
END_TEST

START_TEST(name_unpack_too_long)
{
	/* 4 labels of 63 = 256 octets with the root: one too many */
	uint8_t m[300];
	size_t i, next;

	for (i = 0; i < 4; i++) {
		m[i * 64] = 63;
		memset(m + i * 64 + 1, 'a', 63);
	}
	m[256] = 0;
	ck_assert_int_eq(dns_name_unpack(m, 257, 0, NULL, 0, &next),
			 DDNS_EMALFORMED);
	m[192] = 61; /* 3*64 + 62 + 1 = 255: fits */
	m[192 + 62] = 0;
	ck_assert_int_eq(dns_name_unpack(m, 257, 0, NULL, 0, &next), 255);
	ck_assert_uint_eq(next, 255);
}
END_TEST

START_TEST(reply_parse_garbage)
{
	uint8_t m[512];
	unsigned seed = 12345;
	size_t i, j, len, n[2] = { 0, 0 };
	int ret;

	/* Random bytes, with plausible headers: must never crash. */
	for (i = 0; i < 20000; i++) {
		len = (size_t)(rand_r(&seed) % sizeof(m));
		for (j = 0; j < len; j++)
			m[j] = (uint8_t)rand_r(&seed);
		if (len > 12) {
			m[4] = m[6] = m[8] = m[10] = 0;
			m[5] &= 3;
			m[7] &= 3;
			m[9] &= 3;
			m[11] &= 3;
		}
		ret = dns_reply_parse(m, len, NULL);
		ck_assert_msg(ret == 0 || ret == DDNS_EMALFORMED,
			      "random input %zu: %d", i, ret);
		n[ret == 0]++;
	}
	/* mutations of a valid message */
	for (i = 0; i < 20000; i++) {
		memcpy(m, nsupdate_msg, nsupdate_len);
		m[(size_t)rand_r(&seed) % nsupdate_len] =
			(uint8_t)rand_r(&seed);
		ret = dns_reply_parse(m, nsupdate_len, NULL);
		ck_assert_msg(ret == 0 || ret == DDNS_EMALFORMED,
			      "mutation %zu: %d", i, ret);
		n[ret == 0]++;
	}
	/* Both answers occurred: the inputs reach past the first check. */
	ck_assert_uint_gt(n[0], 0);
	ck_assert_uint_gt(n[1], 0);
}
END_TEST

static Suite *
wire_suite(void)
{
	Suite *s = suite_create("dns_wire");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, load_nsupdate, NULL);

	tcase_add_test(tc, build_matches_nsupdate);
	tcase_add_test(tc, build_zone_apex_and_removal);
	tcase_add_test(tc, build_rejects_names);
	tcase_add_test(tc, name_to_wire_limits);
	tcase_add_test(tc, build_truncates);
	tcase_add_test(tc, build_far_names_decode);
	tcase_add_test(tc, reply_parse_ok);
	tcase_add_test(tc, reply_parse_truncated);
	tcase_add_test(tc, reply_parse_bad_counts);
	tcase_add_test(tc, reply_parse_compression_loops);
	tcase_add_test(tc, name_unpack_too_long);
	tcase_add_test(tc, reply_parse_garbage);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(wire_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
