/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of auth/limits.c: prefixes (IPv6 by /64), the blocked-prefix
 * cache and the per-host nochg counter.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <check.h>
#include <sodium.h>

#include "auth/limits.h"
#include "common/config.h"
#include "common/errors.h"

static Suite *limits_suite(void);
static struct ddns_addr addr(const char *text);
static void init(unsigned nochg, unsigned fail_max);

static struct ddns_addr
addr(const char *text)
{
	struct ddns_addr a;

	ck_assert_int_eq(ddns_addr_parse(text, strlen(text), &a), 0);
	return a;
}

static void
init(unsigned nochg, unsigned fail_max)
{
	struct ddns_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.host_change_burst = 10;
	cfg.host_change_window_s = 600;
	cfg.host_nochg_per_min = nochg;
	cfg.auth_fail_max = fail_max;
	cfg.auth_fail_window_s = 900;
	ck_assert_int_ge(sodium_init(), 0);
	auth_limits_init(&cfg);
}

START_TEST(test_prefix)
{
	struct ddns_addr a = addr("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), p;
	struct ddns_addr want = addr("2001:db8:1:2::");
	struct ddns_addr v4 = addr("192.0.2.77");

	auth_limits_prefix(&a, &p);
	ck_assert_int_eq(p.family, AF_INET6);
	ck_assert_mem_eq(p.bytes, want.bytes, 16);
	auth_limits_prefix(&v4, &p);
	ck_assert_int_eq(p.family, AF_INET);
	ck_assert_mem_eq(p.bytes, v4.bytes, 4);
}
END_TEST

START_TEST(test_block_by_64)
{
	struct ddns_addr a = addr("2001:db8:1:2::5");
	struct ddns_addr same64 = addr("2001:db8:1:2:ffff::1");
	struct ddns_addr other64 = addr("2001:db8:1:3::5");
	struct ddns_addr v4 = addr("192.0.2.1"), v4b = addr("192.0.2.2");

	init(60, 10);
	ck_assert_uint_eq(auth_limits_blocked(&a), 0);
	/* Below the maximum nothing is blocked. */
	ck_assert(!auth_limits_failed(&a, 9, 500));
	ck_assert_uint_eq(auth_limits_blocked(&a), 0);
	ck_assert(auth_limits_failed(&a, 10, 500));
	ck_assert_uint_ge(auth_limits_blocked(&a), 499);
	ck_assert_uint_le(auth_limits_blocked(&a), 500);
	ck_assert_uint_gt(auth_limits_blocked(&same64), 0);
	ck_assert_uint_eq(auth_limits_blocked(&other64), 0);
	/* IPv4 by the whole address. */
	ck_assert(auth_limits_failed(&v4, 11, 30));
	ck_assert_uint_gt(auth_limits_blocked(&v4), 0);
	ck_assert_uint_eq(auth_limits_blocked(&v4b), 0);
}
END_TEST

START_TEST(test_block_off)
{
	struct ddns_addr a = addr("192.0.2.1");

	init(60, 0);
	ck_assert(!auth_limits_failed(&a, 1000, 500));
	ck_assert_uint_eq(auth_limits_blocked(&a), 0);
}
END_TEST

/* Rotating /64s inside one /48 (or addresses inside one IPv4 /24): the
 * wide prefix is blocked at AUTH_LIMITS_WIDE_FACTOR * fail_max. */
START_TEST(test_block_wide)
{
	struct ddns_addr a = addr("2001:db8:77:1::1"),
			 in48 = addr("2001:db8:77:ffff::9"),
			 zero64 = addr("2001:db8:77::5"),
			 other48 = addr("2001:db8:78:1::1"),
			 v4 = addr("198.51.100.7"),
			 v4in24 = addr("198.51.100.200"),
			 v4other = addr("198.51.101.7");
	struct ddns_addr p;

	init(60, 10);
	auth_limits_wide_prefix(&a, &p);
	ck_assert(memcmp(p.bytes, addr("2001:db8:77::").bytes, 16) == 0);
	ck_assert_uint_eq(auth_limits_prefix_len(&a, true), 48);
	ck_assert_uint_eq(auth_limits_prefix_len(&v4, true), 24);
	/* The narrow block of 2001:db8:77::/64 is not the /48's. */
	ck_assert(auth_limits_failed(&zero64, 10, 500));
	ck_assert_uint_gt(auth_limits_blocked(&zero64), 0);
	ck_assert_uint_eq(auth_limits_blocked(&a), 0);
	ck_assert(!auth_limits_failed_wide(&a, 10 * AUTH_LIMITS_WIDE_FACTOR - 1,
					   500));
	ck_assert_uint_eq(auth_limits_blocked(&in48), 0);
	ck_assert(
		auth_limits_failed_wide(&a, 10 * AUTH_LIMITS_WIDE_FACTOR, 500));
	ck_assert_uint_gt(auth_limits_blocked(&in48), 0);
	ck_assert_uint_gt(auth_limits_blocked(&a), 0);
	ck_assert_uint_eq(auth_limits_blocked(&other48), 0);
	ck_assert(
		auth_limits_failed_wide(&v4, 10 * AUTH_LIMITS_WIDE_FACTOR, 30));
	ck_assert_uint_gt(auth_limits_blocked(&v4in24), 0);
	ck_assert_uint_eq(auth_limits_blocked(&v4other), 0);
}
END_TEST

START_TEST(test_block_table_full)
{
	struct ddns_addr a;
	char text[64];
	unsigned blocked = 0;

	/* Far more prefixes than slots: the table stays bounded and the
	 * latest ones are still known. */
	init(60, 1);
	for (unsigned i = 0; i < 20000; i++) {
		snprintf(text, sizeof(text), "10.%u.%u.%u", i >> 16,
			 (i >> 8) & 255, i & 255);
		a = addr(text);
		ck_assert(auth_limits_failed(&a, 1, 600));
	}
	ck_assert_uint_gt(auth_limits_blocked(&a), 0);
	for (unsigned i = 19900; i < 20000; i++) {
		snprintf(text, sizeof(text), "10.%u.%u.%u", i >> 16,
			 (i >> 8) & 255, i & 255);
		a = addr(text);
		blocked += auth_limits_blocked(&a) > 0;
	}
	/* Each newer entry may evict an older one of its probe run: about
	 * 1 in 80 of the last hundred is expected to be lost. */
	ck_assert_uint_ge(blocked, 90);
}
END_TEST

START_TEST(test_nochg_flood)
{
	int first_abuse = -1;

	init(60, 10);
	/* A minute may turn over during the loop, which resets the count
	 * once: the 61st nochg of one minute is abuse either way. */
	for (int i = 1; i <= 121 && first_abuse < 0; i++)
		if (auth_limits_nochg(42) == DDNS_EABUSE)
			first_abuse = i;
	ck_assert_int_ge(first_abuse, 61);
	/* Another host has its own count. */
	ck_assert_int_eq(auth_limits_nochg(43), 0);
}
END_TEST

START_TEST(test_nochg_off)
{
	init(0, 10);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(auth_limits_nochg(7), 0);
}
END_TEST

static Suite *
limits_suite(void)
{
	Suite *s = suite_create("auth_limits");
	TCase *tc = tcase_create("limits");

	tcase_add_test(tc, test_prefix);
	tcase_add_test(tc, test_block_by_64);
	tcase_add_test(tc, test_block_off);
	tcase_add_test(tc, test_block_table_full);
	tcase_add_test(tc, test_block_wide);
	tcase_add_test(tc, test_nochg_flood);
	tcase_add_test(tc, test_nochg_off);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(limits_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
