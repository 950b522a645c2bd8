/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/errors.h"
#include "common/netlist.h"

#define CIDR_TEXT_MAX 64

static bool is_blank(char c);

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int
ddns_cidr_parse(const char *s, size_t len, struct ddns_cidr *out)
{
	char buf[CIDR_TEXT_MAX];
	const char *slash;
	struct ddns_addr a;
	unsigned long pfx;
	unsigned max;
	char *end;
	size_t alen;

	slash = memchr(s, '/', len);
	alen = slash ? (size_t)(slash - s) : len;
	if (alen == 0 || alen >= sizeof(buf))
		return DDNS_EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, buf, a.bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, a.bytes) == 1)
		a.family = AF_INET6;
	else
		return DDNS_EINVAL;
	max = a.family == AF_INET ? 32 : 128;
	pfx = max;
	if (slash != NULL) {
		if (len - alen - 1 == 0 || len - alen - 1 > 3)
			return DDNS_EINVAL;
		memcpy(buf, slash + 1, len - alen - 1);
		buf[len - alen - 1] = '\0';
		errno = 0;
		pfx = strtoul(buf, &end, 10);
		if (errno != 0 || *end != '\0' || buf[0] < '0' ||
		    buf[0] > '9' || pfx > max)
			return DDNS_EINVAL;
	}
	out->family = a.family;
	memcpy(out->bytes, a.bytes, sizeof(out->bytes));
	out->prefix = (unsigned)pfx;
	return 0;
}

int
ddns_netlist_parse(const char *list, struct ddns_netlist *out)
{
	const char *p = list, *start;
	int err;

	memset(out, 0, sizeof(*out));
	if (list == NULL)
		return 0;
	for (;;) {
		while (*p == ',' || is_blank(*p))
			p++;
		if (*p == '\0')
			return 0;
		start = p;
		while (*p != '\0' && *p != ',' && !is_blank(*p))
			p++;
		if (out->n == DDNS_NETLIST_MAX)
			return DDNS_ENOSPC;
		err = ddns_cidr_parse(start, (size_t)(p - start),
				      &out->nets[out->n]);
		if (err != 0)
			return err;
		out->n++;
	}
}

bool
ddns_cidr_match(const struct ddns_cidr *c, const struct ddns_addr *a)
{
	unsigned full = c->prefix / 8, rest = c->prefix % 8;
	uint8_t mask;

	if (c->family != a->family)
		return false;
	if (memcmp(c->bytes, a->bytes, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (c->bytes[full] & mask) == (a->bytes[full] & mask);
}

bool
ddns_netlist_contains(const struct ddns_netlist *l, const struct ddns_addr *a)
{
	for (size_t i = 0; i < l->n; i++)
		if (ddns_cidr_match(&l->nets[i], a))
			return true;
	return false;
}
