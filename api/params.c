/* SPDX-License-Identifier: MIT */
/*
 * Parsers of what a dyndns2 client sends. They see hostile input first, so
 * they bound everything and never allocate.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <sodium.h>

#include "api/params.h"
#include "common/errors.h"
#include "common/ipv6.h"
#include "common/names.h"

/* "user:pass" with both parts at their longest. */
#define CRED_DECODED_MAX (2 * API_CRED_MAX)

struct dyndns2_raw {
	const char *hostname, *myip, *myipv4, *myipv6, *offline;
	const char *ip6lanprefix, *ipv6prefix;
	const char *username, *password;
};

static bool is_blank(char c);
static void trim(const char **s, const char **e);
static int parse_hosts(const char *v, struct api_dyndns2_req *req);
static int parse_myip(const char *v, struct api_dyndns2_req *req);
static int parse_one_family(const char *v, int family, bool *has,
			    struct ddns_addr *addr);
static int parse_len(const char *s, const char *e, unsigned max, unsigned *out);
static int parse_router_addr(const char *s, size_t len, struct ddns_addr *a);
static int parse_prefix(const char *v, struct api_dyndns2_req *req);
static int hex_value(char c);
static int form_decode(char *s);
static size_t utf8_seq(const unsigned char *p);

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Narrows [*s, *e) to drop blanks on both ends. */
static void
trim(const char **s, const char **e)
{
	while (*s < *e && is_blank(**s))
		(*s)++;
	while (*e > *s && is_blank((*e)[-1]))
		(*e)--;
}

static int
parse_hosts(const char *v, struct api_dyndns2_req *req)
{
	const char *s = v, *e, *comma;
	struct api_dyndns2_host *h;

	for (;;) {
		comma = strchr(s, ',');
		e = comma != NULL ? comma : s + strlen(s);
		trim(&s, &e);
		if (s < e) {
			if (req->nhosts == API_DYNDNS2_MAX_HOSTS)
				return DDNS_ENUMHOST;
			h = &req->hosts[req->nhosts++];
			/* An invalid name keeps its slot: one answer line per
			 * name, in the order sent. */
			if (ddns_name_normalize(s, (size_t)(e - s), h->name,
						sizeof(h->name)) == 0) {
				h->status = 0;
			} else {
				h->name[0] = '\0';
				h->status = DDNS_ENOTFQDN;
			}
		}
		if (comma == NULL)
			break;
		s = comma + 1;
	}
	return 0;
}

/* Decimal digits [s, e), no sign, no leading zero, at most max. */
static int
parse_len(const char *s, const char *e, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (s == e || e - s > 3 || (*s == '0' && e - s > 1))
		return DDNS_EBADADDR;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9')
			return DDNS_EBADADDR;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return DDNS_EBADADDR;
	*out = v;
	return 0;
}

/*
 * One address as a router sends it (ddns_addr_parse), and also an IPv4
 * address with "/LEN": RouterOS scripts often pass the interface address
 * as "/ip address get" returns it, "203.0.113.5/24".
 */
static int
parse_router_addr(const char *s, size_t len, struct ddns_addr *a)
{
	char v4[INET_ADDRSTRLEN];
	const char *slash = memchr(s, '/', len);
	unsigned plen;
	uint8_t tmp[4];
	size_t n;

	if (slash != NULL && (n = (size_t)(slash - s)) < sizeof(v4)) {
		memcpy(v4, s, n);
		v4[n] = '\0';
		if (inet_pton(AF_INET, v4, tmp) == 1) {
			if (parse_len(slash + 1, s + len, 32, &plen) != 0)
				return DDNS_EBADADDR;
			return ddns_addr_parse(s, n, a);
		}
	}
	return ddns_addr_parse(s, len, a);
}

/*
 * myip: one address, or two separated by a comma, at most one per family.
 * Either half may be empty ("203.0.113.5," or ",2001:db8::1"): FRITZ!Box
 * fills "<ipaddr>,<ip6addr>" and leaves a family it does not have empty;
 * that family is then not sent, and keeps what it has.
 */
static int
parse_myip(const char *v, struct api_dyndns2_req *req)
{
	const char *s = v, *e = v + strlen(v), *ie, *comma;
	struct ddns_addr a;
	int parts = 0;

	trim(&s, &e);
	if (s == e)
		return 0;
	for (;;) {
		comma = memchr(s, ',', (size_t)(e - s));
		ie = comma != NULL ? comma : e;
		if (++parts > 2)
			return DDNS_EBADADDR;
		trim(&s, &ie);
		if (s < ie) {
			if (parse_router_addr(s, (size_t)(ie - s), &a) != 0)
				return DDNS_EBADADDR;
			if (a.family == AF_INET) {
				if (req->has_v4)
					return DDNS_EBADADDR;
				req->has_v4 = true;
				req->v4 = a;
			} else {
				if (req->has_v6)
					return DDNS_EBADADDR;
				req->has_v6 = true;
				req->v6 = a;
			}
		}
		if (comma == NULL)
			break;
		s = comma + 1;
	}
	return 0;
}

