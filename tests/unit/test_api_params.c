/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of api/params.c: form decoding, the dyndns2 parameters and
 * the Basic Authorization header.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <check.h>
#include <sodium.h>

#include "api/params.h"
#include "common/errors.h"

#define MAXKV 64
#define MAXPAIRS 6
#define QUERY_MAX 70000

static Suite *params_suite(void);
static int parse_query(const char *q, struct api_dyndns2_req *req);
static void addr_text(bool has, const struct ddns_addr *a, char *out,
		      size_t outsz);
static void basic_header(const char *cred, size_t len, char *out, size_t outsz);

/* ---- api_form_parse ------------------------------------------------- */

struct form_case {
	const char *in;
	size_t len; /* 0: strlen */
	int ret;
	size_t n;
	const char *pairs[MAXPAIRS][2];
};

static const struct form_case form_cases[] = {
	{ "", 0, 0, 0, { { NULL } } },
	{ "a=1", 0, 0, 1, { { "a", "1" } } },
	{ "a=1&b=2", 0, 0, 2, { { "a", "1" }, { "b", "2" } } },
	{ "a", 0, 0, 1, { { "a", "" } } },
	{ "a=", 0, 0, 1, { { "a", "" } } },
	{ "=v", 0, 0, 1, { { "", "v" } } },
	{ "=", 0, 0, 1, { { "", "" } } },
	{ "a=1&&b=2&", 0, 0, 2, { { "a", "1" }, { "b", "2" } } },
	{ "&&&", 0, 0, 0, { { NULL } } },
	{ "a=b=c", 0, 0, 1, { { "a", "b=c" } } },
	{ "a+b=c+d", 0, 0, 1, { { "a b", "c d" } } },
	{ "k=%41%62", 0, 0, 1, { { "k", "Ab" } } },
	{ "%6B%65%79=v", 0, 0, 1, { { "key", "v" } } },
	{ "k=%2c", 0, 0, 1, { { "k", "," } } },
	{ "k=%2C%2b", 0, 0, 1, { { "k", ",+" } } },
	{ "k=%26x%3Dy", 0, 0, 1, { { "k", "&x=y" } } },
	{ "k=%252C", 0, 0, 1, { { "k", "%2C" } } },
	{ "k=100%25", 0, 0, 1, { { "k", "100%" } } },
	{ "k=%E2%82%AC", 0, 0, 1, { { "k", "\xe2\x82\xac" } } },
	{ "k=%0d%0a", 0, 0, 1, { { "k", "\r\n" } } },
	{ "a=1&a=2", 0, 0, 2, { { "a", "1" }, { "a", "2" } } },
	{ "hostname=h.example.com&myip=1.2.3.4&wildcard=NOCHG&mx=&backmx=NO",
	  0,
	  0,
	  5,
	  { { "hostname", "h.example.com" },
	    { "myip", "1.2.3.4" },
	    { "wildcard", "NOCHG" },
	    { "mx", "" },
	    { "backmx", "NO" } } },
	/* len decides, not the first NUL: the rest is not looked at. */
	{ "a=1&b=2", 3, 0, 1, { { "a", "1" } } },

	{ "k=%00", 0, DDNS_EINVAL, 0, { { NULL } } },
	{ "%00=v", 0, DDNS_EINVAL, 0, { { NULL } } },
	{ "k=%2", 0, DDNS_EINVAL, 0, { { NULL } } },
	{ "k=%", 0, DDNS_EINVAL, 0, { { NULL } } },
	{ "k=%zz", 0, DDNS_EINVAL, 0, { { NULL } } },
	{ "k=%g0", 0, DDNS_EINVAL, 0, { { NULL } } },
	{ "k=%0g", 0, DDNS_EINVAL, 0, { { NULL } } },
	{ "k=%%41", 0, DDNS_EINVAL, 0, { { NULL } } },
	{ "k=% 1", 0, DDNS_EINVAL, 0, { { NULL } } },
	{ "k=%-1", 0, DDNS_EINVAL, 0, { { NULL } } },
	{ "k=%+1", 0, DDNS_EINVAL, 0, { { NULL } } },
	{ "%zz=v", 0, DDNS_EINVAL, 0, { { NULL } } },
	{ "a=1&k=%2&b=2", 0, DDNS_EINVAL, 0, { { NULL } } },
	{ "k%", 0, DDNS_EINVAL, 0, { { NULL } } },
	{ "k=%2&", 0, DDNS_EINVAL, 0, { { NULL } } },
	/* A raw NUL inside the given length. */
	{ "a=1\0&b=2", 8, DDNS_EINVAL, 0, { { NULL } } },
	{ "\0", 1, DDNS_EINVAL, 0, { { NULL } } },
};

START_TEST(test_form_table)
{
	const struct form_case *c = &form_cases[_i];
	struct api_kv kv[MAXKV];
	char buf[256];
	size_t len = c->len ? c->len : strlen(c->in), n = 99, i;
	int ret;

	ck_assert_uint_lt(len, sizeof(buf));
	memcpy(buf, c->in, len);
	buf[len] = '\0';
	ret = api_form_parse(buf, len, kv, MAXKV, &n);
	ck_assert_msg(ret == c->ret, "case %d: got %d want %d", _i, ret,
		      c->ret);
	if (ret != 0) {
		ck_assert_uint_eq(n, 0);
		return;
	}
	ck_assert_uint_eq(n, c->n);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(kv[i].value);
		ck_assert_str_eq(kv[i].key, c->pairs[i][0]);
		ck_assert_str_eq(kv[i].value, c->pairs[i][1]);
	}
}
END_TEST

