/* SPDX-License-Identifier: MIT */
/* Unit tests of common/ipv6.c: prefix masks and prefix + interface id. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "common/ipv6.h"

static Suite *ipv6_suite(void);
static void pton6(const char *s, uint8_t out[16]);
static void ntop6(const uint8_t a[16], char *out);

static void
pton6(const char *s, uint8_t out[16])
{
	ck_assert_int_eq(inet_pton(AF_INET6, s, out), 1);
}

static void
ntop6(const uint8_t a[16], char *out)
{
	ck_assert_ptr_nonnull(inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN));
}

struct join_case {
	const char *prefix;
	unsigned len;
	const char *iid;
	const char *want;
};

static const struct join_case join_cases[] = {
	{ "2001:db8:1:200::", 64, "::1234:5678:9abc:def0",
	  "2001:db8:1:200:1234:5678:9abc:def0" },
	/* the router's own address as the "prefix": only its first bits */
	{ "2001:db8:1:200:aaaa:bbbb:cccc:dddd", 64, "::1",
	  "2001:db8:1:200::1" },
	/* the IID's high bits do not leak into the prefix */
	{ "2001:db8:1:200::", 64, "fe80::1234:5678:9abc:def0",
	  "2001:db8:1:200:1234:5678:9abc:def0" },
	{ "2001:db8:1:200::", 56, "::3:0:0:0:1", "2001:db8:1:203::1" },
	{ "2001:db8:1:2ff::", 56, "::3:0:0:0:1", "2001:db8:1:203::1" },
	{ "2001:db8:1:200::", 60, "::ffff:ffff:ffff:ffff:ffff",
	  "2001:db8:1:20f:ffff:ffff:ffff:ffff" },
	{ "2001:db8:1:2:3:4:5:6", 127, "::ffff", "2001:db8:1:2:3:4:5:7" },
	{ "2001:db8:1:2:3:4:5:6", 128, "::ffff", "2001:db8:1:2:3:4:5:6" },
	{ "2001:db8:1:2:3:4:5:6", 1, "::1", "::1" },
	{ "ffff::", 1, "::1", "8000::1" },
	{ "2001:db8::", 0, "::abcd", "::abcd" },
	{ "2001:db8::", 200, "::abcd", "2001:db8::" },
};

START_TEST(test_join)
{
	const struct join_case *c = &join_cases[_i];
	uint8_t p[16], iid[16], out[16];
	char text[INET6_ADDRSTRLEN];

	pton6(c->prefix, p);
	pton6(c->iid, iid);
	ddns_ipv6_join(p, c->len, iid, out);
	ntop6(out, text);
	ck_assert_msg(strcmp(text, c->want) == 0, "case %d: %s want %s", _i,
		      text, c->want);
	/* in place */
	ddns_ipv6_join(p, c->len, iid, p);
	ck_assert_mem_eq(p, out, 16);
}
END_TEST

struct mask_case {
	const char *in;
	unsigned len;
	const char *want;
};

static const struct mask_case mask_cases[] = {
	{ "2001:db8:1:2ff:1:2:3:4", 56, "2001:db8:1:200::" },
	{ "2001:db8:1:2ff:1:2:3:4", 64, "2001:db8:1:2ff::" },
	{ "2001:db8:1:2ff:1:2:3:4", 63, "2001:db8:1:2fe::" },
	{ "2001:db8:1:2ff:1:2:3:4", 128, "2001:db8:1:2ff:1:2:3:4" },
	{ "2001:db8:1:2ff:1:2:3:4", 300, "2001:db8:1:2ff:1:2:3:4" },
	{ "2001:db8:1:2ff:1:2:3:4", 127, "2001:db8:1:2ff:1:2:3:4" },
	{ "2001:db8:1:2ff:1:2:3:5", 127, "2001:db8:1:2ff:1:2:3:4" },
	{ "ffff:ffff::", 1, "8000::" },
	{ "ffff:ffff::", 0, "::" },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 120,
	  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00" },
};

START_TEST(test_mask)
{
	const struct mask_case *c = &mask_cases[_i];
	uint8_t a[16];
	char text[INET6_ADDRSTRLEN];

	pton6(c->in, a);
	ddns_ipv6_mask(a, c->len);
	ntop6(a, text);
	ck_assert_msg(strcmp(text, c->want) == 0, "case %d: %s want %s", _i,
		      text, c->want);
}
END_TEST

static Suite *
ipv6_suite(void)
{
	Suite *s = suite_create("ipv6");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_join, 0,
			    sizeof(join_cases) / sizeof(join_cases[0]));
	tcase_add_loop_test(tc, test_mask, 0,
			    sizeof(mask_cases) / sizeof(mask_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ipv6_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
