/* SPDX-License-Identifier: MIT */
/*
 * The zone summary of reconcile (dnsbackend/zonesum.c): names merged when
 * their records arrive apart, digests independent of the order, different
 * for any other TTL, rdata or an extra record, and the count of names with
 * addresses that no host claims.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "dnsbackend/zonesum.h"

static const uint8_t a1[4] = { 192, 0, 2, 1 }, a2[4] = { 192, 0, 2, 2 };
static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t txt1[] = "\x05hello", txt2[] = "\x05world";

static uint64_t get(struct dns_zsum *s, const char *name, bool claim);
static uint64_t pair(const struct dns_zsum *s, uint32_t ttl);

static uint64_t
get(struct dns_zsum *s, const char *name, bool claim)
{
	return dns_zsum_get(s, dns_zsum_name(s, name), claim);
}

/* What a host with a1 and v6 at ttl should have. */
static uint64_t
pair(const struct dns_zsum *s, uint32_t ttl)
{
	return dns_zsum_rr(s, DNS_RR_A, ttl, a1, 4) +
	       dns_zsum_rr(s, DNS_RR_AAAA, ttl, v6, 16);
}

START_TEST(split_names_merge)
{
	struct dns_zsum s;

	ck_assert_int_eq(dns_zsum_init(&s), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "a.z", DNS_RR_A, 60, a1, 4), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "b.z", DNS_RR_A, 60, a2, 4), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "a.z", DNS_RR_AAAA, 60, v6, 16), 0);
	ck_assert_uint_eq(get(&s, "a.z", false), 0); /* not finished yet */
	ck_assert_int_eq(dns_zsum_finish(&s), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.nrr, 3);
	ck_assert_uint_eq(get(&s, "a.z", false), pair(&s, 60));
	ck_assert_uint_eq(get(&s, "b.z", false),
			  dns_zsum_rr(&s, DNS_RR_A, 60, a2, 4));
	ck_assert_uint_eq(get(&s, "c.z", false), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "c.z", DNS_RR_A, 60, a1, 4),
			 DDNS_EINVAL);
	dns_zsum_free(&s);
	ck_assert_ptr_null(s.e);
}
END_TEST

START_TEST(order_independent)
{
	struct dns_zsum s;

	ck_assert_int_eq(dns_zsum_init(&s), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "x.z", DNS_RR_A, 60, a1, 4), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "x.z", DNS_RR_A, 60, a2, 4), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "x.z", DNS_RR_AAAA, 60, v6, 16), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "y.z", DNS_RR_AAAA, 60, v6, 16), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "q.z", DNS_RR_A, 1, a1, 4), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "y.z", DNS_RR_A, 60, a2, 4), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "y.z", DNS_RR_A, 60, a1, 4), 0);
	ck_assert_int_eq(dns_zsum_finish(&s), 0);
	ck_assert_uint_ne(get(&s, "x.z", false), 0);
	ck_assert_uint_eq(get(&s, "x.z", false), get(&s, "y.z", false));
	ck_assert_uint_eq(get(&s, "x.z", false),
			  pair(&s, 60) + dns_zsum_rr(&s, DNS_RR_A, 60, a2, 4));
	dns_zsum_free(&s);
}
END_TEST

START_TEST(differences)
{
	struct dns_zsum s;
	uint64_t want;

	ck_assert_int_eq(dns_zsum_init(&s), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "same.z", DNS_RR_A, 60, a1, 4), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "same.z", DNS_RR_AAAA, 60, v6, 16),
			 0);
	/* other TTL on one record */
	ck_assert_int_eq(dns_zsum_add(&s, "ttl.z", DNS_RR_A, 60, a1, 4), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "ttl.z", DNS_RR_AAAA, 61, v6, 16), 0);
	/* other address */
	ck_assert_int_eq(dns_zsum_add(&s, "rd.z", DNS_RR_A, 60, a2, 4), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "rd.z", DNS_RR_AAAA, 60, v6, 16), 0);
	/* one record more */
	ck_assert_int_eq(dns_zsum_add(&s, "extra.z", DNS_RR_A, 60, a1, 4), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "extra.z", DNS_RR_A, 60, a2, 4), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "extra.z", DNS_RR_AAAA, 60, v6, 16),
			 0);
	/* one record fewer */
	ck_assert_int_eq(dns_zsum_add(&s, "less.z", DNS_RR_A, 60, a1, 4), 0);
	/* the same bytes as another type */
	ck_assert_int_eq(dns_zsum_add(&s, "type.z", DNS_RR_TXT, 60, a1, 4), 0);
	ck_assert_int_eq(dns_zsum_finish(&s), 0);
	want = pair(&s, 60);
	ck_assert_uint_eq(get(&s, "same.z", false), want);
	ck_assert_uint_ne(get(&s, "ttl.z", false), want);
	ck_assert_uint_ne(get(&s, "rd.z", false), want);
	ck_assert_uint_ne(get(&s, "extra.z", false), want);
	ck_assert_uint_ne(get(&s, "less.z", false), want);
	ck_assert_uint_ne(dns_zsum_rr(&s, DNS_RR_TXT, 60, a1, 4),
			  dns_zsum_rr(&s, DNS_RR_A, 60, a1, 4));
	dns_zsum_free(&s);
}
END_TEST

