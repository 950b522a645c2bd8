/* SPDX-License-Identifier: MIT */
/*
 * TXT records at _acme-challenge.<name> and whole-name removal in UPDATE
 * messages (dnsbackend/wire.c).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "dnsbackend/wire.h"

static Suite *txt_suite(void);

/* Hand-assembled: zone "z", name "h.z", no address, TXT "ab", TTL 5. */
static const uint8_t acme_msg[] = {
	0x00,
	0x01,
	0x28,
	0x00,
	0x00,
	0x01,
	0x00,
	0x00,
	0x00,
	0x04,
	0x00,
	0x00,
	/* zone section at 12: z. SOA IN */
	0x01,
	'z',
	0x00,
	0x00,
	0x06,
	0x00,
	0x01,
	/* at 19: delete h.z A */
	0x01,
	'h',
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
	/* at 33: delete h.z AAAA (owner points back to 19) */
	0xc0,
	0x13,
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
	/* at 45: delete _acme-challenge.h.z TXT */
	0x0f,
	'_',
	'a',
	'c',
	'm',
	'e',
	'-',
	'c',
	'h',
	'a',
	'l',
	'l',
	'e',
	'n',
	'g',
	'e',
	0x01,
	'h',
	0xc0,
	0x0c,
	0x00,
	0x10,
	0x00,
	0xff,
	0,
	0,
	0,
	0,
	0,
	0,
	/* add _acme-challenge.h.z 5 TXT "ab" (owner points back to 45) */
	0xc0,
	0x2d,
	0x00,
	0x10,
	0x00,
	0x01,
	0,
	0,
	0,
	5,
	0x00,
	0x03,
	0x02,
	'a',
	'b',
};

START_TEST(txt_matches_hand_assembled)
{
	struct dns_change ch = { 0 };
	struct ddns_buf b = { 0 };

	ch.name = "h.z";
	ch.ttl = 5;
	ch.acme = true;
	ch.ntxt = 1;
	ch.txt[0] = "ab";
	ck_assert_int_eq(dns_update_build(&b, 1, "z", &ch, 1), 0);
	ck_assert_uint_eq(b.len, sizeof(acme_msg));
	ck_assert_mem_eq(b.data, acme_msg, sizeof(acme_msg));
	ck_assert_int_eq(dns_reply_parse(b.data, b.len, NULL), 0);
	ddns_buf_free(&b);
}
END_TEST

