/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the per-address login limiter (auth/login.c, included for
 * its table): a blocked address is never pushed out of the table by other
 * addresses, however many; when every candidate slot blocks, newcomers
 * share one overflow slot; the slot hash key is random, not a constant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "auth/login.c"

static Suite *login_suite(void);
static struct ddns_addr v4(unsigned n);
static void fail_n(const struct ddns_addr *a, unsigned n);

static struct ddns_addr
v4(unsigned n)
{
	struct ddns_addr a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.bytes[0] = 10;
	a.bytes[1] = (uint8_t)(n >> 16);
	a.bytes[2] = (uint8_t)(n >> 8);
	a.bytes[3] = (uint8_t)n;
	return a;
}

static void
fail_n(const struct ddns_addr *a, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		auth_login_failed(a);
}

START_TEST(test_burst)
{
	struct ddns_addr a = v4(1);
	unsigned wait = 0;

	ck_assert_int_eq(sodium_init() >= 0, 1);
	fail_n(&a, AUTH_LOGIN_BURST - 1);
	ck_assert_int_eq(auth_login_check(&a, &wait), 0);
	fail_n(&a, 1);
	ck_assert_int_eq(auth_login_check(&a, &wait), DDNS_EABUSE);
	ck_assert_uint_ge(wait, 1);
	ck_assert_uint_le(wait, AUTH_LOGIN_REFILL_S + 1);
}
END_TEST

/*
 * The attack: fail from a blocked address, then from enough others that
 * every slot near it is taken. With eviction of the entry idle longest
 * the blocked address came back with a full burst.
 */
START_TEST(test_blocked_not_evicted)
{
	struct ddns_addr a = v4(0xffffff), o;
	unsigned wait = 0;

	ck_assert_int_eq(sodium_init() >= 0, 1);
	fail_n(&a, AUTH_LOGIN_BURST);
	ck_assert_int_eq(auth_login_check(&a, &wait), DDNS_EABUSE);
	for (unsigned i = 0; i < 8 * LOGIN_SLOTS; i++) {
		o = v4(i);
		fail_n(&o, 1);
	}
	ck_assert_int_eq(auth_login_check(&a, &wait), DDNS_EABUSE);
	/* The others were not blocked and could take each other's slots. */
	o = v4(5);
	ck_assert_int_eq(auth_login_check(&o, &wait), 0);
}
END_TEST

/* Every slot blocking: newcomers share the overflow slot's burst, and no
 * blocked address is let in. */
START_TEST(test_table_full_of_blocked)
{
	struct ddns_addr a;
	unsigned wait = 0, in_table = 0, refused = 0;

	ck_assert_int_eq(sodium_init() >= 0, 1);
	for (unsigned i = 0; i < 4 * LOGIN_SLOTS; i++) {
		a = v4(i);
		fail_n(&a, AUTH_LOGIN_BURST);
	}
	/* (A slot no probe run reached may stay free.) */
	for (size_t i = 0; i < LOGIN_SLOTS; i++)
		in_table += slot_blocking(&table[i], now_s());
	ck_assert_uint_ge(in_table, LOGIN_SLOTS - LOGIN_SLOTS / 100);
	ck_assert(slot_blocking(&overflow, now_s()));
	/* All are refused: in the table, or in the spent overflow. */
	for (unsigned i = 0; i < 4 * LOGIN_SLOTS; i++) {
		a = v4(i);
		refused += auth_login_check(&a, &wait) == DDNS_EABUSE;
	}
	ck_assert_uint_eq(refused, 4 * LOGIN_SLOTS);
}
END_TEST

START_TEST(test_key_random)
{
	struct ddns_addr a = v4(1);
	uint8_t zero[sizeof(hash_key)] = { 0 };

	ck_assert_int_eq(sodium_init() >= 0, 1);
	auth_login_failed(&a);
	ck_assert(memcmp(hash_key, zero, sizeof(hash_key)) != 0);
	ck_assert(memcmp(hash_key, "ddnsd-login-key!", sizeof(hash_key)) != 0);
}
END_TEST

static Suite *
login_suite(void)
{
	Suite *s = suite_create("auth_login");
	TCase *tc = tcase_create("limiter");

	tcase_add_test(tc, test_burst);
	tcase_add_test(tc, test_blocked_not_evicted);
	tcase_add_test(tc, test_table_full_of_blocked);
	tcase_add_test(tc, test_key_random);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(login_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
