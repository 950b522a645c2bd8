/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/errors.h"
#include "dnsbackend/keystore.h"

static const char key_a[] =
	"key \"key-a\" { algorithm hmac-sha256; "
	"secret \"YJlODhGQ3qE6J9042P7RZvlHSOfg/mr6xIbGlVqA5dY=\"; };\n";
static const char key_b[] =
	"key \"key-b\" { algorithm hmac-sha256; "
	"secret \"SpYcqOWGLlEpjv5s6yn/QpyBovbSeBI3R/MbOH0Ix0A=\"; };\n";

static char path[64];

static void write_file(const char *text);
static struct dns_keystore *store_a(void);
static Suite *keystore_suite(void);

static void
write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static struct dns_keystore *
store_a(void)
{
	struct dns_keyring kr = { 0 };
	struct dns_keystore *s;

	ck_assert_int_eq(dns_keyfile_parse(key_a, strlen(key_a), &kr), 0);
	s = dns_keystore_new(&kr);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(kr.keys); /* taken over */
	return s;
}

static void
setup(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_dns_keystore.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void
teardown(void)
{
	unlink(path);
}

START_TEST(reload_replaces_for_later_gets)
{
	struct dns_keystore *s = store_a();
	const struct dns_keyring *old, *cur;
	size_t n = 0;

	old = dns_keystore_get(s);
	ck_assert_ptr_nonnull(dns_keyring_find(old, "key-a"));
	write_file(key_b);
	ck_assert_int_eq(dns_keystore_reload(s, path, &n), 0);
	ck_assert_uint_eq(n, 1);
	/* The ring taken before the reload is still whole. */
	ck_assert_ptr_nonnull(dns_keyring_find(old, "key-a"));
	cur = dns_keystore_get(s);
	ck_assert_ptr_null(dns_keyring_find(cur, "key-a"));
	ck_assert_ptr_nonnull(dns_keyring_find(cur, "key-b"));
	dns_keystore_put(s, old); /* freed here (ASan would see a leak) */
	dns_keystore_put(s, cur);
	dns_keystore_free(s);
}
END_TEST

START_TEST(reload_twice_while_held)
{
	struct dns_keystore *s = store_a();
	const struct dns_keyring *a, *b;
	size_t n;

	a = dns_keystore_get(s);
	write_file(key_b);
	ck_assert_int_eq(dns_keystore_reload(s, path, &n), 0);
	b = dns_keystore_get(s);
	write_file(key_a);
	ck_assert_int_eq(dns_keystore_reload(s, path, &n), 0);
	/* Both replaced rings are held; give them back in either order. */
	dns_keystore_put(s, b);
	ck_assert_ptr_nonnull(dns_keyring_find(a, "key-a"));
	dns_keystore_put(s, a);
	a = dns_keystore_get(s);
	ck_assert_ptr_nonnull(dns_keyring_find(a, "key-a"));
	dns_keystore_put(s, a);
	dns_keystore_free(s);
}
END_TEST

START_TEST(bad_reload_keeps_keys)
{
	struct dns_keystore *s = store_a();
	const struct dns_keyring *kr;
	size_t n = 7;

	write_file("key \"broken\" { algorithm hmac-sha256; secret \"");
	ck_assert_int_eq(dns_keystore_reload(s, path, &n), DDNS_EMALFORMED);
	write_file(""); /* no key at all */
	ck_assert_int_eq(dns_keystore_reload(s, path, &n), DDNS_EMALFORMED);
	ck_assert_int_eq(dns_keystore_reload(s, "/nonexistent/keys", &n),
			 DDNS_ENOENT);
	ck_assert_uint_eq(n, 7);
	kr = dns_keystore_get(s);
	ck_assert_ptr_nonnull(dns_keyring_find(kr, "key-a"));
	dns_keystore_put(s, kr);
	dns_keystore_free(s);
}
END_TEST

static Suite *
keystore_suite(void)
{
	Suite *s = suite_create("dns_keystore");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, reload_replaces_for_later_gets);
	tcase_add_test(tc, reload_twice_while_held);
	tcase_add_test(tc, bad_reload_keeps_keys);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(keystore_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