/* TXT counts at _acme-challenge names only; A/AAAA there only as flag. */
START_TEST(acme_txt)
{
	struct dns_zsum s;
	uint64_t want;

	ck_assert_int_eq(dns_zsum_init(&s), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "_acme-challenge.h.z", DNS_RR_TXT, 60,
				      txt2, 6),
			 0);
	ck_assert_int_eq(dns_zsum_add(&s, "h.z", DNS_RR_A, 60, a1, 4), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "h.z", DNS_RR_TXT, 60, txt1, 6), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "_acme-challenge.h.z", DNS_RR_TXT, 60,
				      txt1, 6),
			 0);
	ck_assert_int_eq(
		dns_zsum_add(&s, "_acme-challenge.h.z", DNS_RR_A, 60, a1, 4),
		0);
	ck_assert_int_eq(dns_zsum_add(&s, "t.z", DNS_RR_TXT, 60, txt1, 6), 0);
	ck_assert_int_eq(dns_zsum_finish(&s), 0);
	ck_assert_uint_eq(s.nrr, 6);
	ck_assert_uint_eq(get(&s, "h.z", true),
			  dns_zsum_rr(&s, DNS_RR_A, 60, a1, 4));
	want = dns_zsum_rr(&s, DNS_RR_TXT, 60, txt1, 6) +
	       dns_zsum_rr(&s, DNS_RR_TXT, 60, txt2, 6);
	ck_assert_uint_eq(get(&s, "_acme-challenge.h.z", false), want);
	ck_assert_uint_eq(get(&s, "t.z", false), 0);
	/* the A record at the challenge name is an unclaimed address */
	ck_assert_uint_eq(dns_zsum_foreign(&s), 1);
	dns_zsum_free(&s);
}
END_TEST

START_TEST(foreign_count)
{
	struct dns_zsum s;

	ck_assert_int_eq(dns_zsum_init(&s), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "ns1.z", DNS_RR_A, 60, a1, 4), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "h1.z", DNS_RR_A, 60, a1, 4), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "www.z", DNS_RR_AAAA, 60, v6, 16), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "h2.z", DNS_RR_AAAA, 60, v6, 16), 0);
	ck_assert_int_eq(dns_zsum_add(&s, "txt.z", DNS_RR_TXT, 60, txt1, 6), 0);
	ck_assert_int_eq(dns_zsum_finish(&s), 0);
	ck_assert_uint_eq(dns_zsum_foreign(&s), 4);
	(void)get(&s, "h1.z", true);
	ck_assert_uint_eq(dns_zsum_foreign(&s), 3);
	(void)get(&s, "h2.z", true);
	(void)get(&s, "h2.z", true);
	(void)get(&s, "gone.z", true); /* a host without records */
	(void)get(&s, "www.z", false); /* looked at, not claimed */
	ck_assert_uint_eq(dns_zsum_foreign(&s), 2);
	dns_zsum_free(&s);
}
END_TEST

/* Many names in a scrambled order, each in two pieces far apart. */
START_TEST(many_names)
{
	enum { N = 50000 };
	struct dns_zsum s;
	char name[32];
	uint8_t a[4];
	size_t k;

	ck_assert_int_eq(dns_zsum_init(&s), 0);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < N; i++) {
			k = (i * 7919) % N;
			snprintf(name, sizeof(name), "h%zu.z", k);
			a[0] = 10, a[1] = (uint8_t)(k >> 16),
			a[2] = (uint8_t)(k >> 8), a[3] = (uint8_t)k;
			if (pass == 0)
				ck_assert_int_eq(dns_zsum_add(&s, name,
							      DNS_RR_A, 60, a,
							      4),
						 0);
			else
				ck_assert_int_eq(dns_zsum_add(&s, name,
							      DNS_RR_AAAA, 60,
							      v6, 16),
						 0);
		}
	}
	ck_assert_int_eq(dns_zsum_finish(&s), 0);
	ck_assert_uint_eq(s.n, N);
	for (size_t i = 1; i < s.n; i++)
		ck_assert(s.e[i - 1].name < s.e[i].name);
	for (k = 0; k < N; k++) {
		snprintf(name, sizeof(name), "h%zu.z", k);
		a[0] = 10, a[1] = (uint8_t)(k >> 16), a[2] = (uint8_t)(k >> 8),
		a[3] = (uint8_t)k;
		ck_assert_uint_eq(
			get(&s, name, k % 2 == 0),
			dns_zsum_rr(&s, DNS_RR_A, 60, a, 4) +
				dns_zsum_rr(&s, DNS_RR_AAAA, 60, v6, 16));
	}
	ck_assert_uint_eq(dns_zsum_foreign(&s), N / 2);
	dns_zsum_free(&s);
}
END_TEST

START_TEST(empty)
{
	struct dns_zsum s;

	ck_assert_int_eq(dns_zsum_init(&s), 0);
	ck_assert_int_eq(dns_zsum_finish(&s), 0);
	ck_assert_uint_eq(get(&s, "a.z", true), 0);
	ck_assert_uint_eq(dns_zsum_foreign(&s), 0);
	dns_zsum_free(&s);
	dns_zsum_free(NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dns_zonesum");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, split_names_merge);
	tcase_add_test(tc, order_independent);
	tcase_add_test(tc, differences);
	tcase_add_test(tc, acme_txt);
	tcase_add_test(tc, foreign_count);
	tcase_add_test(tc, many_names);
	tcase_add_test(tc, empty);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
