/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of common/names.c: host name normalisation, zone membership,
 * address parsing and formatting.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <check.h>

#include "common/errors.h"
#include "common/names.h"

#define LEN_STR SIZE_MAX /* take strlen() of the input */

static Suite *names_suite(void);
static void fill(char *buf, char c, size_t n);
static void build_name(char *buf, size_t total);

struct name_case {
	const char *in;
	size_t len;
	int ret;
	const char *out; /* expected output when ret == 0 */
};

static const struct name_case name_cases[] = {
	{ "host.example.com", LEN_STR, 0, "host.example.com" },
	{ "HOST.Example.COM", LEN_STR, 0, "host.example.com" },
	{ "host.example.com.", LEN_STR, 0, "host.example.com" },
	{ "HoSt.ExAmPlE.CoM.", LEN_STR, 0, "host.example.com" },
	{ "a.b", LEN_STR, 0, "a.b" },
	{ "a-b.example.com", LEN_STR, 0, "a-b.example.com" },
	{ "a--b.example.com", LEN_STR, 0, "a--b.example.com" },
	{ "1.example.com", LEN_STR, 0, "1.example.com" },
	{ "123host.example.com", LEN_STR, 0, "123host.example.com" },
	{ "xn--bcher-kva.example", LEN_STR, 0, "xn--bcher-kva.example" },
	/* Not NUL-terminated: only len bytes count. */
	{ "host.example.comXYZ", 16, 0, "host.example.com" },
	{ "host.example.com.junk", 17, 0, "host.example.com" },

	{ "", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ ".", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "..", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "example", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "example.", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "localhost", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host..example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ ".example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host.example.com..", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "-host.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host-.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host.-example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host.example-.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host.example.com-", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host.example.-", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "-.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "ho_st.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "_dmarc.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "*.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host .example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ " host.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host.example.com ", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host.exam\tple.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host\n.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host\r\nX-Evil: 1.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host\x01.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host\x7f.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "h\xc3\xa9.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "h\xff.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host/x.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host:80.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host%2e.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "host,b.example.com", LEN_STR, DDNS_ENOTFQDN, NULL },
	{ "1.2.3.4:5.example", LEN_STR, DDNS_ENOTFQDN, NULL },
	/* Embedded NUL bytes. */
	{ "host\0.example.com", 17, DDNS_ENOTFQDN, NULL },
	{ "host.example.com\0", 17, DDNS_ENOTFQDN, NULL },
	{ "host.example.com.\0", 18, DDNS_ENOTFQDN, NULL },
	{ "\0", 1, DDNS_ENOTFQDN, NULL },
};

START_TEST(test_name_table)
{
	const struct name_case *c = &name_cases[_i];
	char out[DDNS_NAME_MAX + 1];
	size_t len = c->len == LEN_STR ? strlen(c->in) : c->len;
	int ret;

	memset(out, 'X', sizeof(out));
	ret = ddns_name_normalize(c->in, len, out, sizeof(out));
	ck_assert_msg(ret == c->ret, "case %d (%s): got %d want %d", _i, c->in,
		      ret, c->ret);
	if (c->ret == 0)
		ck_assert_str_eq(out, c->out);
	else
		ck_assert_str_eq(out, "");
}
END_TEST

static void
fill(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
}

START_TEST(test_name_label_length)
{
	char in[128], out[DDNS_NAME_MAX + 1];

	/* 63 characters: the longest label. */
	fill(in, 'a', 63);
	memcpy(in + 63, ".com", 5);
	ck_assert_int_eq(ddns_name_normalize(in, strlen(in), out, sizeof(out)),
			 0);
	ck_assert_str_eq(out, in);
	/* 64: one too many, as first, middle and last label. */
	fill(in, 'a', 64);
	memcpy(in + 64, ".com", 5);
	ck_assert_int_eq(ddns_name_normalize(in, strlen(in), out, sizeof(out)),
			 DDNS_ENOTFQDN);
	memcpy(in, "x.", 2);
	fill(in + 2, 'b', 64);
	memcpy(in + 66, ".com", 5);
	ck_assert_int_eq(ddns_name_normalize(in, strlen(in), out, sizeof(out)),
			 DDNS_ENOTFQDN);
	memcpy(in, "example.", 8);
	fill(in + 8, 'c', 64);
	ck_assert_int_eq(ddns_name_normalize(in, strlen(in), out, sizeof(out)),
			 DDNS_ENOTFQDN);
	fill(in + 8, 'c', 63);
	ck_assert_int_eq(ddns_name_normalize(in, strlen(in), out, sizeof(out)),
			 0);
}
END_TEST

/* Builds a name of exactly total characters from 63-character labels
 * (callers pick lengths that do not end on a dot). */
static void
build_name(char *buf, size_t total)
{
	size_t i, lab = 0;

	for (i = 0; i < total; i++) {
		if (lab == 63) {
			buf[i] = '.';
			lab = 0;
		} else {
			buf[i] = (char)('a' + (i % 26));
			lab++;
		}
	}
	buf[total] = '\0';
}

START_TEST(test_name_total_length)
{
	char in[1200], out[DDNS_NAME_MAX + 1], upper[300];
	size_t i;

	build_name(in, 253);
	ck_assert_int_eq(ddns_name_normalize(in, 253, out, sizeof(out)), 0);
	ck_assert_str_eq(out, in);
	ck_assert_uint_eq(strlen(out), 253);

	/* 253 plus the trailing dot is still fine. */
	in[253] = '.';
	in[254] = '\0';
	ck_assert_int_eq(ddns_name_normalize(in, 254, out, sizeof(out)), 0);
	ck_assert_uint_eq(strlen(out), 253);

	/* Upper case of the longest name normalises to lower case. */
	for (i = 0; i < 253; i++)
		upper[i] = (in[i] >= 'a' && in[i] <= 'z') ? (char)(in[i] - 32)
							  : in[i];
	ck_assert_int_eq(ddns_name_normalize(upper, 253, out, sizeof(out)), 0);
	ck_assert_int_eq(memcmp(out, in, 253), 0);

	build_name(in, 254);
	ck_assert_int_eq(ddns_name_normalize(in, 254, out, sizeof(out)),
			 DDNS_ENOTFQDN);
	ck_assert_str_eq(out, "");
	in[254] = '.';
	ck_assert_int_eq(ddns_name_normalize(in, 255, out, sizeof(out)),
			 DDNS_ENOTFQDN);

	build_name(in, 1100);
	ck_assert_int_eq(ddns_name_normalize(in, 1100, out, sizeof(out)),
			 DDNS_ENOTFQDN);
}
END_TEST

START_TEST(test_name_misuse)
{
	char out[8];

	ck_assert_int_eq(ddns_name_normalize(NULL, 0, out, sizeof(out)),
			 DDNS_ENOTFQDN);
	ck_assert_int_eq(ddns_name_normalize("a.b", 3, NULL, 0), DDNS_ENOTFQDN);
	/* An output buffer below the documented size never overflows. */
	ck_assert_int_eq(
		ddns_name_normalize("host.example.com", 16, out, sizeof(out)),
		DDNS_ETRUNC);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(ddns_name_normalize("a.bc", 4, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a.bc");
}
END_TEST

struct zone_case {
	const char *name, *zone;
	bool in;
};

static const struct zone_case zone_cases[] = {
	{ "host.example.com", "example.com", true },
	{ "example.com", "example.com", true },
	{ "a.b.example.com", "example.com", true },
	{ "host.example.com", "com", true },
	{ "host.example.com", "example.com.", true },
	{ "host.example.com", "Example.COM", true },
	{ "badexample.com", "example.com", false },
	{ "example.com", "host.example.com", false },
	{ "host.example.org", "example.com", false },
	{ "host.example.com", "", false },
	{ "host.example.com", ".", false },
	{ "", "example.com", false },
	{ "com", "example.com", false },
	{ "host.example.com.evil.net", "example.com", false },
};

START_TEST(test_zone_table)
{
	const struct zone_case *c = &zone_cases[_i];

	ck_assert_msg(ddns_name_in_zone(c->name, c->zone) == c->in,
		      "'%s' in '%s' should be %d", c->name, c->zone, c->in);
}
END_TEST

START_TEST(test_zone_null)
{
	ck_assert(!ddns_name_in_zone(NULL, "example.com"));
	ck_assert(!ddns_name_in_zone("example.com", NULL));
}
END_TEST

struct addr_case {
	const char *in;
	size_t len;
	int ret;
	int family;
	const char *text; /* presentation form after parsing */
};

static const struct addr_case addr_cases[] = {
	{ "1.2.3.4", LEN_STR, 0, AF_INET, "1.2.3.4" },
	{ "203.0.113.5", LEN_STR, 0, AF_INET, "203.0.113.5" },
	{ "127.0.0.1", LEN_STR, 0, AF_INET, "127.0.0.1" },
	{ "255.255.255.254", LEN_STR, 0, AF_INET, "255.255.255.254" },
	{ "223.255.255.255", LEN_STR, 0, AF_INET, "223.255.255.255" },
	{ "240.0.0.1", LEN_STR, 0, AF_INET, "240.0.0.1" },
	{ "0.0.0.1", LEN_STR, 0, AF_INET, "0.0.0.1" },
	{ "2001:db8::5", LEN_STR, 0, AF_INET6, "2001:db8::5" },
	{ "2001:DB8::5", LEN_STR, 0, AF_INET6, "2001:db8::5" },
	{ "2001:0db8:0000:0000:0000:0000:0000:0005", LEN_STR, 0, AF_INET6,
	  "2001:db8::5" },
	{ "2001:db8::5/64", LEN_STR, 0, AF_INET6, "2001:db8::5" },
	{ "2001:db8::5/0", LEN_STR, 0, AF_INET6, "2001:db8::5" },
	{ "2001:db8::5/128", LEN_STR, 0, AF_INET6, "2001:db8::5" },
	{ "::1", LEN_STR, 0, AF_INET6, "::1" },
	{ "fe80::1", LEN_STR, 0, AF_INET6, "fe80::1" },
	{ "fe00::1", LEN_STR, 0, AF_INET6, "fe00::1" },
	/* IPv4-mapped IPv6 is IPv4. */
	{ "::ffff:1.2.3.4", LEN_STR, 0, AF_INET, "1.2.3.4" },
	{ "::FFFF:203.0.113.9", LEN_STR, 0, AF_INET, "203.0.113.9" },
	{ "::ffff:102:304", LEN_STR, 0, AF_INET, "1.2.3.4" },
	{ "::ffff:1.2.3.4/96", LEN_STR, 0, AF_INET, "1.2.3.4" },
	{ "0000:0000:0000:0000:0000:ffff:255.255.255.254/128", LEN_STR, 0,
	  AF_INET, "255.255.255.254" },
	/* Not NUL-terminated. */
	{ "1.2.3.45", 7, 0, AF_INET, "1.2.3.4" },
	{ "2001:db8::5,1.2.3.4", 11, 0, AF_INET6, "2001:db8::5" },

	{ "", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "0.0.0.0", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "::", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "::/0", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "0:0:0:0:0:0:0:0", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "::ffff:0.0.0.0", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "224.0.0.1", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "239.255.255.250", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "::ffff:224.0.0.1", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "ff02::1", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "ff05::1:3", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "FF0E::1/64", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "255.255.255.255", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "::ffff:255.255.255.255", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "fe80::1%eth0", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "fe80::1%25eth0", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "fe80::1%1", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "2001:db8::5%", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "2001:db8::5/129", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "2001:db8::5/1000", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "2001:db8::5/", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "2001:db8::5/-1", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "2001:db8::5/+64", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "2001:db8::5/0x40", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "2001:db8::5/64/64", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "2001:db8::5/0064", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "2001:db8::5/ 64", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "2001:db8::5/64 ", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "/64", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "1.2.3.4/24", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "1.2.3.4/32", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "1.2.3", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "1.2.3.4.5", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "1.2.3.256", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "01.2.3.4", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "0x1.2.3.4", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "16909060", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "1.2.3.4 ", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ " 1.2.3.4", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "1.2.3.4\n", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "1.2.3.4,5.6.7.8", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "203.0.113.5,2001:db8::5", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "localhost", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "2001:db8:::5", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "2001:db8::g", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "[2001:db8::5]", LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "1.2.3.4\0", 8, DDNS_EBADADDR, 0, NULL },
	{ "1.2\0.3.4", 8, DDNS_EBADADDR, 0, NULL },
	{ "2001:db8::5\0/64", 15, DDNS_EBADADDR, 0, NULL },
	{ "11111111111111111111111111111111111111111111111111111111111111111",
	  LEN_STR, DDNS_EBADADDR, 0, NULL },
	{ "0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0001",
	  LEN_STR, DDNS_EBADADDR, 0, NULL },
};

START_TEST(test_addr_table)
{
	const struct addr_case *c = &addr_cases[_i];
	struct ddns_addr a;
	char text[64];
	size_t len = c->len == LEN_STR ? strlen(c->in) : c->len;
	int ret;

	memset(&a, 0x5a, sizeof(a));
	ret = ddns_addr_parse(c->in, len, &a);
	ck_assert_msg(ret == c->ret, "case %d (%s): got %d want %d", _i, c->in,
		      ret, c->ret);
	if (c->ret != 0)
		return;
	ck_assert_int_eq(a.family, c->family);
	ddns_addr_format(&a, text, sizeof(text));
	ck_assert_str_eq(text, c->text);
	if (a.family == AF_INET) {
		static const uint8_t zero[12];

		ck_assert_int_eq(memcmp(a.bytes + 4, zero, 12), 0);
	}
}
END_TEST

START_TEST(test_addr_huge_input)
{
	static char big[100000];
	struct ddns_addr a;

	memset(big, '1', sizeof(big));
	ck_assert_int_eq(ddns_addr_parse(big, sizeof(big), &a), DDNS_EBADADDR);
	ck_assert_int_eq(ddns_addr_parse(NULL, 0, &a), DDNS_EBADADDR);
	ck_assert_int_eq(ddns_addr_parse("1.2.3.4", 0, &a), DDNS_EBADADDR);
	ck_assert_int_eq(ddns_addr_parse("1.2.3.4", 7, NULL), DDNS_EBADADDR);
}
END_TEST

START_TEST(test_addr_from_sockaddr)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_un sau;
	struct sockaddr_storage ss;
	struct ddns_addr a;
	char text[64];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(8080);
	ck_assert_int_eq(inet_pton(AF_INET, "198.51.100.7", &sin.sin_addr), 1);
	ck_assert_int_eq(ddns_addr_from_sockaddr(&sin, &a), 0);
	ck_assert_int_eq(a.family, AF_INET);
	ddns_addr_format(&a, text, sizeof(text));
	ck_assert_str_eq(text, "198.51.100.7");

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_scope_id = 3;
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr),
			 1);
	ck_assert_int_eq(ddns_addr_from_sockaddr(&sin6, &a), 0);
	ck_assert_int_eq(a.family, AF_INET6);
	ddns_addr_format(&a, text, sizeof(text));
	ck_assert_str_eq(text, "2001:db8::1");

	/* A dual-stack socket reports IPv4 peers as mapped addresses. */
	ck_assert_int_eq(
		inet_pton(AF_INET6, "::ffff:192.0.2.1", &sin6.sin6_addr), 1);
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &sin6, sizeof(sin6));
	ck_assert_int_eq(ddns_addr_from_sockaddr(&ss, &a), 0);
	ck_assert_int_eq(a.family, AF_INET);
	ddns_addr_format(&a, text, sizeof(text));
	ck_assert_str_eq(text, "192.0.2.1");

	memset(&sau, 0, sizeof(sau));
	sau.sun_family = AF_UNIX;
	ck_assert_int_eq(ddns_addr_from_sockaddr(&sau, &a), DDNS_EBADADDR);
	ck_assert_int_eq(ddns_addr_from_sockaddr(NULL, &a), DDNS_EBADADDR);
	ck_assert_int_eq(ddns_addr_from_sockaddr(&sin, NULL), DDNS_EBADADDR);
}
END_TEST