/* myipv4= / myipv6=: "" is absent, anything else must be of family. */
static int
parse_one_family(const char *v, int family, bool *has, struct ddns_addr *addr)
{
	const char *s = v, *e = v + strlen(v);
	struct ddns_addr a;

	trim(&s, &e);
	if (s == e)
		return 0;
	if (parse_router_addr(s, (size_t)(e - s), &a) != 0 ||
	    a.family != family)
		return DDNS_EBADADDR;
	*has = true;
	*addr = a;
	return 0;
}

/*
 * ip6lanprefix= (FRITZ!Box's <ip6lanprefix>) / ipv6prefix= (dynv6):
 * "2001:db8:1:200::/56". No length means /64; "" (a router without a
 * prefix fills the placeholder with nothing) is absent.
 */
static int
parse_prefix(const char *v, struct api_dyndns2_req *req)
{
	const char *s = v, *e = v + strlen(v), *slash;
	struct ddns_addr a;
	unsigned len = 64;

	trim(&s, &e);
	if (s == e)
		return 0;
	slash = memchr(s, '/', (size_t)(e - s));
	if (slash != NULL &&
	    (parse_len(slash + 1, e, 128, &len) != 0 || len == 0))
		return DDNS_EBADADDR;
	if (ddns_addr_parse(s, (size_t)((slash != NULL ? slash : e) - s), &a) !=
		    0 ||
	    a.family != AF_INET6)
		return DDNS_EBADADDR;
	ddns_ipv6_mask(a.bytes, len);
	req->has_prefix = true;
	req->prefix = a;
	req->prefix_len = len;
	return 0;
}

int
api_dyndns2_parse(const struct api_kv *kv, size_t n,
		  struct api_dyndns2_req *req)
{
	struct dyndns2_raw raw;
	const char *k, *v;
	size_t i;
	int ret;

	memset(req, 0, sizeof(*req));
	memset(&raw, 0, sizeof(raw));
	/* Remember the last value of each key: for a repeated key the last
	 * one wins, so "hostname=a&hostname=" means no hostname. */
	for (i = 0; i < n; i++) {
		k = kv[i].key;
		v = kv[i].value != NULL ? kv[i].value : "";
		if (k == NULL)
			continue;
		if (strcmp(k, "hostname") == 0)
			raw.hostname = v;
		else if (strcmp(k, "myip") == 0)
			raw.myip = v;
		else if (strcmp(k, "myipv4") == 0)
			raw.myipv4 = v;
		else if (strcmp(k, "myipv6") == 0)
			raw.myipv6 = v;
		else if (strcmp(k, "offline") == 0)
			raw.offline = v;
		else if (strcmp(k, "ip6lanprefix") == 0)
			raw.ip6lanprefix = v;
		else if (strcmp(k, "ipv6prefix") == 0)
			raw.ipv6prefix = v;
		else if (strcmp(k, "username") == 0)
			raw.username = v;
		else if (strcmp(k, "password") == 0)
			raw.password = v;
		/* system, wildcard, mx, backmx and unknown keys: ignored. */
	}

