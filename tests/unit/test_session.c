/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the session code: auth/session.c (secret, hash) and
 * api/session.c (Cookie header, Set-Cookie line, same-origin checks).
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "api/session.h"
#include "auth/session.h"
#include "common/errors.h"

static Suite *session_suite(void);
static void setup(void);
static struct api_request req_for(const char *host, bool https,
				  const char *origin, const char *sfs);

/* Secret 0x00..0x1f. */
#define KNOWN "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

static void
setup(void)
{
	ck_assert_int_eq(auth_init(NULL), 0);
}

START_TEST(test_generate_hash_roundtrip)
{
	char text[AUTH_SESSION_TEXT_LEN + 1], text2[AUTH_SESSION_TEXT_LEN + 1];
	uint8_t h[AUTH_SESSION_HASH_LEN], back[AUTH_SESSION_HASH_LEN];
	uint8_t h2[AUTH_SESSION_HASH_LEN];

	ck_assert_int_eq(auth_session_generate(text, sizeof(text), h), 0);
	ck_assert_uint_eq(strlen(text), 43);
	ck_assert_uint_eq(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijkl"
				       "mnopqrstuvwxyz0123456789-_"),
			  43);
	ck_assert_int_eq(auth_session_hash(text, strlen(text), back), 0);
	ck_assert_int_eq(memcmp(h, back, sizeof(h)), 0);
	/* Two sessions never share a secret or a hash. */
	ck_assert_int_eq(auth_session_generate(text2, sizeof(text2), h2), 0);
	ck_assert_str_ne(text, text2);
	ck_assert_int_ne(memcmp(h, h2, sizeof(h)), 0);
}
END_TEST

START_TEST(test_small_buffer)
{
	char text[AUTH_SESSION_TEXT_LEN];
	uint8_t h[AUTH_SESSION_HASH_LEN];

	ck_assert_int_eq(auth_session_generate(text, sizeof(text), h),
			 DDNS_ETRUNC);
}
END_TEST

/* The stored hash is the keyed BLAKE2b-256 of the 32 secret bytes, the
 * same construction as token hashes. */
START_TEST(test_hash_known_answer)
{
	uint8_t secret[32], want[32], got[32];

	for (int i = 0; i < 32; i++)
		secret[i] = (uint8_t)i;
	crypto_generichash(want, sizeof(want), secret, sizeof(secret), NULL,
			   0);
	ck_assert_int_eq(auth_session_hash(KNOWN, strlen(KNOWN), got), 0);
	ck_assert_int_eq(memcmp(want, got, 32), 0);
	/* The secret itself is not the hash. */
	ck_assert_int_ne(memcmp(secret, got, 32), 0);
}
END_TEST

START_TEST(test_pepper_changes_hash)
{
	uint8_t a[32], b[32];

	ck_assert_int_eq(auth_session_hash(KNOWN, strlen(KNOWN), a), 0);
	ck_assert_int_eq(auth_init("pepper"), 0);
	ck_assert_int_eq(auth_session_hash(KNOWN, strlen(KNOWN), b), 0);
	ck_assert_int_ne(memcmp(a, b, 32), 0);
	ck_assert_int_eq(auth_init(NULL), 0);
}
END_TEST

static const char *const bad[] = {
	"",
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh",   /* 42 */
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A", /* 44 */
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+",  /* '+' */
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh/",  /* '/' */
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh=",  /* padding */
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9",  /* low bits set */
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd Hh8", /* blank */
	"dda_mzxw6ytbojtg633cmfza_" KNOWN,              /* a token */
};

START_TEST(test_hash_bad)
{
	uint8_t h[32];
	const char *s = bad[_i];

	ck_assert_int_eq(auth_session_hash(s, strlen(s), h), DDNS_EAUTH);
}
END_TEST

START_TEST(test_hash_not_terminated)
{
	char buf[64];
	uint8_t a[32], b[32];

	/* len counts: the bytes after it are not read as part of it. */
	snprintf(buf, sizeof(buf), "%sXYZ", KNOWN);
	ck_assert_int_eq(auth_session_hash(buf, 43, a), 0);
	ck_assert_int_eq(auth_session_hash(KNOWN, 43, b), 0);
	ck_assert_int_eq(memcmp(a, b, 32), 0);
	ck_assert_int_eq(auth_session_hash(NULL, 43, a), DDNS_EAUTH);
}
END_TEST

START_TEST(test_cookie_find)
{
	const char *v = NULL;
	size_t n = 0;

	ck_assert(api_cookie_find("ddnsd_session=abc", "ddnsd_session", &v,
				  &n));
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
	ck_assert(!api_cookie_find("xddnsd_session=1", "ddnsd_session", &v,
				   &n));
	ck_assert(!api_cookie_find("ddnsd_sessionx=1", "ddnsd_session", &v,
				   &n));
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
	ck_assert_int_eq(api_session_cookie(v, sizeof(v), KNOWN, 600, true),
			 0);
	ck_assert_str_eq(v, "ddnsd_session=" KNOWN "; Path=/; Max-Age=600; "
			    "HttpOnly; SameSite=Strict; Secure");
	ck_assert_int_eq(api_session_cookie(v, sizeof(v), NULL, 600, true), 0);
	ck_assert_str_eq(v, "ddnsd_session=; Path=/; Max-Age=0; HttpOnly; "
			    "SameSite=Strict; Secure");
	ck_assert_int_eq(api_session_cookie(small, sizeof(small), KNOWN, 1,
					    false),
			 DDNS_ETRUNC);
}
END_TEST

static Suite *
session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("secret");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_generate_hash_roundtrip);
	tcase_add_test(tc, test_small_buffer);
	tcase_add_test(tc, test_hash_known_answer);
	tcase_add_test(tc, test_pepper_changes_hash);
	tcase_add_loop_test(tc, test_hash_bad, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_hash_not_terminated);
	suite_add_tcase(s, tc);

	tc = tcase_create("http");
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
