/* SPDX-License-Identifier: MIT */
/*
 * The search for refused changes (dnsbackend/bisect.c), driven by a
 * nameserver model: a message is refused when it holds a refused change,
 * too big beyond a number of changes, and can fail outright after a
 * number of messages. Checks that every change ends accepted exactly once
 * or reported refused exactly once, that the zone-wide refusal is told
 * apart, and how many messages the search costs.
 */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "dnsbackend/bisect.h"

#define N_MAX 2048

struct model {
	size_t n;
	bool bad[N_MAX];     /* the nameserver refuses this change */
	bool huge[N_MAX];    /* this change alone fills a message */
	unsigned acc[N_MAX]; /* times accepted */
	unsigned rep[N_MAX]; /* times reported refused */
	size_t fit;          /* changes per message (0: any) */
	bool zone_refuses;   /* the empty update is refused too */
	size_t fail_after;   /* sends before a transport error (0: never) */
	size_t sends, probes;
	size_t last_off, last_n; /* the last send */
	int last_ret;
};

static int m_send(void *arg, size_t off, size_t n);
static int m_probe(void *arg);
static int m_refused(void *arg, size_t off);
static void model_init(struct model *m, size_t n);
static size_t check_outcome(const struct model *m);
static Suite *bisect_suite(void);

static const struct dns_bisect_ops ops = { m_send, m_probe, m_refused };

static int
m_send(void *arg, size_t off, size_t n)
{
	struct model *m = arg;
	bool bad = false;

	ck_assert_uint_gt(n, 0);
	ck_assert_uint_le(off + n, m->n);
	m->sends++;
	m->last_off = off;
	m->last_n = n;
	if (m->fail_after != 0 && m->sends > m->fail_after)
		return m->last_ret = DDNS_ETIMEDOUT;
	if (m->fit != 0 && n > m->fit)
		return m->last_ret = DDNS_ETRUNC;
	for (size_t i = off; i < off + n; i++)
		if (m->huge[i])
			return m->last_ret = DDNS_ETRUNC;
	for (size_t i = off; i < off + n; i++)
		bad |= m->bad[i] || m->zone_refuses;
	if (bad)
		return m->last_ret = DNS_BISECT_REFUSED;
	for (size_t i = off; i < off + n; i++)
		m->acc[i]++;
	return m->last_ret = 0;
}

static int
m_probe(void *arg)
{
	struct model *m = arg;

	m->probes++;
	return m->zone_refuses ? DDNS_EREFUSED : 0;
}

static int
m_refused(void *arg, size_t off)
{
	struct model *m = arg;

	/* Only right after that change was refused alone. */
	ck_assert_int_eq(m->last_ret, DNS_BISECT_REFUSED);
	ck_assert_uint_eq(m->last_off, off);
	ck_assert_uint_eq(m->last_n, 1);
	m->rep[off]++;
	return 0;
}

static void
model_init(struct model *m, size_t n)
{
	memset(m, 0, sizeof(*m));
	m->n = n;
}

/* Every change accepted once or reported once, as it should; returns the
 * number reported. */
static size_t
check_outcome(const struct model *m)
{
	size_t reported = 0;

	for (size_t i = 0; i < m->n; i++) {
		if (m->bad[i]) {
			ck_assert_uint_eq(m->acc[i], 0);
			ck_assert_uint_eq(m->rep[i], 1);
			reported++;
		} else {
			ck_assert_uint_eq(m->acc[i], 1);
			ck_assert_uint_eq(m->rep[i], 0);
		}
	}
	return reported;
}

START_TEST(all_accepted_one_message)
{
	struct model m;
	size_t sent;

	model_init(&m, 1000);
	ck_assert_int_eq(dns_bisect_push(m.n, &ops, &m, &sent), 0);
	check_outcome(&m);
	ck_assert_uint_eq(sent, 1);
	ck_assert_uint_eq(m.probes, 0);
}
END_TEST

START_TEST(empty_batch_sends_nothing)
{
	struct model m;
	size_t sent = 99;

	model_init(&m, 0);
	ck_assert_int_eq(dns_bisect_push(0, &ops, &m, &sent), 0);
	ck_assert_uint_eq(sent, 0);
}
END_TEST

START_TEST(one_refused_anywhere)
{
	struct model m;
	size_t sent, n = 1000, lg = 0;
	size_t bound;

	while (((size_t)1 << lg) < n)
		lg++;
	/* 2 log2(n) + the probe + the first message. */
	bound = 2 * lg + 2;

	/* Every 37th position, and each of the last few. */
	for (size_t bad = 0; bad < n; bad += bad < n - 40 ? 37 : 1) {
		model_init(&m, n);
		m.bad[bad] = true;
		ck_assert_int_eq(dns_bisect_push(n, &ops, &m, &sent), 0);
		ck_assert_uint_eq(check_outcome(&m), 1);
		ck_assert_uint_eq(m.probes, 1);
		ck_assert_uint_le(sent, bound);
	}
}
END_TEST