	if (raw.hostname != NULL && (ret = parse_hosts(raw.hostname, req)) != 0)
		return ret;
	if (raw.myip != NULL && (ret = parse_myip(raw.myip, req)) != 0)
		return ret;
	/* The family-specific keys override that family from myip. */
	if (raw.myipv4 != NULL &&
	    (ret = parse_one_family(raw.myipv4, AF_INET, &req->has_v4,
				    &req->v4)) != 0)
		return ret;
	if (raw.myipv6 != NULL &&
	    (ret = parse_one_family(raw.myipv6, AF_INET6, &req->has_v6,
				    &req->v6)) != 0)
		return ret;
	if (raw.ip6lanprefix != NULL &&
	    (ret = parse_prefix(raw.ip6lanprefix, req)) != 0)
		return ret;
	if (raw.ipv6prefix != NULL &&
	    (ret = parse_prefix(raw.ipv6prefix, req)) != 0)
		return ret;
	req->offline =
		raw.offline != NULL && strcasecmp(raw.offline, "YES") == 0;
	req->username = raw.username;
	req->password = raw.password;
	return 0;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes '+' and %XX in place in the NUL-terminated s. */
static int
form_decode(char *s)
{
	char *r = s, *w = s;
	int hi, lo;

	while (*r != '\0') {
		if (*r == '+') {
			*w++ = ' ';
			r++;
		} else if (*r == '%') {
			/* r[1] == '\0' stops the && before reading r[2]. */
			if ((hi = hex_value(r[1])) < 0 ||
			    (lo = hex_value(r[2])) < 0)
				return DDNS_EINVAL;
			if (hi == 0 && lo == 0)
				return DDNS_EINVAL;
			*w++ = (char)(hi << 4 | lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return 0;
}

int
api_form_parse(char *buf, size_t len, struct api_kv *kv, size_t maxkv,
	       size_t *n)
{
	char *p, *end, *amp, *eq;
	size_t count = 0;
	int ret;

	*n = 0;
	if (buf == NULL)
		return DDNS_EINVAL;
	end = buf + len;
	if (memchr(buf, '\0', len) != NULL)
		return DDNS_EINVAL;
	for (p = buf; p < end; p = amp + 1) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end; /* already the terminating NUL */
		*amp = '\0';
		if (amp == p)
			continue; /* "a=1&&b=2", trailing '&' */
		if (count == maxkv)
			return DDNS_ERANGE;
		eq = strchr(p, '=');
		if (eq != NULL)
			*eq = '\0';
		if ((ret = form_decode(p)) != 0)
			return ret;
		if (eq != NULL && (ret = form_decode(eq + 1)) != 0)
			return ret;
		kv[count].key = p;
		kv[count].value = eq != NULL ? eq + 1 : "";
		count++;
	}
	*n = count;
	return 0;
}

int
api_basic_auth_parse(const char *header, char *user, char *pass)
{
	uint8_t dec[CRED_DECODED_MAX];
	const char *b64, *end, *b64_end = NULL;
	const uint8_t *colon;
	size_t b64len, declen = 0, ulen, plen;
	int variant, ret = DDNS_EAUTH;

	user[0] = '\0';
	pass[0] = '\0';
	if (header == NULL || strncasecmp(header, "Basic", 5) != 0 ||
	    header[5] != ' ')
		return DDNS_EAUTH;
	b64 = header + 5;
	while (*b64 == ' ')
		b64++;
	end = b64 + strlen(b64);
	while (end > b64 && is_blank(end[-1]))
		end--;
	b64len = (size_t)(end - b64);
	/* Anything longer cannot decode into two parts that fit. */
	if (b64len == 0 || b64len > (sizeof(dec) + 2) / 3 * 4)
		return DDNS_EAUTH;
	/* Padding is optional, but when it is there it must be right. */
	variant = end[-1] == '=' ? sodium_base64_VARIANT_ORIGINAL
				 : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
	if (sodium_base642bin(dec, sizeof(dec), b64, b64len, NULL, &declen,
			      &b64_end, variant) != 0 ||
	    b64_end != end)
		goto out;
	if (memchr(dec, '\0', declen) != NULL)
		goto out;
	/* The first ':' ends the user name; a password may contain ':'. */
	if ((colon = memchr(dec, ':', declen)) == NULL)
		goto out;
	ulen = (size_t)(colon - dec);
	plen = declen - ulen - 1;
	if (ulen >= API_CRED_MAX || plen >= API_CRED_MAX)
		goto out;
	memcpy(user, dec, ulen);
	user[ulen] = '\0';
	memcpy(pass, colon + 1, plen);
	pass[plen] = '\0';
	ret = 0;
out:
	sodium_memzero(dec, sizeof(dec));
	return ret;
}

/*
 * Length of the valid UTF-8 sequence (RFC 3629) at the NUL-terminated p,
 * or 0: the second byte's range also excludes overlong forms, surrogates
 * and code points above U+10FFFF, which PostgreSQL refuses.
 */
static size_t
utf8_seq(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	/* A NUL is no continuation byte: nothing past it is read. */
	for (i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void
api_text_copy(char *dst, size_t dstsz, const char *src)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t o = 0, n;

	if (dstsz == 0)
		return;
	while (*p != '\0') {
		n = utf8_seq(p);
		if ((n != 0 ? n : 1) > dstsz - 1 - o)
			break;
		if (n == 0) {
			dst[o++] = '?';
			p++;
		} else {
			memcpy(dst + o, p, n);
			o += n;
			p += n;
		}
	}
	dst[o] = '\0';
}
