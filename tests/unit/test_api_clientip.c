/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of api/clientip.c: DDNS_TRUSTED_PROXIES parsing, CIDR
 * matching, and the choice of the client address from X-Forwarded-For /
 * X-Real-IP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "api/clientip.h"
#include "common/errors.h"
#include "common/names.h"

static Suite *clientip_suite(void);
static struct ddns_addr addr(const char *s);
static const char *pick(const char *proxies, const char *peer, const char *xff,
			const char *xri);

struct list_case {
	const char *in;
	int ret;
	size_t n;
};

static const struct list_case list_cases[] = {
	{ NULL, 0, 0 },
	{ "", 0, 0 },
	{ " , ,", 0, 0 },
	{ "10.0.0.0/8", 0, 1 },
	{ "10.0.0.0/8,192.0.2.1", 0, 2 },
	{ "10.0.0.0/8, 192.0.2.1 2001:db8::/32", 0, 3 },
	{ "127.0.0.2/32", 0, 1 },
	{ "0.0.0.0/0", 0, 1 },
	{ "::/0", 0, 1 },
	{ "::1", 0, 1 },
	{ "10.0.0.0/33", DDNS_EINVAL, 0 },
	{ "2001:db8::/129", DDNS_EINVAL, 0 },
	{ "10.0.0.0/", DDNS_EINVAL, 0 },
	{ "10.0.0.0/-1", DDNS_EINVAL, 0 },
	{ "10.0.0.0/+8", DDNS_EINVAL, 0 },
	{ "10.0.0.0/8x", DDNS_EINVAL, 0 },
	{ "/8", DDNS_EINVAL, 0 },
	{ "10.0.0", DDNS_EINVAL, 0 },
	{ "localhost", DDNS_EINVAL, 0 },
	{ "10.0.0.0/8;rm", DDNS_EINVAL, 0 },
	{ "1.2.3.4,,5.6.7.8", 0, 2 },
};

struct match_case {
	const char *list;
	const char *addr;
	bool in;
};

static const struct match_case match_cases[] = {
	{ "10.0.0.0/8", "10.255.1.2", true },
	{ "10.0.0.0/8", "11.0.0.1", false },
	{ "10.1.2.3/8", "10.9.9.9", true }, /* host bits ignored */
	{ "192.0.2.0/25", "192.0.2.127", true },
	{ "192.0.2.0/25", "192.0.2.128", false },
	{ "192.0.2.1", "192.0.2.1", true },
	{ "192.0.2.1", "192.0.2.2", false },
	{ "0.0.0.0/0", "203.0.113.9", true },
	{ "0.0.0.0/0", "2001:db8::1", false }, /* family must match */
	{ "2001:db8::/32", "2001:db8:ffff::1", true },
	{ "2001:db8::/32", "2001:db9::1", false },
	{ "2001:db8::/33", "2001:db8:7fff::1", true },
	{ "2001:db8::/33", "2001:db8:8000::1", false },
	{ "", "127.0.0.1", false },
	{ "127.0.0.2/32", "127.0.0.1", false },
	{ "127.0.0.2/32", "127.0.0.2", true },
};

struct pick_case {
	const char *proxies, *peer, *xff, *xri;
	const char *want;
};