START_TEST(single_change_refused)
{
	struct model m;
	size_t sent;

	model_init(&m, 1);
	m.bad[0] = true;
	ck_assert_int_eq(dns_bisect_push(1, &ops, &m, &sent), 0);
	ck_assert_uint_eq(check_outcome(&m), 1);
	ck_assert_uint_eq(sent, 2); /* the change, the probe */
}
END_TEST

START_TEST(several_refused)
{
	struct model m;
	size_t sent, n = 1024, k;

	srandom(7);
	for (int round = 0; round < 40; round++) {
		model_init(&m, n);
		k = 1 + (size_t)random() % 16;
		for (size_t i = 0; i < k; i++)
			m.bad[(size_t)random() % n] = true;
		ck_assert_int_eq(dns_bisect_push(n, &ops, &m, &sent), 0);
		k = check_outcome(&m);
		/* About 2k log2(n/k): far below one message per change. */
		ck_assert_uint_le(sent, 2 * k * 11 + 2);
	}
}
END_TEST

START_TEST(every_change_refused_but_zone_accepts)
{
	struct model m;
	size_t sent, n = 64;

	model_init(&m, n);
	for (size_t i = 0; i < n; i++)
		m.bad[i] = true;
	ck_assert_int_eq(dns_bisect_push(n, &ops, &m, &sent), 0);
	ck_assert_uint_eq(check_outcome(&m), n);
	ck_assert_uint_le(sent, 2 * n);
}
END_TEST

START_TEST(zone_refuses_everything)
{
	struct model m;
	size_t sent;

	model_init(&m, 500);
	m.zone_refuses = true;
	ck_assert_int_eq(dns_bisect_push(m.n, &ops, &m, &sent), DDNS_EREFUSED);
	/* One message and the probe: the zone backs off, nobody is blamed. */
	ck_assert_uint_eq(sent, 2);
	for (size_t i = 0; i < m.n; i++) {
		ck_assert_uint_eq(m.acc[i], 0);
		ck_assert_uint_eq(m.rep[i], 0);
	}
}
END_TEST

START_TEST(too_big_then_refused)
{
	struct model m;
	size_t sent;

	model_init(&m, 1000);
	m.fit = 100;
	m.bad[3] = true;
	m.bad[777] = true;
	ck_assert_int_eq(dns_bisect_push(m.n, &ops, &m, &sent), 0);
	ck_assert_uint_eq(check_outcome(&m), 2);
	ck_assert_uint_eq(m.probes, 1);
}
END_TEST

START_TEST(one_change_per_message)
{
	struct model m;

	model_init(&m, 16);
	m.fit = 1;
	m.bad[5] = true;
	ck_assert_int_eq(dns_bisect_push(m.n, &ops, &m, NULL), 0);
	ck_assert_uint_eq(check_outcome(&m), 1);
	ck_assert_uint_eq(m.probes, 1);
}
END_TEST

START_TEST(too_big_single_change_is_an_error)
{
	struct model m;

	model_init(&m, 8);
	m.huge[6] = true;
	ck_assert_int_eq(dns_bisect_push(m.n, &ops, &m, NULL), DDNS_ETRUNC);
	/* Nothing is blamed for it; what came before it went out. */
	for (size_t i = 0; i < 6; i++)
		ck_assert_uint_eq(m.acc[i], 1);
	for (size_t i = 0; i < m.n; i++)
		ck_assert_uint_eq(m.rep[i], 0);
	ck_assert_uint_eq(m.probes, 0);
}
END_TEST

START_TEST(transport_error_stops)
{
	struct model m;
	size_t sent, acc = 0;

	model_init(&m, 256);
	m.bad[200] = true;
	m.fail_after = 4;
	ck_assert_int_eq(dns_bisect_push(m.n, &ops, &m, &sent), DDNS_ETIMEDOUT);
	ck_assert_uint_eq(m.sends, 5);
	/* What was accepted before stays accepted, nothing twice, nobody
	 * reported refused on a failed exchange. */
	for (size_t i = 0; i < m.n; i++) {
		ck_assert_uint_le(m.acc[i], 1);
		ck_assert_uint_eq(m.rep[i], 0);
		acc += m.acc[i];
	}
	ck_assert_uint_gt(acc, 0);
	ck_assert_uint_lt(acc, m.n);
}
END_TEST

static Suite *
bisect_suite(void)
{
	Suite *s = suite_create("dns_bisect");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, all_accepted_one_message);
	tcase_add_test(tc, empty_batch_sends_nothing);
	tcase_add_test(tc, one_refused_anywhere);
	tcase_add_test(tc, single_change_refused);
	tcase_add_test(tc, several_refused);
	tcase_add_test(tc, every_change_refused_but_zone_accepts);
	tcase_add_test(tc, zone_refuses_everything);
	tcase_add_test(tc, too_big_then_refused);
	tcase_add_test(tc, one_change_per_message);
	tcase_add_test(tc, too_big_single_change_is_an_error);
	tcase_add_test(tc, transport_error_stops);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(bisect_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
