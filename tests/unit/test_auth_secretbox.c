/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of auth/secretbox.c: key files, sealing and opening, the zone
 * id bound in as associated data, tampering, and the old key for rotation.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/secretbox.h"
#include "common/errors.h"

static Suite *box_suite(void);
static void write_file(const char *path, const char *text);
static void remove_dir(void);

static char dir[] = "/tmp/ddnsd-box-XXXXXX";

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Removes the files the tests wrote, and their directory. */
static void
remove_dir(void)
{
	static const char *const names[] = { "short", "junk", "cur", "old" };
	char p[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

START_TEST(test_key_files)
{
	char p[128], err[256];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert(!auth_box_ready());
	ck_assert_int_eq(auth_box_init(NULL, NULL, err, sizeof(err)), 0);
	ck_assert(!auth_box_ready());
	snprintf(p, sizeof(p), "%s/short", dir);
	write_file(p, "c2hvcnQ=\n");
	ck_assert_int_eq(auth_box_init(p, NULL, err, sizeof(err)),
			 DDNS_ECONFIG);
	ck_assert_ptr_nonnull(strstr(err, "expected the base64 of 32 bytes"));
	snprintf(p, sizeof(p), "%s/junk", dir);
	write_file(p,
		   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= trailing\n");
	ck_assert_int_eq(auth_box_init(p, NULL, err, sizeof(err)),
			 DDNS_ECONFIG);
	ck_assert_int_eq(
		auth_box_init("/nonexistent/key", NULL, err, sizeof(err)),
		DDNS_ECONFIG);
	ck_assert(!auth_box_ready());
	remove_dir();
}
END_TEST

START_TEST(test_seal_open)
{
	static const uint8_t secret[] = "a tsig secret of 32 bytes......";
	uint8_t sealed[AUTH_BOX_SEALED_MAX], again[AUTH_BOX_SEALED_MAX];
	uint8_t out[AUTH_BOX_PLAIN_MAX];
	char cur[128], old[128], err[256];
	size_t slen, alen, olen;
	bool was_old;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cur, sizeof(cur), "%s/cur", dir);
	snprintf(old, sizeof(old), "%s/old", dir);
	write_file(cur, "  AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n");
	write_file(old, "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=");
	ck_assert_int_eq(
		auth_box_seal(secret, sizeof(secret), 7, sealed, &slen),
		DDNS_EACCES);
	/* First as the old key alone: what it seals, the pair opens. */
	ck_assert_int_eq(auth_box_init(old, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(auth_box_seal(secret, sizeof(secret), 7, again, &alen),
			 0);
	ck_assert_int_eq(auth_box_init(cur, old, err, sizeof(err)), 0);
	ck_assert(auth_box_ready());
	ck_assert_int_eq(
		auth_box_seal(secret, sizeof(secret), 7, sealed, &slen), 0);
	ck_assert_uint_eq(slen, AUTH_BOX_NONCE_LEN + sizeof(secret) +
					AUTH_BOX_MAC_LEN);
	for (size_t i = 0; i + sizeof(secret) <= slen; i++)
		ck_assert(memcmp(sealed + i, secret, sizeof(secret)) != 0);
	ck_assert_int_eq(auth_box_open(sealed, slen, 7, out, &olen, &was_old),
			 0);
	ck_assert(!was_old);
	ck_assert_uint_eq(olen, sizeof(secret));
	ck_assert_mem_eq(out, secret, olen);
	ck_assert_int_eq(auth_box_open(again, alen, 7, out, &olen, &was_old),
			 0);
	ck_assert(was_old);
	/* Another zone's id, a flipped bit, a cut value: refused. */
	ck_assert_int_eq(auth_box_open(sealed, slen, 8, out, &olen, NULL),
			 DDNS_EBADSIG);
	sealed[AUTH_BOX_NONCE_LEN + 3] ^= 1;
	ck_assert_int_eq(auth_box_open(sealed, slen, 7, out, &olen, NULL),
			 DDNS_EBADSIG);
	sealed[AUTH_BOX_NONCE_LEN + 3] ^= 1;
	ck_assert_int_eq(auth_box_open(sealed, 10, 7, out, &olen, NULL),
			 DDNS_EBADSIG);
	/* Two seals of one secret differ (a fresh nonce each). */
	ck_assert_int_eq(auth_box_seal(secret, sizeof(secret), 7, again, &alen),
			 0);
	ck_assert(memcmp(again, sealed, slen) != 0);
	ck_assert_int_eq(
		auth_box_seal(secret, AUTH_BOX_PLAIN_MAX + 1, 7, again, &alen),
		DDNS_EINVAL);
	remove_dir();
}
END_TEST

static Suite *
box_suite(void)
{
	Suite *s = suite_create("secretbox");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_key_files);
	tcase_add_test(tc, test_seal_open);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(box_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