START_TEST(test_addr_format)
{
	struct ddns_addr a;
	char text[46], small[8];

	ck_assert_int_eq(ddns_addr_parse("203.0.113.77", 12, &a), 0);
	ddns_addr_format(&a, text, sizeof(text));
	ck_assert_str_eq(text, "203.0.113.77");
	/* Too small: empty string, never a truncated address. */
	memset(small, 'X', sizeof(small));
	ddns_addr_format(&a, small, sizeof(small));
	ck_assert_str_eq(small, "");

	ck_assert_int_eq(ddns_addr_parse("2001:db8:1:2:3:4:5:6", 20, &a), 0);
	ddns_addr_format(&a, text, sizeof(text));
	ck_assert_str_eq(text, "2001:db8:1:2:3:4:5:6");

	/* The longest presentation form fits the documented 46 bytes. */
	ck_assert_int_eq(
		ddns_addr_parse("2001:ffff:ffff:ffff:ffff:fffe:255.255.255.255",
				45, &a),
		0);
	ddns_addr_format(&a, text, sizeof(text));
	ck_assert_str_eq(text, "2001:ffff:ffff:ffff:ffff:fffe:ffff:ffff");

	memset(&a, 0, sizeof(a));
	a.family = AF_UNIX;
	ddns_addr_format(&a, text, sizeof(text));
	ck_assert_str_eq(text, "");
	ddns_addr_format(NULL, text, sizeof(text));
	ck_assert_str_eq(text, "");
	ddns_addr_format(&a, NULL, 0);
}
END_TEST

static Suite *
names_suite(void)
{
	Suite *s = suite_create("names");
	TCase *tc;

	tc = tcase_create("name");
	tcase_add_loop_test(tc, test_name_table, 0,
			    (int)(sizeof(name_cases) / sizeof(name_cases[0])));
	tcase_add_test(tc, test_name_label_length);
	tcase_add_test(tc, test_name_total_length);
	tcase_add_test(tc, test_name_misuse);
	suite_add_tcase(s, tc);

	tc = tcase_create("zone");
	tcase_add_loop_test(tc, test_zone_table, 0,
			    (int)(sizeof(zone_cases) / sizeof(zone_cases[0])));
	tcase_add_test(tc, test_zone_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("addr");
	tcase_add_loop_test(tc, test_addr_table, 0,
			    (int)(sizeof(addr_cases) / sizeof(addr_cases[0])));
	tcase_add_test(tc, test_addr_huge_input);
	tcase_add_test(tc, test_addr_from_sockaddr);
	tcase_add_test(tc, test_addr_format);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(names_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