static const struct pick_case pick_cases[] = {
	/* Untrusted peer: headers are ignored. */
	{ "", "198.51.100.1", "203.0.113.9", "203.0.113.8", "198.51.100.1" },
	{ "10.0.0.0/8", "198.51.100.1", "203.0.113.9", NULL, "198.51.100.1" },
	/* Trusted peer. */
	{ "10.0.0.0/8", "10.0.0.1", "203.0.113.9", NULL, "203.0.113.9" },
	{ "10.0.0.0/8", "10.0.0.1", NULL, "203.0.113.8", "203.0.113.8" },
	{ "10.0.0.0/8", "10.0.0.1", NULL, NULL, "10.0.0.1" },
	{ "10.0.0.0/8", "10.0.0.1", "", NULL, "10.0.0.1" },
	{ "10.0.0.0/8", "10.0.0.1", "203.0.113.9", "192.0.2.5",
	  "203.0.113.9" }, /* X-Forwarded-For wins */
	/* The rightmost untrusted hop is the client: a client cannot forge
	 * its way past the proxy by sending its own header. */
	{ "10.0.0.0/8", "10.0.0.1", "1.1.1.1, 203.0.113.9", NULL,
	  "203.0.113.9" },
	{ "10.0.0.0/8", "10.0.0.1", "1.1.1.1, 203.0.113.9, 10.0.0.7", NULL,
	  "203.0.113.9" },
	/* All hops trusted: the leftmost. */
	{ "10.0.0.0/8", "10.0.0.1", "10.0.0.9, 10.0.0.7", NULL, "10.0.0.9" },
	/* Garbage stops the walk at the last good hop. */
	{ "10.0.0.0/8", "10.0.0.1", "203.0.113.9, junk, 10.0.0.7", NULL,
	  "10.0.0.7" },
	{ "10.0.0.0/8", "10.0.0.1", "junk", NULL, "10.0.0.1" },
	/* X-Forwarded-For present decides, even unusable: X-Real-IP then
	 * may be a client's own, passed through. */
	{ "10.0.0.0/8", "10.0.0.1", "junk", "203.0.113.8", "10.0.0.1" },
	{ "10.0.0.0/8", "10.0.0.1", "  ", "203.0.113.8", "203.0.113.8" },
	{ "10.0.0.0/8", "10.0.0.1", "203.0.113.9,", NULL, "10.0.0.1" },
	{ "10.0.0.0/8", "10.0.0.1", "203.0.113.9/24", NULL, "10.0.0.1" },
	{ "10.0.0.0/8", "10.0.0.1", NULL, "not-an-ip", "10.0.0.1" },
	/* Ports, brackets, blanks and IPv6. */
	{ "10.0.0.0/8", "10.0.0.1", " 203.0.113.9:4711 ", NULL, "203.0.113.9" },
	{ "10.0.0.0/8", "10.0.0.1", "[2001:db8::5]:443", NULL, "2001:db8::5" },
	{ "10.0.0.0/8", "10.0.0.1", "[2001:db8::5]", NULL, "2001:db8::5" },
	{ "10.0.0.0/8", "10.0.0.1", "2001:db8::5", NULL, "2001:db8::5" },
	{ "10.0.0.0/8", "10.0.0.1", "[2001:db8::5", NULL, "10.0.0.1" },
	{ "::1", "::1", "2001:db8::6", NULL, "2001:db8::6" },
	{ "10.0.0.0/8", "10.0.0.1", "::ffff:203.0.113.4", NULL, "203.0.113.4" },
	/* Unspecified and multicast are not client addresses. */
	{ "10.0.0.0/8", "10.0.0.1", "0.0.0.0", NULL, "10.0.0.1" },
	{ "10.0.0.0/8", "10.0.0.1", "224.0.0.1", NULL, "10.0.0.1" },
};

static struct ddns_addr
addr(const char *s)
{
	struct ddns_addr a;

	ck_assert_int_eq(ddns_addr_parse(s, strlen(s), &a), 0);
	return a;
}

static const char *
pick(const char *proxies, const char *peer, const char *xff, const char *xri)
{
	static char out[64];
	struct ddns_netlist p;
	struct ddns_addr pa = addr(peer), got;

	ck_assert_int_eq(ddns_netlist_parse(proxies, &p), 0);
	api_client_addr(&p, &pa, xff, xri, &got);
	ddns_addr_format(&got, out, sizeof(out));
	return out;
}

START_TEST(test_list)
{
	const struct list_case *c = &list_cases[_i];
	struct ddns_netlist p;

	ck_assert_msg(ddns_netlist_parse(c->in, &p) == c->ret, "list \"%s\"",
		      c->in ? c->in : "(null)");
	if (c->ret == 0)
		ck_assert_uint_eq(p.n, c->n);
}
END_TEST

