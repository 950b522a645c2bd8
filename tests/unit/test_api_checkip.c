/* SPDX-License-Identifier: MIT */
/* Unit tests of api/checkip.c: matching the Host header against
 * DDNS_CHECKIP_HOSTS. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "api/checkip.h"
#include "common/config.h"

static Suite *checkip_suite(void);

struct host_case {
	const char *host;
	bool want;
};

static const struct host_case host_cases[] = {
	{ "checkip.example.net", true },
	{ "CheckIP.Example.NET", true },
	{ "checkip.example.net.", true },
	{ "checkip.example.net:8080", true },
	{ "checkip.example.net.:80", true },
	{ "ip.example.org", true },
	{ "example.net", false },
	{ "xcheckip.example.net", false },
	{ "checkip.example.net.evil.test", false },
	{ "checkip.example.net..", false },
	{ "", false },
	{ ":8080", false },
	{ "[::1]:8080", false },
	{ "127.0.0.1:8080", false },
	{ "checkip.example.net\r\n", false },
	{ "checkip.example.net\x01", false },
	{ NULL, false },
};

START_TEST(test_host)
{
	const struct host_case *c = &host_cases[_i];
	struct ddns_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.checkip_hosts = " checkip.example.net,IP.example.org. ,";
	api_checkip_configure(&cfg);
	ck_assert_msg(api_checkip_host(c->host) == c->want, "case %d (%s)", _i,
		      c->host ? c->host : "NULL");
}
END_TEST

START_TEST(test_none)
{
	struct ddns_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.checkip_hosts = "";
	api_checkip_configure(&cfg);
	ck_assert(!api_checkip_host("checkip.example.net"));
}
END_TEST

static Suite *
checkip_suite(void)
{
	Suite *s = suite_create("checkip");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_host, 0,
			    sizeof(host_cases) / sizeof(host_cases[0]));
	tcase_add_test(tc, test_none);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(checkip_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
