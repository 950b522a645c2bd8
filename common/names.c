/* SPDX-License-Identifier: MIT */
/*
 * Host name and address validation. Everything here sees raw outside input,
 * so every function works on (pointer, length) and copies into a bounded,
 * NUL-terminated local buffer before handing anything to libc.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "common/errors.h"
#include "common/names.h"

#define LABEL_MAX 63
/* Longest IPv6 text form plus "/128" and a NUL. */
#define ADDR_TEXT_MAX (INET6_ADDRSTRLEN + 4 + 1)

static bool label_char_ok(unsigned char c);
static char ascii_lower(char c);
static int prefix_len_ok(const char *s);
static int addr_check(struct ddns_addr *a);

static bool
label_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static char
ascii_lower(char c)
{
	/* Not tolower(): its answer depends on the locale. */
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return c;
}

int
ddns_name_normalize(const char *in, size_t len, char *out, size_t outsz)
{
	char name[DDNS_NAME_MAX + 1];
	size_t i, labels = 0, lablen = 0;
	char c;

	if (out != NULL && outsz > 0)
		out[0] = '\0';
	if (in == NULL || out == NULL)
		return DDNS_ENOTFQDN;
	/* One trailing dot marks the absolute form; drop it. */
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > DDNS_NAME_MAX)
		return DDNS_ENOTFQDN;
	if (outsz < len + 1)
		return DDNS_ETRUNC;

	for (i = 0; i < len; i++) {
		c = ascii_lower(in[i]);
		if (c == '.') {
			/* Empty label, or one ending in '-'. */
			if (lablen == 0 || name[i - 1] == '-')
				return DDNS_ENOTFQDN;
			labels++;
			lablen = 0;
		} else {
			/* Rejects NUL, controls, '_', non-ASCII, ... */
			if (!label_char_ok((unsigned char)c))
				return DDNS_ENOTFQDN;
			if (lablen == 0 && c == '-')
				return DDNS_ENOTFQDN;
			if (++lablen > LABEL_MAX)
				return DDNS_ENOTFQDN;
		}
		name[i] = c;
	}
	if (lablen == 0 || name[len - 1] == '-')
		return DDNS_ENOTFQDN;
	labels++;
	if (labels < 2)
		return DDNS_ENOTFQDN;

	memcpy(out, name, len);
	out[len] = '\0';
	return 0;
}

bool
ddns_name_in_zone(const char *name, const char *zone)
{
	size_t nlen, zlen, i;

	if (name == NULL || zone == NULL)
		return false;
	nlen = strlen(name);
	zlen = strlen(zone);
	/* Tolerate a zone written in absolute form ("example.com."). */
	if (zlen > 0 && zone[zlen - 1] == '.')
		zlen--;
	if (zlen == 0 || nlen < zlen)
		return false;
	if (nlen > zlen && name[nlen - zlen - 1] != '.')
		return false;
	for (i = 0; i < zlen; i++) {
		if (ascii_lower(name[nlen - zlen + i]) != ascii_lower(zone[i]))
			return false;
	}
	return true;
}

/* Returns 0 if s is a decimal prefix length 0..128, -1 otherwise. */
static int
prefix_len_ok(const char *s)
{
	unsigned int v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 3 || s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (i == 0 || v > 128)
		return -1;
	return 0;
}

/* Folds IPv4-mapped IPv6 into IPv4, then rejects what no host can be. */
static int
addr_check(struct ddns_addr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0,    0,
					    0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[16];
	uint8_t *b = a->bytes;

	if (a->family == AF_INET6 && memcmp(b, mapped, sizeof(mapped)) == 0) {
		memmove(b, b + 12, 4);
		memset(b + 4, 0, 12);
		a->family = AF_INET;
	}
	if (a->family == AF_INET) {
		if (memcmp(b, zero, 4) == 0)
			return DDNS_EBADADDR; /* unspecified */
		if ((b[0] & 0xf0) == 0xe0)
			return DDNS_EBADADDR; /* 224.0.0.0/4 multicast */
		if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
			return DDNS_EBADADDR; /* limited broadcast */
		return 0;
	}
	if (a->family == AF_INET6) {
		if (memcmp(b, zero, 16) == 0)
			return DDNS_EBADADDR; /* :: */
		if (b[0] == 0xff)
			return DDNS_EBADADDR; /* ff00::/8 multicast */
		return 0;
	}
	return DDNS_EBADADDR;
}

int
ddns_addr_parse(const char *in, size_t len, struct ddns_addr *out)
{
	char text[ADDR_TEXT_MAX];
	char *slash;
	int ret;

	if (out == NULL)
		return DDNS_EBADADDR;
	memset(out, 0, sizeof(*out));
	if (in == NULL || len == 0 || len >= sizeof(text))
		return DDNS_EBADADDR;
	if (memchr(in, '\0', len) != NULL || memchr(in, '%', len) != NULL)
		return DDNS_EBADADDR;
	memcpy(text, in, len);
	text[len] = '\0';

	slash = strchr(text, '/');
	if (slash != NULL) {
		/* Only IPv6 carries a prefix length; it is dropped. */
		*slash = '\0';
		if (prefix_len_ok(slash + 1) != 0)
			return DDNS_EBADADDR;
		if (inet_pton(AF_INET6, text, out->bytes) != 1)
			goto bad;
		out->family = AF_INET6;
	} else if (inet_pton(AF_INET, text, out->bytes) == 1) {
		out->family = AF_INET;
	} else if (inet_pton(AF_INET6, text, out->bytes) == 1) {
		out->family = AF_INET6;
	} else {
		goto bad;
	}
	if ((ret = addr_check(out)) != 0)
		goto bad;
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return DDNS_EBADADDR;
}

int
ddns_addr_from_sockaddr(const void *sa, struct ddns_addr *out)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	sa_family_t family;

	if (out == NULL)
		return DDNS_EBADADDR;
	memset(out, 0, sizeof(*out));
	if (sa == NULL)
		return DDNS_EBADADDR;
	/* memcpy: the caller's storage need not be aligned for us. */
	memcpy(&family, (const char *)sa + offsetof(struct sockaddr, sa_family),
	       sizeof(family));
	if (family == AF_INET) {
		memcpy(&sin, sa, sizeof(sin));
		out->family = AF_INET;
		memcpy(out->bytes, &sin.sin_addr, 4);
	} else if (family == AF_INET6) {
		memcpy(&sin6, sa, sizeof(sin6));
		out->family = AF_INET6;
		memcpy(out->bytes, &sin6.sin6_addr, 16);
	} else {
		return DDNS_EBADADDR;
	}
	if (addr_check(out) != 0) {
		memset(out, 0, sizeof(*out));
		return DDNS_EBADADDR;
	}
	return 0;
}

void
ddns_addr_format(const struct ddns_addr *a, char *out, size_t outsz)
{
	if (out == NULL || outsz == 0)
		return;
	out[0] = '\0';
	if (a == NULL || outsz > (size_t)INT32_MAX)
		return;
	if (a->family != AF_INET && a->family != AF_INET6)
		return;
	if (inet_ntop(a->family, a->bytes, out, (socklen_t)outsz) == NULL)
		out[0] = '\0';
}