START_TEST(test_list_too_long)
{
	char buf[64 * (API_PROXIES_MAX + 2)];
	struct ddns_netlist p;
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < API_PROXIES_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "10.0.%d.0/24,",
				      i);
	ck_assert_int_eq(ddns_netlist_parse(buf, &p), 0);
	ck_assert_uint_eq(p.n, API_PROXIES_MAX);
	snprintf(buf + n, sizeof(buf) - n, "192.0.2.1");
	ck_assert_int_eq(ddns_netlist_parse(buf, &p), DDNS_ENOSPC);
}
END_TEST

START_TEST(test_match)
{
	const struct match_case *c = &match_cases[_i];
	struct ddns_netlist p;
	struct ddns_addr a = addr(c->addr);

	ck_assert_int_eq(ddns_netlist_parse(c->list, &p), 0);
	ck_assert_msg(ddns_netlist_contains(&p, &a) == c->in, "%s in \"%s\"",
		      c->addr, c->list);
}
END_TEST

START_TEST(test_pick)
{
	const struct pick_case *c = &pick_cases[_i];

	ck_assert_msg(
		strcmp(pick(c->proxies, c->peer, c->xff, c->xri), c->want) == 0,
		"proxies \"%s\" peer %s xff \"%s\" xri \"%s\": got %s, "
		"want %s",
		c->proxies, c->peer, c->xff ? c->xff : "(none)",
		c->xri ? c->xri : "(none)",
		pick(c->proxies, c->peer, c->xff, c->xri), c->want);
}
END_TEST

START_TEST(test_pick_long_header)
{
	char xff[8192];
	size_t n = 0;

	/* Many trusted hops, then the client at the far left. */
	n += (size_t)snprintf(xff, sizeof(xff), "203.0.113.1");
	while (n + 16 < sizeof(xff))
		n += (size_t)snprintf(xff + n, sizeof(xff) - n, ", 10.1.2.3");
	ck_assert_str_eq(pick("10.0.0.0/8", "10.0.0.1", xff, NULL),
			 "203.0.113.1");
}
END_TEST

/* Header lines as a proxy sends them, in order: name, value; NULL ends. */
struct fwd_case {
	const char *what;
	const char *proxies, *peer;
	const char *lines[10];
	const char *want;
};

static const struct fwd_case fwd_cases[] = {
	/* nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for
	 * (the client's own list, ", ", $remote_addr on one line) and
	 * X-Real-IP $remote_addr (which replaces the client's). */
	{ "nginx, no client header",
	  "127.0.0.2",
	  "127.0.0.2",
	  { "X-Forwarded-For", "203.0.113.5", "X-Real-IP", "203.0.113.5",
	    NULL },
	  "203.0.113.5" },
	{ "nginx, client forged a list",
	  "127.0.0.2",
	  "127.0.0.2",
	  { "X-Forwarded-For", "6.6.6.6, 7.7.7.7, 203.0.113.5", "X-Real-IP",
	    "203.0.113.5", NULL },
	  "203.0.113.5" },
	/* HAProxy "option forwardfor": the client's lines stay as they
	 * are and a new line with the source is added at the end; a
	 * client's X-Real-IP is passed through untouched. */
	{ "HAProxy, forged line first",
	  "127.0.0.2",
	  "127.0.0.2",
	  { "X-Forwarded-For", "6.6.6.6", "X-Forwarded-For", "203.0.113.5",
	    NULL },
	  "203.0.113.5" },
	{ "HAProxy, forged lines and X-Real-IP",
	  "127.0.0.2",
	  "127.0.0.2",
	  { "X-Real-IP", "6.6.6.1", "x-forwarded-for", "6.6.6.2, 6.6.6.3",
	    "X-Forwarded-For", "6.6.6.4", "X-Forwarded-For", "203.0.113.5",
	    NULL },
	  "203.0.113.5" },
	{ "two proxies, one line each",
	  "127.0.0.2, 10.0.0.0/8",
	  "127.0.0.2",
	  { "X-Forwarded-For", "6.6.6.6", "X-Forwarded-For", "203.0.113.5",
	    "X-Forwarded-For", "10.1.1.1", NULL },
	  "203.0.113.5" },
	{ "empty lines add nothing",
	  "127.0.0.2",
	  "127.0.0.2",
	  { "X-Forwarded-For", "", "X-Forwarded-For", "203.0.113.5",
	    "X-Forwarded-For", "  ", NULL },
	  "203.0.113.5" },
	{ "only empty X-Forwarded-For: X-Real-IP",
	  "127.0.0.2",
	  "127.0.0.2",
	  { "X-Forwarded-For", " ", "X-Real-IP", "203.0.113.7", NULL },
	  "203.0.113.7" },
	{ "X-Real-IP alone (nginx without XFF)",
	  "127.0.0.2",
	  "127.0.0.2",
	  { "X-Real-IP", "203.0.113.7", NULL },
	  "203.0.113.7" },
	{ "two X-Real-IP lines: neither",
	  "127.0.0.2",
	  "127.0.0.2",
	  { "X-Real-IP", "6.6.6.6", "X-Real-IP", "203.0.113.7", NULL },
	  "127.0.0.2" },
	{ "untrusted peer: lines ignored",
	  "127.0.0.2",
	  "127.0.0.1",
	  { "X-Forwarded-For", "203.0.113.5", NULL },
	  "127.0.0.1" },
	{ "other headers ignored",
	  "127.0.0.2",
	  "127.0.0.2",
	  { "Forwarded", "for=6.6.6.6", "X-Forwarded-Host", "6.6.6.6",
	    "X-Client-IP", "6.6.6.6", NULL },
	  "127.0.0.2" },
};