/* Walks the update section: types, classes and the TXT rdata. */
START_TEST(txt_several_values_and_addresses)
{
	static const char v255[] =
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";
	static const uint16_t want_type[] = { 1, 1, 28, 16, 16, 16 };
	static const uint16_t want_class[] = { 255, 1, 255, 255, 1, 1 };
	struct dns_change ch = { 0 };
	struct ddns_buf b = { 0 };
	uint8_t owner[255];
	size_t pos, rdlen;
	int n;

	ck_assert_uint_eq(strlen(v255), 255);
	ch.name = "web.example.com";
	ch.ttl = 60;
	ch.has_v4 = true;
	memcpy(ch.v4, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	ch.acme = true;
	ch.ntxt = 2;
	ch.txt[0] = "token one";
	ch.txt[1] = v255;
	ck_assert_int_eq(dns_update_build(&b, 7, "example.com", &ch, 1), 0);
	ck_assert_int_eq(dns_reply_parse(b.data, b.len, NULL), 0);
	ck_assert_uint_eq((b.data[8] << 8) | b.data[9], 6);
	pos = 12;
	n = dns_name_unpack(b.data, b.len, pos, NULL, 0, &pos);
	ck_assert_int_gt(n, 0);
	pos += 4;
	for (size_t i = 0; i < 6; i++) {
		n = dns_name_unpack(b.data, b.len, pos, owner, sizeof(owner),
				    &pos);
		ck_assert_int_gt(n, 0);
		ck_assert_uint_eq((b.data[pos] << 8) | b.data[pos + 1],
				  want_type[i]);
		ck_assert_uint_eq((b.data[pos + 2] << 8) | b.data[pos + 3],
				  want_class[i]);
		rdlen = (size_t)((b.data[pos + 8] << 8) | b.data[pos + 9]);
		if (want_type[i] == 16)
			ck_assert_mem_eq(owner, "\x0f_acme-challenge\x03web",
					 20);
		else
			ck_assert_mem_eq(owner,
					 "\x03web\x07"
					 "example",
					 12);
		if (i == 4) {
			ck_assert_uint_eq(rdlen, 10);
			ck_assert_mem_eq(b.data + pos + 10, "\x09token one",
					 10);
		}
		if (i == 5) {
			ck_assert_uint_eq(rdlen, 256);
			ck_assert_uint_eq(b.data[pos + 10], 255);
			ck_assert_mem_eq(b.data + pos + 11, v255, 255);
		}
		pos += 10 + rdlen;
	}
	ck_assert_uint_eq(pos, b.len);
	ddns_buf_free(&b);
}
END_TEST

/* remove: the three deletions only, whatever else the change says. */
START_TEST(remove_deletes_everything_managed)
{
	struct dns_change ch = { 0 };
	struct ddns_buf b = { 0 };

	ch.name = "h.z";
	ch.ttl = 5;
	ch.has_v4 = true;
	ch.has_v6 = true;
	ch.remove = true;
	ch.ntxt = 1;
	ch.txt[0] = "ab";
	ck_assert_int_eq(dns_update_build(&b, 1, "z", &ch, 1), 0);
	/* Same as acme_msg without its last record. */
	ck_assert_uint_eq(b.data[9], 3);
	ck_assert_uint_eq(b.len, sizeof(acme_msg) - 15);
	ck_assert_mem_eq(b.data + 10, acme_msg + 10, b.len - 10);
	ddns_buf_free(&b);
}
END_TEST

START_TEST(txt_values_validated)
{
	char big[300];
	struct dns_change ch = { 0 };
	struct ddns_buf b = { 0 };

	memset(big, 'a', sizeof(big));
	big[256] = '\0';
	ck_assert(dns_txt_value_ok("v=abc_-+/= x"));
	ck_assert(!dns_txt_value_ok(""));
	ck_assert(!dns_txt_value_ok(NULL));
	ck_assert(!dns_txt_value_ok("tab\there"));
	ck_assert(!dns_txt_value_ok("nl\n"));
	ck_assert(!dns_txt_value_ok("\x7f"));
	ck_assert(!dns_txt_value_ok("caf\xc3\xa9"));
	ck_assert(!dns_txt_value_ok(big));
	big[255] = '\0';
	ck_assert(dns_txt_value_ok(big));

	ch.name = "h.z";
	ch.acme = true;
	ch.ntxt = 1;
	ch.txt[0] = "bad\001";
	ck_assert_int_eq(dns_update_build(&b, 1, "z", &ch, 1), DDNS_EINVAL);
	ck_assert_uint_eq(b.len, 0);
	ch.txt[0] = "ok";
	ch.ntxt = DNS_CHANGE_TXT_MAX + 1;
	ck_assert_int_eq(dns_update_build(&b, 1, "z", &ch, 1), DDNS_EINVAL);
	ddns_buf_free(&b);
}
END_TEST

/* A name too long to carry "_acme-challenge." in front of it. */
START_TEST(txt_owner_too_long)
{
	char name[260];
	struct dns_change ch = { 0 };
	struct ddns_buf b = { 0 };
	size_t n = 0;

	/* 4 labels of 60 + "z": 4*61 + 1 = 245 chars, wire 247. */
	for (int i = 0; i < 4; i++) {
		memset(name + n, 'a' + i, 60);
		n += 60;
		name[n++] = '.';
	}
	name[n++] = 'z';
	name[n] = '\0';
	ch.name = name;
	ch.acme = true;
	ck_assert_int_eq(dns_update_build(&b, 1, "z", &ch, 1), 0);
	ck_assert_uint_eq(b.data[9], 2); /* A and AAAA deletes only */
	ch.ntxt = 1;
	ch.txt[0] = "x";
	ck_assert_int_eq(dns_update_build(&b, 1, "z", &ch, 1), DDNS_ENOTFQDN);
	ddns_buf_free(&b);
}
END_TEST

static Suite *
txt_suite(void)
{
	Suite *s = suite_create("dns_wire_txt");
	TCase *tc = tcase_create("txt");

	tcase_add_test(tc, txt_matches_hand_assembled);
	tcase_add_test(tc, txt_several_values_and_addresses);
	tcase_add_test(tc, remove_deletes_everything_managed);
	tcase_add_test(tc, txt_values_validated);
	tcase_add_test(tc, txt_owner_too_long);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(txt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
