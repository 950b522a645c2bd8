/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of auth/session.c: console session secrets and their hash.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "auth/session.h"
#include "common/errors.h"

static Suite *session_suite(void);
static void setup(void);

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
	crypto_generichash(want, sizeof(want), secret, sizeof(secret), NULL, 0);
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

static Suite *
session_suite(void)
{
	Suite *s = suite_create("auth_session");
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