START_TEST(test_fwd)
{
	const struct fwd_case *c = &fwd_cases[_i];
	struct ddns_netlist p;
	struct api_fwd f;
	struct ddns_addr pa = addr(c->peer), got;
	char out[64];

	ck_assert_int_eq(ddns_netlist_parse(c->proxies, &p), 0);
	api_fwd_init(&f);
	for (size_t i = 0; c->lines[i] != NULL; i += 2)
		api_fwd_add(&f, c->lines[i], c->lines[i + 1],
			    strlen(c->lines[i + 1]));
	api_client_addr_fwd(&p, &pa, &f, &got);
	ddns_addr_format(&got, out, sizeof(out));
	ck_assert_msg(strcmp(out, c->want) == 0, "%s: got %s, want %s", c->what,
		      out, c->want);
}
END_TEST

/* A list longer than kept is not used at all: its right end is lost. */
START_TEST(test_fwd_overflow)
{
	static char line[API_XFF_MAX];
	struct ddns_netlist p;
	struct api_fwd f;
	struct ddns_addr pa = addr("127.0.0.2"), got;
	char out[64];
	size_t n = 0;

	while (n + 16 < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "6.6.6.6, ");
	ck_assert_int_eq(ddns_netlist_parse("127.0.0.2", &p), 0);
	api_fwd_init(&f);
	api_fwd_add(&f, "X-Forwarded-For", line, n);
	api_fwd_add(&f, "X-Forwarded-For", "203.0.113.5", 11);
	api_fwd_add(&f, "X-Real-IP", "203.0.113.5", 11);
	ck_assert(f.xff_overflow);
	api_client_addr_fwd(&p, &pa, &f, &got);
	ddns_addr_format(&got, out, sizeof(out));
	ck_assert_str_eq(out, "127.0.0.2");
}
END_TEST

static Suite *
clientip_suite(void)
{
	Suite *s = suite_create("clientip");
	TCase *tc = tcase_create("proxies");

	tcase_add_loop_test(tc, test_list, 0,
			    (int)(sizeof(list_cases) / sizeof(list_cases[0])));
	tcase_add_test(tc, test_list_too_long);
	tcase_add_loop_test(
		tc, test_match, 0,
		(int)(sizeof(match_cases) / sizeof(match_cases[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("pick");
	tcase_add_loop_test(tc, test_pick, 0,
			    (int)(sizeof(pick_cases) / sizeof(pick_cases[0])));
	tcase_add_test(tc, test_pick_long_header);
	tcase_add_loop_test(tc, test_fwd, 0,
			    (int)(sizeof(fwd_cases) / sizeof(fwd_cases[0])));
	tcase_add_test(tc, test_fwd_overflow);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(clientip_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
