/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of api/session.c: the session cookie in a Cookie header, its
 * Set-Cookie line, and the same-origin checks of cookie requests.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "api/session.h"
#include "common/errors.h"

static Suite *session_suite(void);
static struct api_request req_for(const char *host, bool https,
				  const char *origin, const char *sfs);

#define KNOWN "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

START_TEST(test_cookie_find)
{
	const char *v = NULL;
	size_t n = 0;

	ck_assert(
		api_cookie_find("ddnsd_session=abc", "ddnsd_session", &v, &n));
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(strncmp(v, "abc", 3), 0);
	ck_assert(api_cookie_find("a=1; ddnsd_session=xyz; b=2",
				  "ddnsd_session", &v, &n));
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(strncmp(v, "xyz", 3), 0);
	ck_assert(api_cookie_find("a=1;ddnsd_session=\"q\"", "ddnsd_session",
				  &v, &n));
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0], 'q');
	/* The first of two wins. */
	ck_assert(api_cookie_find("ddnsd_session=one; ddnsd_session=two",
				  "ddnsd_session", &v, &n));
	ck_assert_int_eq(strncmp(v, "one", 3), 0);
	/* Not a prefix, not a suffix, not without '='. */
	ck_assert(
		!api_cookie_find("xddnsd_session=1", "ddnsd_session", &v, &n));
	ck_assert(
		!api_cookie_find("ddnsd_sessionx=1", "ddnsd_session", &v, &n));
	ck_assert(!api_cookie_find("ddnsd_session", "ddnsd_session", &v, &n));
	ck_assert(!api_cookie_find("ddnsd_session=", "ddnsd_session", &v, &n));
	ck_assert(!api_cookie_find("", "ddnsd_session", &v, &n));
	ck_assert(!api_cookie_find(NULL, "ddnsd_session", &v, &n));
}
END_TEST

static struct api_request
req_for(const char *host, bool https, const char *origin, const char *sfs)
{
	struct api_request r;

	memset(&r, 0, sizeof(r));
	r.host = host;
	r.https = https;
	r.origin = origin;
	r.sec_fetch_site = sfs;
	return r;
}

START_TEST(test_same_origin)
{
	struct api_request r;

	r = req_for("127.0.0.1:8080", false, "http://127.0.0.1:8080", NULL);
	ck_assert(api_same_origin(&r));
	ck_assert(!api_cross_site(&r));
	r = req_for("DDNS.example", true, "https://ddns.EXAMPLE", NULL);
	ck_assert(api_same_origin(&r));
	/* Scheme, port, host, suffixes, "null". */
	r = req_for("127.0.0.1:8080", false, "https://127.0.0.1:8080", NULL);
	ck_assert(!api_same_origin(&r));
	ck_assert(api_cross_site(&r));
	r = req_for("127.0.0.1:8080", true, "http://127.0.0.1:8080", NULL);
	ck_assert(!api_same_origin(&r));
	r = req_for("127.0.0.1:8080", false, "http://127.0.0.1:8081", NULL);
	ck_assert(!api_same_origin(&r));
	r = req_for("ddns.example", false, "http://ddns.example.evil", NULL);
	ck_assert(!api_same_origin(&r));
	r = req_for("ddns.example", false, "http://evil.ddns.example", NULL);
	ck_assert(!api_same_origin(&r));
	r = req_for("ddns.example", false, "null", NULL);
	ck_assert(!api_same_origin(&r));
	ck_assert(api_cross_site(&r));
	/* An Origin beats Sec-Fetch-Site. */
	r = req_for("ddns.example", false, "http://evil", "same-origin");
	ck_assert(!api_same_origin(&r));
	/* No Host: nothing to compare with. */
	r = req_for(NULL, false, "http://ddns.example", NULL);
	ck_assert(!api_same_origin(&r));
	/* Without an Origin. */
	r = req_for("ddns.example", false, NULL, "same-origin");
	ck_assert(api_same_origin(&r));
	ck_assert(!api_cross_site(&r));
	r = req_for("ddns.example", false, NULL, "same-site");
	ck_assert(!api_same_origin(&r));
	ck_assert(api_cross_site(&r));
	r = req_for("ddns.example", false, NULL, "cross-site");
	ck_assert(!api_same_origin(&r));
	ck_assert(api_cross_site(&r));
	r = req_for("ddns.example", false, NULL, "none");
	ck_assert(!api_same_origin(&r));
	ck_assert(!api_cross_site(&r));
	/* curl: neither header. Not ours for a cookie write; not a
	 * cross-site browser request either. */
	r = req_for("ddns.example", false, NULL, NULL);
	ck_assert(!api_same_origin(&r));
	ck_assert(!api_cross_site(&r));
}
END_TEST

START_TEST(test_set_cookie)
{
	char v[160], small[20];

	ck_assert_int_eq(api_session_cookie(v, sizeof(v), KNOWN, 600, false),
			 0);
	ck_assert_str_eq(v, "ddnsd_session=" KNOWN
			    "; Path=/; Max-Age=600; HttpOnly; SameSite=Strict");
	ck_assert_int_eq(api_session_cookie(v, sizeof(v), KNOWN, 600, true), 0);
	ck_assert_str_eq(v, "ddnsd_session=" KNOWN "; Path=/; Max-Age=600; "
			    "HttpOnly; SameSite=Strict; Secure");
	ck_assert_int_eq(api_session_cookie(v, sizeof(v), NULL, 600, true), 0);
	ck_assert_str_eq(v, "ddnsd_session=; Path=/; Max-Age=0; HttpOnly; "
			    "SameSite=Strict; Secure");
	ck_assert_int_eq(
		api_session_cookie(small, sizeof(small), KNOWN, 1, false),
		DDNS_ETRUNC);
}
END_TEST

static Suite *
session_suite(void)
{
	Suite *s = suite_create("api_session");
	TCase *tc = tcase_create("http");

	tcase_add_test(tc, test_cookie_find);
	tcase_add_test(tc, test_same_origin);
	tcase_add_test(tc, test_set_cookie);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(session_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
