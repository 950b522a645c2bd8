/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of common/secrets.c: no core dumps, and secrets moved out of
 * the environment (zeroed where they were) while cfg keeps working copies.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <check.h>
#include <sodium.h>

#include "common/config.h"
#include "common/secrets.h"

static Suite *secrets_suite(void);

START_TEST(test_no_dump)
{
	ck_assert_int_eq(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	ck_assert_int_eq(ddns_secrets_no_dump(), 0);
	ck_assert_int_eq(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}
END_TEST

START_TEST(test_take)
{
	static const char url[] = "postgresql://u:s3cret@127.0.0.1/db";
	struct ddns_config cfg;
	char err[256];
	char *env_pepper, *env_metrics, *env_url;

	ck_assert_int_eq(sodium_init() >= 0, 1);
	setenv("DDNS_DATABASE_URL", url, 1);
	setenv("DDNS_TOKEN_PEPPER", "pepper-value", 1);
	setenv("DDNS_METRICS_TOKEN", "metrics-value", 1);
	setenv("DDNS_SIGNUP", "open", 1);
	ck_assert_int_eq(ddns_config_load(&cfg, 1, err, sizeof(err)), 0);
	/* setenv()'s copies stay allocated after unsetenv() (glibc). */
	env_pepper = getenv("DDNS_TOKEN_PEPPER");
	env_metrics = getenv("DDNS_METRICS_TOKEN");
	env_url = getenv("DDNS_DATABASE_URL");
	ck_assert_ptr_eq(cfg.database_url, env_url);

	ck_assert_int_eq(ddns_secrets_take(&cfg), 0);
	ck_assert_ptr_null(getenv("DDNS_TOKEN_PEPPER"));
	ck_assert_ptr_null(getenv("DDNS_METRICS_TOKEN"));
	ck_assert_ptr_null(getenv("DDNS_DATABASE_URL"));
	ck_assert_str_eq(getenv("DDNS_SIGNUP"), "open");
	ck_assert_str_eq(cfg.token_pepper, "pepper-value");
	ck_assert_str_eq(cfg.metrics_token, "metrics-value");
	ck_assert_str_eq(cfg.database_url, url);
	ck_assert_ptr_ne(cfg.database_url, env_url);
	/* Zeroed where they were, not only unlinked. */
	ck_assert_int_eq(env_pepper[0], '\0');
	ck_assert_int_eq(env_metrics[0], '\0');
	ck_assert_int_eq(env_url[0], '\0');
	ck_assert_int_eq(env_url[sizeof(url) - 2], '\0');
}
END_TEST

START_TEST(test_take_unset)
{
	struct ddns_config cfg;

	ck_assert_int_eq(sodium_init() >= 0, 1);
	memset(&cfg, 0, sizeof(cfg));
	ck_assert_int_eq(ddns_secrets_take(&cfg), 0);
	ck_assert_ptr_null(cfg.token_pepper);
	ck_assert_ptr_null(cfg.metrics_token);
	ck_assert_ptr_null(cfg.database_url);
	ddns_free_wiped(NULL);
}
END_TEST

static Suite *
secrets_suite(void)
{
	Suite *s = suite_create("secrets");
	TCase *tc = tcase_create("secrets");

	tcase_add_test(tc, test_no_dump);
	tcase_add_test(tc, test_take);
	tcase_add_test(tc, test_take_unset);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(secrets_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
