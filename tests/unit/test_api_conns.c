/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of api/conns.c: connections counted per IPv4 address and per
 * IPv6 /64 (trusted proxies exempt), and the header deadline that cuts
 * off a trickling client while an idle keep-alive one may wait longer.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <check.h>
#include <sodium.h>

#include "api/conns.h"
#include "common/clock.h"

static Suite *conns_suite(void);
static struct sockaddr_storage sa(const char *s);
static bool shut(int fd);

static struct sockaddr_storage
sa(const char *s)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, s, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, s, &in6->sin6_addr), 1);
		in6->sin6_family = AF_INET6;
	}
	return ss;
}

/* Was the other end of a socketpair shut down (reads EOF)? */
static bool
shut(int fd)
{
	char b;

	return recv(fd, &b, 1, MSG_DONTWAIT) == 0;
}

START_TEST(test_per_64)
{
	struct api_conns_opts o = { NULL, 3, 0, 0 };
	struct api_conns *cs;
	struct api_conn *c[3];
	struct sockaddr_storage a = sa("2001:db8:1:2::1"),
				b = sa("2001:db8:1:2:ffff:ffff:ffff:ffff"),
				other = sa("2001:db8:1:3::1"),
				v4 = sa("192.0.2.1"), v4b = sa("192.0.2.2");

	ck_assert_int_eq(sodium_init() >= 0, 1);
	ck_assert_ptr_nonnull(cs = api_conns_new(&o));
	c[0] = api_conns_opened(cs, -1, &a);
	c[1] = api_conns_opened(cs, -1, &b);
	ck_assert(api_conns_admit(cs, &a));
	c[2] = api_conns_opened(cs, -1, &a);
	/* Any address of the same /64 is one client. */
	ck_assert_uint_eq(api_conns_count(cs, &b), 3);
	ck_assert(!api_conns_admit(cs, &a));
	ck_assert(!api_conns_admit(cs, &b));
	ck_assert(api_conns_admit(cs, &other));
	api_conns_closed(cs, c[1]);
	ck_assert(api_conns_admit(cs, &b));
	api_conns_closed(cs, c[0]);
	api_conns_closed(cs, c[2]);
	ck_assert_uint_eq(api_conns_count(cs, &a), 0);
	/* IPv4: per address. */
	for (int i = 0; i < 3; i++)
		c[i] = api_conns_opened(cs, -1, &v4);
	ck_assert(!api_conns_admit(cs, &v4));
	ck_assert(api_conns_admit(cs, &v4b));
	for (int i = 0; i < 3; i++)
		api_conns_closed(cs, c[i]);
	api_conns_free(cs);
}
END_TEST

START_TEST(test_trusted_exempt)
{
	struct ddns_netlist px;
	struct api_conns_opts o = { &px, 1, 0, 0 };
	struct api_conns *cs;
	struct api_conn *c[5];
	struct sockaddr_storage p = sa("10.0.0.5"), x = sa("10.1.0.5");

	ck_assert_int_eq(sodium_init() >= 0, 1);
	ck_assert_int_eq(ddns_netlist_parse("10.0.0.0/16", &px), 0);
	ck_assert_ptr_nonnull(cs = api_conns_new(&o));
	for (int i = 0; i < 5; i++) {
		ck_assert(api_conns_admit(cs, &p));
		c[i] = api_conns_opened(cs, -1, &p);
	}
	/* A proxy carries many clients: never capped. */
	ck_assert(api_conns_admit(cs, &x));
	api_conns_closed(cs, api_conns_opened(cs, -1, &x));
	for (int i = 0; i < 5; i++)
		api_conns_closed(cs, c[i]);
	api_conns_free(cs);
}
END_TEST

START_TEST(test_deadlines)
{
	struct api_conns_opts o = { NULL, 0, 2, 30 };
	struct api_conns *cs;
	struct api_conn *trickle, *idle, *busy;
	struct sockaddr_storage a = sa("192.0.2.1");
	int t[2], i[2], b[2];
	long long now = ddns_now_ms();

	ck_assert_int_eq(sodium_init() >= 0, 1);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, t), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, i), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
	ck_assert_ptr_nonnull(cs = api_conns_new(&o));
	trickle = api_conns_opened(cs, t[0], &a);
	idle = api_conns_opened(cs, i[0], &a);
	busy = api_conns_opened(cs, b[0], &a);
	/* idle: one request answered, now waiting for the next. */
	api_conns_request_line(cs, idle);
	api_conns_headers_done(cs, idle);
	api_conns_request_done(cs, idle);
	/* busy: headers in, the request being handled. */
	api_conns_request_line(cs, busy);
	api_conns_headers_done(cs, busy);
	/* trickle: request line in, headers never complete. */
	api_conns_request_line(cs, trickle);

	ck_assert_uint_eq(api_conns_sweep(cs, now + 1000), 0);
	ck_assert(!shut(t[1]));
	/* Past the header deadline (2 s), not the idle one (30 s). */
	ck_assert_uint_eq(api_conns_sweep(cs, now + 3000), 1);
	ck_assert(shut(t[1]));
	ck_assert(!shut(i[1]));
	ck_assert(!shut(b[1]));
	ck_assert_uint_eq(api_conns_sweep(cs, now + 3500), 0);
	/* The keep-alive wait has its own, longer bound. */
	ck_assert_uint_eq(api_conns_sweep(cs, now + 31000), 1);
	ck_assert(shut(i[1]));
	ck_assert(!shut(b[1]));
	api_conns_closed(cs, trickle);
	api_conns_closed(cs, idle);
	api_conns_closed(cs, busy);
	api_conns_free(cs);
	for (int k = 0; k < 2; k++) {
		close(t[k]);
		close(i[k]);
		close(b[k]);
	}
}
END_TEST

/* A new connection that never sends a full request line is cut off at
 * the header deadline too. */
START_TEST(test_silent_new_connection)
{
	struct api_conns_opts o = { NULL, 0, 2, 30 };
	struct api_conns *cs;
	struct api_conn *c;
	struct sockaddr_storage a = sa("192.0.2.1");
	int p[2];
	long long now = ddns_now_ms();

	ck_assert_int_eq(sodium_init() >= 0, 1);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
	ck_assert_ptr_nonnull(cs = api_conns_new(&o));
	c = api_conns_opened(cs, p[0], &a);
	ck_assert_uint_eq(api_conns_sweep(cs, now + 3000), 1);
	ck_assert(shut(p[1]));
	api_conns_closed(cs, c);
	api_conns_free(cs);
	close(p[0]);
	close(p[1]);
}
END_TEST

static Suite *
conns_suite(void)
{
	Suite *s = suite_create("conns");
	TCase *tc = tcase_create("conns");

	tcase_add_test(tc, test_per_64);
	tcase_add_test(tc, test_trusted_exempt);
	tcase_add_test(tc, test_deadlines);
	tcase_add_test(tc, test_silent_new_connection);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conns_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