START_TEST(test_form_maxkv)
{
	struct api_kv kv[3];
	char buf[64];
	size_t n = 99;

	memcpy(buf, "a=1&b=2&c=3", 12);
	ck_assert_int_eq(api_form_parse(buf, 11, kv, 3, &n), 0);
	ck_assert_uint_eq(n, 3);

	memcpy(buf, "a=1&b=2&c=3&d", 14);
	ck_assert_int_eq(api_form_parse(buf, 13, kv, 3, &n), DDNS_ERANGE);
	ck_assert_uint_eq(n, 0);

	/* Empty pairs do not count against the limit. */
	memcpy(buf, "a=1&&&b=2&&&c=3&&&", 19);
	ck_assert_int_eq(api_form_parse(buf, 18, kv, 3, &n), 0);
	ck_assert_uint_eq(n, 3);

	memcpy(buf, "a", 2);
	ck_assert_int_eq(api_form_parse(buf, 1, kv, 0, &n), DDNS_ERANGE);
	ck_assert_int_eq(api_form_parse(NULL, 0, kv, 3, &n), DDNS_EINVAL);
}
END_TEST

START_TEST(test_form_huge)
{
	static char buf[QUERY_MAX + 1];
	static struct api_kv kv[MAXKV];
	size_t i, n;

	/* 10000 pairs: rejected as too many, without overrun. */
	for (i = 0; i + 7 <= QUERY_MAX; i += 7)
		memcpy(buf + i, "k=%41v&", 7);
	buf[i] = '\0';
	ck_assert_int_eq(api_form_parse(buf, i, kv, MAXKV, &n), DDNS_ERANGE);

	/* One huge value decodes in place. */
	memset(buf, '+', QUERY_MAX);
	buf[0] = 'k';
	buf[1] = '=';
	buf[QUERY_MAX] = '\0';
	ck_assert_int_eq(api_form_parse(buf, QUERY_MAX, kv, MAXKV, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(strlen(kv[0].value), QUERY_MAX - 2);
	ck_assert_int_eq(kv[0].value[0], ' ');
}
END_TEST

/* ---- api_dyndns2_parse ---------------------------------------------- */

/* Decodes q like a query string and runs the dyndns2 parser on it. */
static int
parse_query(const char *q, struct api_dyndns2_req *req)
{
	static char buf[QUERY_MAX];
	static struct api_kv kv[MAXKV * 40];
	size_t len = strlen(q), n = 0;
	int ret;

	ck_assert_uint_lt(len, sizeof(buf));
	memcpy(buf, q, len + 1);
	ret = api_form_parse(buf, len, kv, sizeof(kv) / sizeof(kv[0]), &n);
	ck_assert_int_eq(ret, 0);
	return api_dyndns2_parse(kv, n, req);
}

static void
addr_text(bool has, const struct ddns_addr *a, char *out, size_t outsz)
{
	if (!has) {
		snprintf(out, outsz, "-");
		return;
	}
	ddns_addr_format(a, out, outsz);
}

/* A row for a query that must fail with DDNS_EBADADDR. */
#define DYN_BAD(q)                                                             \
	{                                                                      \
		q, DDNS_EBADADDR, 0, { NULL }, "-", "-", false, NULL, NULL     \
	}

#define BAD "!" /* expected name of an entry with status DDNS_ENOTFQDN */

struct dyn_case {
	const char *q;
	int ret;
	size_t nhosts;
	const char *hosts[4];
	const char *v4, *v6; /* "-": absent */
	bool offline;
	const char *user, *pass; /* NULL: absent */
};

static const struct dyn_case dyn_cases[] = {
	/* pfSense */
	{ "hostname=h.example.com&myip=1.2.3.4&wildcard=NOCHG&mx=&backmx=NO",
	  0,
	  1,
	  { "h.example.com" },
	  "1.2.3.4",
	  "-",
	  false,
	  NULL,
	  NULL },
	/* ddclient */
	{ "system=dyndns&hostname=h.example.com&myip=203.0.113.5",
	  0,
	  1,
	  { "h.example.com" },
	  "203.0.113.5",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "hostname=a.example.com,b.example.com",
	  0,
	  2,
	  { "a.example.com", "b.example.com" },
	  "-",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "hostname=+a.example.com+,+B.Example.COM.+,,,",
	  0,
	  2,
	  { "a.example.com", "b.example.com" },
	  "-",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "hostname=%09a.example.com%09",
	  0,
	  1,
	  { "a.example.com" },
	  "-",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "hostname=a.example.com,bad_name.example.com,c.example.com",
	  0,
	  3,
	  { "a.example.com", BAD, "c.example.com" },
	  "-",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "hostname=-a.example.com,localhost,a.example.com.",
	  0,
	  3,
	  { BAD, BAD, "a.example.com" },
	  "-",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "hostname=h%01.example.com",
	  0,
	  1,
	  { BAD },
	  "-",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "hostname=h%0d%0aX:y.example.com",
	  0,
	  1,
	  { BAD },
	  "-",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "hostname=", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "hostname=,,,+,", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "hostname=a.example.com&hostname=b.example.com",
	  0,
	  1,
	  { "b.example.com" },
	  "-",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "hostname=a.example.com&hostname=",
	  0,
	  0,
	  { NULL },
	  "-",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "Hostname=a.example.com&HOSTNAME=b.example.com",
	  0,
	  0,
	  { NULL },
	  "-",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "hostname=a.example.com%2Cb.example.com",
	  0,
	  2,
	  { "a.example.com", "b.example.com" },
	  "-",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "hostname=a.example.com%252Cb.example.com",
	  0,
	  1,
	  { BAD },
	  "-",
	  "-",
	  false,
	  NULL,
	  NULL },

	{ "myip=", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "myip=+", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "myip=1.2.3.4", 0, 0, { NULL }, "1.2.3.4", "-", false, NULL, NULL },
	{ "myip=2001:db8::5",
	  0,
	  0,
	  { NULL },
	  "-",
	  "2001:db8::5",
	  false,
	  NULL,
	  NULL },
	{ "myip=2001:db8::5/64",
	  0,
	  0,
	  { NULL },
	  "-",
	  "2001:db8::5",
	  false,
	  NULL,
	  NULL },
	{ "myip=2001:db8::5%2F64",
	  0,
	  0,
	  { NULL },
	  "-",
	  "2001:db8::5",
	  false,
	  NULL,
	  NULL },
	{ "myip=::ffff:1.2.3.4",
	  0,
	  0,
	  { NULL },
	  "1.2.3.4",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "myip=203.0.113.5,2001:db8::5",
	  0,
	  0,
	  { NULL },
	  "203.0.113.5",
	  "2001:db8::5",
	  false,
	  NULL,
	  NULL },
	{ "myip=2001:db8::5,203.0.113.5",
	  0,
	  0,
	  { NULL },
	  "203.0.113.5",
	  "2001:db8::5",
	  false,
	  NULL,
	  NULL },
	{ "myip=203.0.113.5,+2001:db8::5",
	  0,
	  0,
	  { NULL },
	  "203.0.113.5",
	  "2001:db8::5",
	  false,
	  NULL,
	  NULL },
	DYN_BAD("myip=1.2.3.4,5.6.7.8"),
	DYN_BAD("myip=2001:db8::5,2001:db8::6"),
	DYN_BAD("myip=::ffff:1.2.3.4,1.2.3.5"),
	DYN_BAD("myip=1.2.3.4,2001:db8::5,5.6.7.8"),
	/* FRITZ!Box "<ipaddr>,<ip6addr>" with a family missing. */
	{ "myip=203.0.113.5,",
	  0,
	  0,
	  { NULL },
	  "203.0.113.5",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "myip=,2001:db8::1",
	  0,
	  0,
	  { NULL },
	  "-",
	  "2001:db8::1",
	  false,
	  NULL,
	  NULL },
	{ "myip=,1.2.3.4", 0, 0, { NULL }, "1.2.3.4", "-", false, NULL, NULL },
	{ "myip=2001:db8::1,+",
	  0,
	  0,
	  { NULL },
	  "-",
	  "2001:db8::1",
	  false,
	  NULL,
	  NULL },
	{ "myip=,", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "myip=+,+", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "myip=203.0.113.5%2C",
	  0,
	  0,
	  { NULL },
	  "203.0.113.5",
	  "-",
	  false,
	  NULL,
	  NULL },
	DYN_BAD("myip=1.2.3.4,,2001:db8::5"),
	DYN_BAD("myip=,,"),
	DYN_BAD("myip=1.2.3.4,2001:db8::5,"),
	DYN_BAD("myip=1.2.3.4,1.2.3.5,"),
	/* inadyn's custom ddns-path and OPNsense (requests) encode ':'. */
	{ "myip=2001%3adb8%3a%3a9",
	  0,
	  0,
	  { NULL },
	  "-",
	  "2001:db8::9",
	  false,
	  NULL,
	  NULL },
	/* OpenWrt ddns-scripts expands IPv6 addresses. */
	{ "myip=2001:0db8:0000:0000:0000:0000:0000:0001",
	  0,
	  0,
	  { NULL },
	  "-",
	  "2001:db8::1",
	  false,
	  NULL,
	  NULL },
	/* RouterOS "/ip address get ... address": with its length. */
	{ "myip=203.0.113.5/24",
	  0,
	  0,
	  { NULL },
	  "203.0.113.5",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "myip=203.0.113.5/0",
	  0,
	  0,
	  { NULL },
	  "203.0.113.5",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "myipv4=203.0.113.5/32",
	  0,
	  0,
	  { NULL },
	  "203.0.113.5",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "myip=203.0.113.5/24,2001:db8::5/64",
	  0,
	  0,
	  { NULL },
	  "203.0.113.5",
	  "2001:db8::5",
	  false,
	  NULL,
	  NULL },
	DYN_BAD("myip=203.0.113.5/33"),
	DYN_BAD("myip=203.0.113.5/"),
	DYN_BAD("myip=203.0.113.5/024"),
	DYN_BAD("myip=203.0.113.5/2a"),
	DYN_BAD("myip=203.0.113.5/24/24"),
	DYN_BAD("myip=0.0.0.0/0"),
	DYN_BAD("myip=224.0.0.1/4"),
	DYN_BAD("myip=0.0.0.0"),
	DYN_BAD("myip=::"),
	DYN_BAD("myip=224.0.0.1"),
	DYN_BAD("myip=ff02::1"),
	DYN_BAD("myip=255.255.255.255"),
	DYN_BAD("myip=fe80::1%25eth0"),
	DYN_BAD("myip=2001:db8::5/129"),
	DYN_BAD("myip=garbage"),
	DYN_BAD("myip=1.2.3.4;5.6.7.8"),
	DYN_BAD("myip=1.2.3.4%0a"),
	DYN_BAD("hostname=h.example.com&myip=bad"),
	/* Last wins: only the final myip is looked at. */
	{ "myip=1.2.3.4,5.6.7.8&myip=9.9.9.9",
	  0,
	  0,
	  { NULL },
	  "9.9.9.9",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "myip=1.2.3.4&myip=", 0, 0, { NULL }, "-", "-", false, NULL, NULL },

	{ "myipv4=1.2.3.4", 0, 0, { NULL }, "1.2.3.4", "-", false, NULL, NULL },
	{ "myipv6=2001:db8::5",
	  0,
	  0,
	  { NULL },
	  "-",
	  "2001:db8::5",
	  false,
	  NULL,
	  NULL },
	{ "myipv4=1.2.3.4&myipv6=2001:db8::5/56",
	  0,
	  0,
	  { NULL },
	  "1.2.3.4",
	  "2001:db8::5",
	  false,
	  NULL,
	  NULL },
	{ "myip=1.2.3.4&myipv4=5.6.7.8",
	  0,
	  0,
	  { NULL },
	  "5.6.7.8",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "myipv4=5.6.7.8&myip=1.2.3.4",
	  0,
	  0,
	  { NULL },
	  "5.6.7.8",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "myip=1.2.3.4,2001:db8::5&myipv6=2001:db8::6",
	  0,
	  0,
	  { NULL },
	  "1.2.3.4",
	  "2001:db8::6",
	  false,
	  NULL,
	  NULL },
	{ "myip=2001:db8::5&myipv4=1.2.3.4",
	  0,
	  0,
	  { NULL },
	  "1.2.3.4",
	  "2001:db8::5",
	  false,
	  NULL,
	  NULL },
	{ "myip=1.2.3.4&myipv4=",
	  0,
	  0,
	  { NULL },
	  "1.2.3.4",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "myipv4=&myipv6=", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "myipv4=::ffff:1.2.3.4",
	  0,
	  0,
	  { NULL },
	  "1.2.3.4",
	  "-",
	  false,
	  NULL,
	  NULL },
	DYN_BAD("myipv4=2001:db8::5"),
	DYN_BAD("myipv6=1.2.3.4"),
	DYN_BAD("myipv6=::ffff:1.2.3.4"),
	DYN_BAD("myipv4=1.2.3.4,5.6.7.8"),
	DYN_BAD("myipv4=1.2.3.4,2001:db8::5"),
	DYN_BAD("myipv6=2001:db8::5,1.2.3.4"),
	DYN_BAD("myipv4=0.0.0.0"),
	DYN_BAD("myipv6=::"),
	DYN_BAD("myipv6=fe80::1%25eth0"),
	/* A bad override fails even if myip alone was fine. */
	DYN_BAD("myip=1.2.3.4&myipv4=x"),

	{ "offline=YES", 0, 0, { NULL }, "-", "-", true, NULL, NULL },
	{ "offline=yes", 0, 0, { NULL }, "-", "-", true, NULL, NULL },
	{ "offline=yEs", 0, 0, { NULL }, "-", "-", true, NULL, NULL },
	{ "offline=NO", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "offline=1", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "offline=true", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "offline=", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "offline=YESS", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "offline=YE", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "offline=+YES", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "offline=YES&offline=NO", 0, 0, { NULL }, "-", "-", false, NULL, NULL },
	{ "offline=NO&offline=YES", 0, 0, { NULL }, "-", "-", true, NULL, NULL },

	{ "username=u&password=p:w", 0, 0, { NULL }, "-", "-", false, "u", "p:w" },
	{ "username=&password=", 0, 0, { NULL }, "-", "-", false, "", "" },
	{ "username=a&username=b&password=x%26y",
	  0,
	  0,
	  { NULL },
	  "-",
	  "-",
	  false,
	  "b",
	  "x&y" },
	{ "system=dyndns&wildcard=ON&mx=mx.example.com&backmx=YES&foo=bar",
	  0,
	  0,
	  { NULL },
	  "-",
	  "-",
	  false,
	  NULL,
	  NULL },
	{ "hostname=h.example.com&myip=1.2.3.4,2001:db8::1&offline=yes&"
	  "username=user&password=ddh_x",
	  0,
	  1,
	  { "h.example.com" },
	  "1.2.3.4",
	  "2001:db8::1",
	  true,
	  "user",
	  "ddh_x" },
};

START_TEST(test_dyn_table)
{
	const struct dyn_case *c = &dyn_cases[_i];
	struct api_dyndns2_req req;
	char text[64];
	size_t i;
	int ret;

	ret = parse_query(c->q, &req);
	ck_assert_msg(ret == c->ret, "case %d (%s): got %d want %d", _i, c->q,
		      ret, c->ret);
	if (c->ret != 0)
		return;
	ck_assert_uint_eq(req.nhosts, c->nhosts);
	for (i = 0; i < req.nhosts; i++) {
		if (strcmp(c->hosts[i], BAD) == 0) {
			ck_assert_int_eq(req.hosts[i].status, DDNS_ENOTFQDN);
			ck_assert_str_eq(req.hosts[i].name, "");
		} else {
			ck_assert_int_eq(req.hosts[i].status, 0);
			ck_assert_str_eq(req.hosts[i].name, c->hosts[i]);
		}
	}
	addr_text(req.has_v4, &req.v4, text, sizeof(text));
	ck_assert_str_eq(text, c->v4);
	if (req.has_v4)
		ck_assert_int_eq(req.v4.family, AF_INET);
	addr_text(req.has_v6, &req.v6, text, sizeof(text));
	ck_assert_str_eq(text, c->v6);
	if (req.has_v6)
		ck_assert_int_eq(req.v6.family, AF_INET6);
	ck_assert(req.offline == c->offline);
	if (c->user == NULL)
		ck_assert_ptr_null(req.username);
	else
		ck_assert_str_eq(req.username, c->user);
	if (c->pass == NULL)
		ck_assert_ptr_null(req.password);
	else
		ck_assert_str_eq(req.password, c->pass);
}
END_TEST

/* ---- ip6lanprefix= / ipv6prefix= ------------------------------------- */

struct prefix_case {
	const char *q;
	int ret;
	const char *prefix; /* "-": absent */
	unsigned len;
};

static const struct prefix_case prefix_cases[] = {
	{ "ip6lanprefix=2001:db8:1:200::/56", 0, "2001:db8:1:200::", 56 },
	{ "ipv6prefix=2001:db8:1:200::/56", 0, "2001:db8:1:200::", 56 },
	{ "ip6lanprefix=2001%3Adb8%3A1%3A200%3A%3A%2F56", 0,
	  "2001:db8:1:200::", 56 },
	/* host bits are dropped */
	{ "ip6lanprefix=2001:db8:1:2ff::1/56", 0, "2001:db8:1:200::", 56 },
	{ "ip6lanprefix=2001:db8:1:2::/63", 0, "2001:db8:1:2::", 63 },
	{ "ip6lanprefix=2001:db8:1:3::/63", 0, "2001:db8:1:2::", 63 },
	{ "ip6lanprefix=2001:db8:1:2::", 0, "2001:db8:1:2::", 64 },
	{ "ip6lanprefix=2001:db8::1/128", 0, "2001:db8::1", 128 },
	{ "ip6lanprefix=2001:db8:ffff::/1", 0, "::", 1 },
	{ "ip6lanprefix=", 0, "-", 0 },
	{ "ip6lanprefix=+", 0, "-", 0 },
	{ "", 0, "-", 0 },
	{ "ip6lanprefix=2001:db8:1::/48&ipv6prefix=2001:db8:2::/48", 0,
	  "2001:db8:2::", 48 },
	{ "ip6lanprefix=2001:db8:1::/48&ipv6prefix=", 0, "2001:db8:1::", 48 },
	{ "ip6lanprefix=2001:db8:1::/48&ip6lanprefix=", 0, "-", 0 },
	{ "ip6lanprefix=2001:db8::/0", DDNS_EBADADDR, "-", 0 },
	{ "ip6lanprefix=2001:db8::/129", DDNS_EBADADDR, "-", 0 },
	{ "ip6lanprefix=2001:db8::/064", DDNS_EBADADDR, "-", 0 },
	{ "ip6lanprefix=2001:db8::/", DDNS_EBADADDR, "-", 0 },
	{ "ip6lanprefix=/56", DDNS_EBADADDR, "-", 0 },
	{ "ip6lanprefix=203.0.113.0/24", DDNS_EBADADDR, "-", 0 },
	{ "ip6lanprefix=::ffff:203.0.113.0/120", DDNS_EBADADDR, "-", 0 },
	{ "ip6lanprefix=ff00::/8", DDNS_EBADADDR, "-", 0 },
	{ "ip6lanprefix=fe80::%25eth0/64", DDNS_EBADADDR, "-", 0 },
	{ "ip6lanprefix=<ip6lanprefix>", DDNS_EBADADDR, "-", 0 },
	{ "ipv6prefix=2001:db8::/56,2001:db8:1::/56", DDNS_EBADADDR, "-", 0 },
};

START_TEST(test_dyn_prefix)
{
	const struct prefix_case *c = &prefix_cases[_i];
	struct api_dyndns2_req req;
	char text[64];
	int ret;

	ret = parse_query(c->q, &req);
	ck_assert_msg(ret == c->ret, "case %d (%s): got %d want %d", _i, c->q,
		      ret, c->ret);
	if (ret != 0)
		return;
	addr_text(req.has_prefix, &req.prefix, text, sizeof(text));
	ck_assert_str_eq(text, c->prefix);
	if (req.has_prefix) {
		ck_assert_int_eq(req.prefix.family, AF_INET6);
		ck_assert_uint_eq(req.prefix_len, c->len);
	}
	/* A prefix is not an address of the host being updated. */
	ck_assert(!req.has_v6 && !req.has_v4);
}
END_TEST

START_TEST(test_dyn_many_hosts)
{
	static char q[QUERY_MAX];
	struct api_dyndns2_req req;
	size_t off, i;
	int count = _i == 0 ? 20 : _i == 1 ? 21 : 1000;

	off = (size_t)snprintf(q, sizeof(q), "hostname=");
	for (i = 0; i < (size_t)count; i++)
		off += (size_t)snprintf(q + off, sizeof(q) - off,
					"%sh%zu.example.com", i ? "," : "", i);
	ck_assert_uint_lt(off, sizeof(q));
	if (count <= API_DYNDNS2_MAX_HOSTS) {
		ck_assert_int_eq(parse_query(q, &req), 0);
		ck_assert_uint_eq(req.nhosts, (size_t)count);
		ck_assert_str_eq(req.hosts[19].name, "h19.example.com");
	} else {
		ck_assert_int_eq(parse_query(q, &req), DDNS_ENUMHOST);
	}
}
END_TEST

START_TEST(test_dyn_host_limits)
{
	static char q[QUERY_MAX];
	struct api_dyndns2_req req;
	size_t off, i;

	/* 20 names hidden among 1000 empty entries: still 20. */
	off = (size_t)snprintf(q, sizeof(q), "hostname=");
	for (i = 0; i < 1000; i++)
		off += (size_t)snprintf(q + off, sizeof(q) - off, "%s",
					i % 50 == 0 ? "x.example.com," : ",");
	ck_assert_int_eq(parse_query(q, &req), 0);
	ck_assert_uint_eq(req.nhosts, 20);

	/* Invalid names count towards the limit too. */
	off = (size_t)snprintf(q, sizeof(q), "hostname=");
	for (i = 0; i < 21; i++)
		off += (size_t)snprintf(q + off, sizeof(q) - off, "%s_bad",
					i ? "," : "");
	ck_assert_int_eq(parse_query(q, &req), DDNS_ENUMHOST);

	/* A 254-character name and a 64-character label are invalid. */
	off = (size_t)snprintf(q, sizeof(q), "hostname=ok.example.com,");
	for (i = 0; i < 250; i++)
		q[off++] = 'a';
	memcpy(q + off, ".com,", 5);
	off += 5;
	for (i = 0; i < 64; i++)
		q[off++] = 'b';
	memcpy(q + off, ".example.com,", 13);
	off += 13;
	for (i = 0; i < 63; i++)
		q[off++] = 'c';
	memcpy(q + off, ".example.com", 13);
	ck_assert_int_eq(parse_query(q, &req), 0);
	ck_assert_uint_eq(req.nhosts, 4);
	ck_assert_int_eq(req.hosts[0].status, 0);
	ck_assert_int_eq(req.hosts[1].status, DDNS_ENOTFQDN);
	ck_assert_str_eq(req.hosts[1].name, "");
	ck_assert_int_eq(req.hosts[2].status, DDNS_ENOTFQDN);
	ck_assert_int_eq(req.hosts[3].status, 0);
	ck_assert_uint_eq(strlen(req.hosts[3].name), 63 + 12);

	/* A 40000-character entry is just one invalid name. */
	off = (size_t)snprintf(q, sizeof(q), "hostname=");
	memset(q + off, 'a', 40000);
	q[off + 40000] = '\0';
	ck_assert_int_eq(parse_query(q, &req), 0);
	ck_assert_uint_eq(req.nhosts, 1);
	ck_assert_int_eq(req.hosts[0].status, DDNS_ENOTFQDN);
}
END_TEST

START_TEST(test_dyn_nul_rejected)
{
	char q[] = "hostname=a.example.com%00.evil.com";
	struct api_kv kv[4];
	size_t n;

	/* A decoded NUL never reaches the dyndns2 parser. */
	ck_assert_int_eq(api_form_parse(q, strlen(q), kv, 4, &n), DDNS_EINVAL);
}
END_TEST

START_TEST(test_dyn_raw_kv)
{
	struct api_dyndns2_req req;
	struct api_kv kv[] = {
		{ NULL, "ignored" },
		{ "hostname", NULL },
		{ "myip", "2001:db8::7" },
		{ "offline", "YES" },
	};

	/* Defensive: NULL keys are skipped and NULL values read as "". */
	ck_assert_int_eq(api_dyndns2_parse(kv, 4, &req), 0);
	ck_assert_uint_eq(req.nhosts, 0);
	ck_assert(!req.has_v4);
	ck_assert(req.has_v6);
	ck_assert(req.offline);
	ck_assert_int_eq(api_dyndns2_parse(kv, 0, &req), 0);
	ck_assert(!req.has_v6);
	ck_assert(!req.offline);
}
END_TEST

/* ---- api_basic_auth_parse ------------------------------------------- */

static void
basic_header(const char *cred, size_t len, char *out, size_t outsz)
{
	ck_assert_uint_gt(outsz,
			  6 + sodium_base64_ENCODED_LEN(
				      len, sodium_base64_VARIANT_ORIGINAL));
	memcpy(out, "Basic ", 6);
	sodium_bin2base64(out + 6, outsz - 6, (const unsigned char *)cred, len,
			  sodium_base64_VARIANT_ORIGINAL);
}

struct basic_case {
	const char *hdr;
	int ret;
	const char *user, *pass;
};

static const struct basic_case basic_cases[] = {
	{ "Basic dXNlcjpwYXNz", 0, "user", "pass" },
	{ "basic dXNlcjpwYXNz", 0, "user", "pass" },
	{ "BASIC dXNlcjpwYXNz", 0, "user", "pass" },
	{ "bAsIc dXNlcjpwYXNz", 0, "user", "pass" },
	{ "Basic     dXNlcjpwYXNz", 0, "user", "pass" },
	{ "Basic dXNlcjpwYXNz  ", 0, "user", "pass" },
	{ "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", 0, "Aladdin", "open sesame" },
	{ "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ", 0, "Aladdin", "open sesame" },
	{ "Basic dXNlcjpwOmE6c3M=", 0, "user", "p:a:ss" },
	{ "Basic dXNlcjpwOmE6c3M", 0, "user", "p:a:ss" },
	{ "Basic dXNlcjpwYXM=", 0, "user", "pas" },
	{ "Basic dXNlcjpwYXM", 0, "user", "pas" },
	{ "Basic dXNlcjo=", 0, "user", "" },
	{ "Basic Og==", 0, "", "" },
	{ "Basic dTr7//4=", 0, "u", "\xfb\xff\xfe" },

	{ NULL, DDNS_EAUTH, NULL, NULL },
	{ "", DDNS_EAUTH, NULL, NULL },
	{ "Basic", DDNS_EAUTH, NULL, NULL },
	{ "Basic ", DDNS_EAUTH, NULL, NULL },
	{ "Basic    ", DDNS_EAUTH, NULL, NULL },
	{ "BasicdXNlcjpwYXNz", DDNS_EAUTH, NULL, NULL },
	{ "Basic\tdXNlcjpwYXNz", DDNS_EAUTH, NULL, NULL },
	{ " Basic dXNlcjpwYXNz", DDNS_EAUTH, NULL, NULL },
	{ "Basi dXNlcjpwYXNz", DDNS_EAUTH, NULL, NULL },
	{ "Bearer dXNlcjpwYXNz", DDNS_EAUTH, NULL, NULL },
	{ "Digest username=\"user\"", DDNS_EAUTH, NULL, NULL },
	{ "Basic !!!!", DDNS_EAUTH, NULL, NULL },
	{ "Basic dXNlcjpwYXNz!", DDNS_EAUTH, NULL, NULL },
	{ "Basic dXNl cjpwYXNz", DDNS_EAUTH, NULL, NULL },
	{ "Basic dXNlcjpwYXNz dXNlcjpwYXNz", DDNS_EAUTH, NULL, NULL },
	{ "Basic dXNlcjpwYXNz\r\n", DDNS_EAUTH, NULL, NULL },
	{ "Basic dXNlcjpwYXM==", DDNS_EAUTH, NULL, NULL },
	{ "Basic dXNlcjpwYXM=A", DDNS_EAUTH, NULL, NULL },
	{ "Basic =", DDNS_EAUTH, NULL, NULL },
	{ "Basic ====", DDNS_EAUTH, NULL, NULL },
	{ "Basic A", DDNS_EAUTH, NULL, NULL },
	{ "Basic dXNlcjpwYXN", DDNS_EAUTH, NULL, NULL },
	/* base64url is not the original alphabet: "u:\xfb\xff\xfe" */
	{ "Basic dTr7__4=", DDNS_EAUTH, NULL, NULL },
	{ "Basic dTr7-_4=", DDNS_EAUTH, NULL, NULL },
	{ "Basic dXNlcnBhc3M=", DDNS_EAUTH, NULL, NULL },     /* no ':' */
	{ "Basic dXMAZXI6cGFzcw==", DDNS_EAUTH, NULL, NULL }, /* NUL */
};

START_TEST(test_basic_table)
{
	const struct basic_case *c = &basic_cases[_i];
	char user[API_CRED_MAX], pass[API_CRED_MAX];
	int ret;

	memset(user, 'X', sizeof(user));
	memset(pass, 'X', sizeof(pass));
	ret = api_basic_auth_parse(c->hdr, user, pass);
	ck_assert_msg(ret == c->ret, "case %d (%s): got %d want %d", _i,
		      c->hdr ? c->hdr : "NULL", ret, c->ret);
	if (c->ret == 0) {
		ck_assert_str_eq(user, c->user);
		ck_assert_str_eq(pass, c->pass);
	} else {
		ck_assert_str_eq(user, "");
		ck_assert_str_eq(pass, "");
	}
}
END_TEST

START_TEST(test_basic_lengths)
{
	static char cred[4096], hdr[8192];
	char user[API_CRED_MAX], pass[API_CRED_MAX];
	size_t ulen = 0, plen = 0;

	/* _i picks one of the (user, pass) length pairs below. */
	switch (_i) {
	case 0:
		ulen = 255;
		plen = 1;
		break;
	case 1:
		ulen = 1;
		plen = 255;
		break;
	case 2:
		ulen = 255;
		plen = 255;
		break;
	case 3:
		ulen = 256;
		plen = 1;
		break;
	case 4:
		ulen = 1;
		plen = 256;
		break;
	case 5:
		ulen = 256;
		plen = 256;
		break;
	case 6:
		ulen = 1;
		plen = 2000;
		break;
	case 7:
		ulen = 2000;
		plen = 0;
		break;
	}
	memset(cred, 'u', ulen);
	cred[ulen] = ':';
	/* The password is full of ':' that belong to it. */
	memset(cred + ulen + 1, ':', plen);
	basic_header(cred, ulen + 1 + plen, hdr, sizeof(hdr));
	if (ulen < API_CRED_MAX && plen < API_CRED_MAX) {
		ck_assert_int_eq(api_basic_auth_parse(hdr, user, pass), 0);
		ck_assert_uint_eq(strlen(user), ulen);
		ck_assert_uint_eq(strlen(pass), plen);
		ck_assert_uint_eq(strspn(pass, ":"), plen);
	} else {
		ck_assert_int_eq(api_basic_auth_parse(hdr, user, pass),
				 DDNS_EAUTH);
	}
}
END_TEST

START_TEST(test_basic_huge_and_token)
{
	static char hdr[100000];
	char user[API_CRED_MAX], pass[API_CRED_MAX];
	const char *tok = "ddh_mzxw6ytbojtg633cmfza_"
			  "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
	char cred[128];

	memcpy(hdr, "Basic ", 6);
	memset(hdr + 6, 'A', sizeof(hdr) - 7);
	hdr[sizeof(hdr) - 1] = '\0';
	ck_assert_int_eq(api_basic_auth_parse(hdr, user, pass), DDNS_EAUTH);

	/* The usual shape: any user name, the token as password. */
	snprintf(cred, sizeof(cred), "h.example.com:%s", tok);
	basic_header(cred, strlen(cred), hdr, sizeof(hdr));
	ck_assert_int_eq(api_basic_auth_parse(hdr, user, pass), 0);
	ck_assert_str_eq(user, "h.example.com");
	ck_assert_str_eq(pass, tok);

	/* Binary but NUL-free bytes pass through unchanged. */
	basic_header("\xff\x01:\x7f\xfe", 5, hdr, sizeof(hdr));
	ck_assert_int_eq(api_basic_auth_parse(hdr, user, pass), 0);
	ck_assert_str_eq(user, "\xff\x01");
	ck_assert_str_eq(pass, "\x7f\xfe");

	basic_header("user:pa\0ss", 10, hdr, sizeof(hdr));
	ck_assert_int_eq(api_basic_auth_parse(hdr, user, pass), DDNS_EAUTH);
}
END_TEST

/* api_text_copy: what a header value becomes before PostgreSQL sees it. */
static const struct {
	const char *in;
	size_t dstsz;
	const char *out;
} text_cases[] = {
	{ "ddclient/3.10.0", 201, "ddclient/3.10.0" },
	{ "", 201, "" },
	{ "h\xc3\xb6me \xe2\x82\xac \xf0\x9f\x98\x80", 201,
	  "h\xc3\xb6me \xe2\x82\xac \xf0\x9f\x98\x80" },
	{ "router\xff", 201, "router?" },
	{ "a\xc3", 201, "a?" },                 /* cut sequence */
	{ "a\xc3\xc3\xb6", 201, "a?\xc3\xb6" }, /* lead byte, no continuation */
	{ "\xc0\xae", 201, "??" },              /* overlong '.' */
	{ "\xe0\x80\xaf", 201, "???" },         /* overlong 3 bytes */
	{ "\xed\xa0\x80", 201, "???" },         /* surrogate U+D800 */
	{ "\xf4\x90\x80\x80", 201, "????" },    /* above U+10FFFF */
	{ "\xf5\x80", 201, "??" },
	{ "\x80x", 201, "?x" },      /* stray continuation */
	{ "abc\xc3\xa4", 5, "abc" }, /* never cut mid-character */
	{ "abc\xc3\xa4", 6, "abc\xc3\xa4" },
	{ "abcd", 3, "ab" },
	{ "abcd", 1, "" },
};

START_TEST(test_text_copy)
{
	char dst[256];

	memset(dst, 'Z', sizeof(dst));
	api_text_copy(dst, text_cases[_i].dstsz, text_cases[_i].in);
	ck_assert_str_eq(dst, text_cases[_i].out);
	ck_assert_uint_lt(strlen(dst), text_cases[_i].dstsz);
}
END_TEST

static Suite *
params_suite(void)
{
	Suite *s = suite_create("params");
	TCase *tc;

	tc = tcase_create("form");
	tcase_add_loop_test(tc, test_form_table, 0,
			    (int)(sizeof(form_cases) / sizeof(form_cases[0])));
	tcase_add_test(tc, test_form_maxkv);
	tcase_add_test(tc, test_form_huge);
	suite_add_tcase(s, tc);

	tc = tcase_create("dyndns2");
	tcase_add_loop_test(tc, test_dyn_table, 0,
			    (int)(sizeof(dyn_cases) / sizeof(dyn_cases[0])));
	tcase_add_loop_test(tc, test_dyn_many_hosts, 0, 3);
	tcase_add_test(tc, test_dyn_host_limits);
	tcase_add_loop_test(tc, test_dyn_prefix, 0,
			    sizeof(prefix_cases) / sizeof(prefix_cases[0]));
	tcase_add_test(tc, test_dyn_nul_rejected);
	tcase_add_test(tc, test_dyn_raw_kv);
	suite_add_tcase(s, tc);

	tc = tcase_create("basic");
	tcase_add_loop_test(
		tc, test_basic_table, 0,
		(int)(sizeof(basic_cases) / sizeof(basic_cases[0])));
	tcase_add_loop_test(tc, test_basic_lengths, 0, 8);
	tcase_add_test(tc, test_basic_huge_and_token);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_loop_test(tc, test_text_copy, 0,
			    (int)(sizeof(text_cases) / sizeof(text_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(params_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
