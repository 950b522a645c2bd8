/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of common/placement.c: the operator's reserved labels
 * (DDNS_RESERVED_NAMES) and where a name sits under its zone.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "common/errors.h"
#include "common/placement.h"

static Suite *placement_suite(void);

struct match_case {
	const char *label;
	bool reserved;
};

/* The default list, as the issue states it exactly. */
static const struct match_case default_cases[] = {
	{ "ns", true },         { "ns1", true },
	{ "ns42", true },       { "nsx", false },
	{ "ns1a", false },      { "nsupdate", false },
	{ "www", true },        { "www2", false },
	{ "mail", true },       { "mx", true },
	{ "smtp", true },       { "imap", true },
	{ "pop", true },        { "pop3", true },
	{ "pop4", false },      { "ftp", true },
	{ "autoconfig", true }, { "autodiscover", true },
	{ "localhost", true },  { "_acme-challenge", true },
	{ "_x", true },         { "home", false },
	{ "n", false },         { "w", false },
	{ "mailbox", false },   { "x_y", false },
};

START_TEST(test_default_list)
{
	const struct match_case *c = &default_cases[_i];
	struct ddns_reserved r;

	ck_assert_int_eq(ddns_reserved_parse(DDNS_RESERVED_DEFAULT, &r), 0);
	ck_assert_uint_eq(r.n, 14);
	ck_assert_msg(ddns_reserved_match(&r, c->label, strlen(c->label)) ==
			      c->reserved,
		      "%s: expected %s", c->label,
		      c->reserved ? "reserved" : "free");
}
END_TEST

START_TEST(test_parse)
{
	struct ddns_reserved r;
	char many[1024] = "";

	ck_assert_int_eq(ddns_reserved_parse("", &r), 0);
	ck_assert_uint_eq(r.n, 0);
	ck_assert(!ddns_reserved_match(&r, "www", 3));
	ck_assert_int_eq(ddns_reserved_parse(" WWW,, cam# ,x*\tq", &r), 0);
	ck_assert_uint_eq(r.n, 4);
	ck_assert(ddns_reserved_match(&r, "www", 3));
	ck_assert(ddns_reserved_match(&r, "cam7", 4));
	ck_assert(!ddns_reserved_match(&r, "cam", 3));
	ck_assert(ddns_reserved_match(&r, "x", 1));
	ck_assert(ddns_reserved_match(&r, "xylophone", 9));
	ck_assert(ddns_reserved_match(&r, "q", 1));
	/* Bad entries are refused, never cut short. */
	ck_assert_int_eq(ddns_reserved_parse("ok,b!d", &r), DDNS_EINVAL);
	ck_assert_int_eq(ddns_reserved_parse("a.b", &r), DDNS_EINVAL);
	ck_assert_int_eq(ddns_reserved_parse("#", &r), DDNS_EINVAL);
	ck_assert_int_eq(ddns_reserved_parse("ns##", &r), DDNS_EINVAL);
	ck_assert_int_eq(ddns_reserved_parse(
				 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				 "aaaaaaaaaaaaaaaaaaa",
				 &r),
			 DDNS_EINVAL);
	for (int i = 0; i <= DDNS_RESERVED_MAX; i++)
		memcpy(many + 2 * i, "a,", 3);
	ck_assert_int_eq(ddns_reserved_parse(many, &r), DDNS_EINVAL);
}
END_TEST

START_TEST(test_placement_shared)
{
	struct ddns_reserved r;
	struct ddns_placement p;

	ck_assert_int_eq(ddns_reserved_parse(DDNS_RESERVED_DEFAULT, &r), 0);
	ck_assert_int_eq(
		ddns_placement_check("home.dyn.test", "dyn.test", true, &r, &p),
		0);
	ck_assert_uint_eq(p.depth, 1);
	ck_assert_str_eq(p.top, "home.dyn.test");
	ck_assert_uint_eq(p.nancestors, 0);

	ck_assert_int_eq(ddns_placement_check("cam.nas.home.dyn.test",
					      "dyn.test", true, &r, &p),
			 0);
	ck_assert_uint_eq(p.depth, 3);
	ck_assert_str_eq(p.top, "home.dyn.test");
	ck_assert_uint_eq(p.nancestors, 2);
	ck_assert_str_eq(p.ancestors[0], "home.dyn.test");
	ck_assert_str_eq(p.ancestors[1], "nas.home.dyn.test");

	/* The reserved rule is for the label under the zone only. */
	ck_assert_int_eq(
		ddns_placement_check("www.dyn.test", "dyn.test", true, &r, &p),
		DDNS_ENAMEUSED);
	ck_assert_str_eq(p.top, "www.dyn.test");
	ck_assert_int_eq(ddns_placement_check("x.ns3.dyn.test", "dyn.test",
					      true, &r, &p),
			 DDNS_ENAMEUSED);
	ck_assert_int_eq(ddns_placement_check("www.home.dyn.test", "dyn.test",
					      true, &r, &p),
			 0);
	ck_assert_int_eq(
		ddns_placement_check("wwwx.dyn.test", "dyn.test", true, &r, &p),
		0);
}
END_TEST

START_TEST(test_placement_owned_and_apex)
{
	struct ddns_reserved r;
	struct ddns_placement p;

	ck_assert_int_eq(ddns_reserved_parse(DDNS_RESERVED_DEFAULT, &r), 0);
	/* An account's own zone: any label, any depth. */
	ck_assert_int_eq(ddns_placement_check("www.corp.dyn.test",
					      "corp.dyn.test", false, &r, &p),
			 0);
	ck_assert_int_eq(ddns_placement_check("a.b.c.corp.dyn.test",
					      "corp.dyn.test", false, &r, &p),
			 0);
	ck_assert_uint_eq(p.depth, 3);
	/* The apex is never a host; a name outside the zone is no match. */
	ck_assert_int_eq(
		ddns_placement_check("dyn.test", "dyn.test", true, &r, &p),
		DDNS_ENOTZONE);
	ck_assert_int_eq(ddns_placement_check("corp.dyn.test", "corp.dyn.test",
					      false, &r, &p),
			 DDNS_ENOTZONE);
	ck_assert_int_eq(
		ddns_placement_check("xdyn.test", "dyn.test", true, &r, &p),
		DDNS_ENOTZONE);
	ck_assert_int_eq(ddns_placement_check("home.other.test", "dyn.test",
					      true, &r, &p),
			 DDNS_ENOTZONE);
	/* No list: nothing is reserved. */
	ck_assert_int_eq(ddns_placement_check("www.dyn.test", "dyn.test", true,
					      NULL, &p),
			 0);
}
END_TEST

static Suite *
placement_suite(void)
{
	Suite *s = suite_create("placement");
	TCase *tc = tcase_create("reserved");

	tcase_add_loop_test(
		tc, test_default_list, 0,
		(int)(sizeof(default_cases) / sizeof(default_cases[0])));
	tcase_add_test(tc, test_parse);
	suite_add_tcase(s, tc);
	tc = tcase_create("placement");
	tcase_add_test(tc, test_placement_shared);
	tcase_add_test(tc, test_placement_owned_and_apex);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(placement_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
