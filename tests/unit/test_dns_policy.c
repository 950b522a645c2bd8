/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of dnsbackend/policy.c: which primaries a tenant's zone may
 * name. Nothing here connects anywhere.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "dnsbackend/policy.h"

static Suite *policy_suite(void);

struct pcase {
	const char *primary;
	int want; /* 0, DDNS_EACCES or DDNS_EINVAL */
};

static const struct pcase default_cases[] = {
	{ "9.9.9.9:53", 0 },
	{ "9.9.9.9", 0 },
	{ "[2620:fe::fe]:53", 0 },
	{ "9.9.9.9:5353", DDNS_EACCES },
	{ "127.0.0.1:53", DDNS_EACCES },
	{ "10.0.0.1:53", DDNS_EACCES },
	{ "172.31.255.255:53", DDNS_EACCES },
	{ "172.32.0.1:53", 0 },
	{ "192.168.0.1:53", DDNS_EACCES },
	{ "169.254.169.254:53", DDNS_EACCES },
	{ "100.64.0.1:53", DDNS_EACCES },
	{ "0.1.2.3:53", DDNS_EACCES },
	{ "224.0.0.1:53", DDNS_EACCES },
	{ "255.255.255.255:53", DDNS_EACCES },
	{ "192.0.2.1:53", DDNS_EACCES },
	{ "[::1]:53", DDNS_EACCES },
	{ "[fe80::1]:53", DDNS_EACCES },
	{ "[fd12::1]:53", DDNS_EACCES },
	{ "[ff02::1]:53", DDNS_EACCES },
	{ "[::ffff:10.0.0.1]:53", DDNS_EACCES },
	{ "[64:ff9b::a00:1]:53", DDNS_EACCES },
	{ "[2002:a00:1::1]:53", DDNS_EACCES },
	{ "[2001:db8::1]:53", DDNS_EACCES },
	{ "ns.example.net:53", DDNS_EINVAL },
	{ "", DDNS_EINVAL },
	{ "9.9.9.9:", DDNS_EINVAL },
	{ "9.9.9.9:70000", DDNS_EINVAL },
};

START_TEST(test_default_policy)
{
	const struct pcase *c = &default_cases[_i];
	char why[128] = "", err[128];

	ck_assert_int_eq(dns_policy_init(NULL, NULL, err, sizeof(err)), 0);
	ck_assert_msg(dns_policy_check(c->primary, why, sizeof(why)) == c->want,
		      "%s: expected %d (%s)", c->primary, c->want, why);
	if (c->want != 0)
		ck_assert_ptr_nonnull(strstr(why, "primary: "));
}
END_TEST

START_TEST(test_allow_list)
{
	char why[128], err[128];

	ck_assert_int_eq(dns_policy_init("127.0.0.0/8, 10.1.0.0/16",
					 "postgresql://u@127.0.0.1:5433/db",
					 err, sizeof(err)),
			 0);
	/* Allowed networks may use any port... */
	ck_assert_int_eq(dns_policy_check("127.0.0.1:5300", why, sizeof(why)),
			 0);
	ck_assert_int_eq(dns_policy_check("10.1.2.3:53", why, sizeof(why)), 0);
	ck_assert_int_eq(dns_policy_check("10.2.0.1:53", why, sizeof(why)),
			 DDNS_EACCES);
	/* ...but never reach the service's own PostgreSQL. */
	ck_assert_int_eq(dns_policy_check("127.0.0.1:5433", why, sizeof(why)),
			 DDNS_EACCES);
	ck_assert_int_eq(dns_policy_check("127.0.0.1:5432", why, sizeof(why)),
			 0);
	ck_assert_int_eq(dns_policy_init("10.0.0.0/33", NULL, err, sizeof(err)),
			 DDNS_ECONFIG);
	ck_assert_ptr_nonnull(strstr(err, "DDNS_ZONE_PRIMARY_ALLOW"));
	/* A socket directory and the default port. */
	ck_assert_int_eq(dns_policy_init("127.0.0.0/8",
					 "host=/run/postgresql dbname=x", err,
					 sizeof(err)),
			 0);
	ck_assert_int_eq(dns_policy_check("127.0.0.1:5432", why, sizeof(why)),
			 0);
	ck_assert_int_eq(dns_policy_init("127.0.0.0/8",
					 "host=127.0.0.1,127.0.0.2 port=5432",
					 err, sizeof(err)),
			 0);
	ck_assert_int_eq(dns_policy_check("127.0.0.2:5432", why, sizeof(why)),
			 DDNS_EACCES);
}
END_TEST

static Suite *
policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(
		tc, test_default_policy, 0,
		(int)(sizeof(default_cases) / sizeof(default_cases[0])));
	tcase_add_test(tc, test_allow_list);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
