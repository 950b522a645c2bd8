/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "common/errors.h"
#include "dnsbackend/wire.h"

#define DNS_HDR_LEN 12
#define DNS_NAME_WIRE_MAX 255
#define DNS_LABEL_MAX 63
#define DNS_PTR_MAX 0x3fff /* largest offset a compression pointer holds */
#define DNS_OPCODE_UPDATE 5
#define DNS_TYPE_A 1
#define DNS_TYPE_SOA 6
#define DNS_TYPE_TXT 16
#define DNS_TYPE_AAAA 28
#define DNS_CLASS_IN 1
#define DNS_CLASS_ANY 255

static int name_char_ok(unsigned char c);
static size_t name_zone_suffix(const uint8_t *name, size_t nlen,
			       const uint8_t *zone, size_t zlen);
static int put_owner(struct ddns_buf *b, const uint8_t *name, size_t prefix,
		     size_t *first);
static int put_rr(struct ddns_buf *b, const uint8_t *name, size_t prefix,
		  size_t *first, uint16_t type, uint16_t klass, uint32_t ttl,
		  const uint8_t *rdata, uint16_t rdlen);
static int put_change(struct ddns_buf *b, const uint8_t *zw, size_t zlen,
		      const struct dns_change *c, size_t *nrr);
static int put_acme(struct ddns_buf *b, const uint8_t *nw, size_t nlen,
		    const uint8_t *zw, size_t zlen, const struct dns_change *c,
		    size_t *nrr);
static int build_body(struct ddns_buf *out, uint16_t id, const char *zone,
		      const struct dns_change *ch, size_t n);
static uint16_t rd16(const uint8_t *p);

static int
name_char_ok(unsigned char c)
{
	/* Host names plus '_' (service labels); nothing that needs escaping. */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

int
dns_name_to_wire(const char *name, uint8_t *out, size_t outsz)
{
	size_t i, n, lab, pos;

	if (name == NULL || out == NULL)
		return DDNS_ENOTFQDN;
	n = strnlen(name, DNS_NAME_WIRE_MAX + 1);
	if (n > 0 && name[n - 1] == '.')
		n--;
	/* Wire form is one byte longer than presentation, plus the root. */
	if (n == 0 || n + 2 > DNS_NAME_WIRE_MAX || n + 2 > outsz)
		return DDNS_ENOTFQDN;
	pos = 0;
	lab = 0;
	for (i = 0; i <= n; i++) {
		if (i == n || name[i] == '.') {
			if (lab == 0 || lab > DNS_LABEL_MAX)
				return DDNS_ENOTFQDN;
			out[pos] = (uint8_t)lab;
			pos += lab + 1;
			lab = 0;
			continue;
		}
		if (!name_char_ok((unsigned char)name[i]))
			return DDNS_ENOTFQDN;
		lab++;
		out[pos + lab] = (uint8_t)((name[i] >= 'A' && name[i] <= 'Z')
						   ? name[i] - 'A' + 'a'
						   : name[i]);
	}
	out[pos++] = 0;
	return (int)pos;
}

/*
 * If name ends with zone at a label boundary, returns the length of the
 * labels before the zone (0 when name is the zone); otherwise SIZE_MAX.
 * Both are lower-case uncompressed wire names.
 */
static size_t
name_zone_suffix(const uint8_t *name, size_t nlen, const uint8_t *zone,
		 size_t zlen)
{
	size_t pos = 0;

	while (pos < nlen && nlen - pos >= zlen) {
		if (nlen - pos == zlen && memcmp(name + pos, zone, zlen) == 0)
			return pos;
		if (name[pos] == 0)
			break;
		pos += (size_t)name[pos] + 1;
	}
	return SIZE_MAX;
}

/*
 * Writes an owner name whose first prefix bytes are the labels before the
 * zone. The first time (*first == 0) it writes those labels and a pointer
 * to the zone name at offset 12, remembering where the name starts; later
 * it writes a pointer to that first copy. The zone itself is a pointer.
 */
static int
put_owner(struct ddns_buf *b, const uint8_t *name, size_t prefix, size_t *first)
{
	size_t at = b->len;
	int ret;

	if (prefix == 0)
		return ddns_buf_append_u16(b, 0xc000 | DNS_HDR_LEN);
	if (*first != 0)
		return ddns_buf_append_u16(b, (uint16_t)(0xc000 | *first));
	if ((ret = ddns_buf_append(b, name, prefix)) != 0)
		return ret;
	if ((ret = ddns_buf_append_u16(b, 0xc000 | DNS_HDR_LEN)) != 0)
		return ret;
	/* A pointer can only reach the first 16 KiB of the message. */
	if (at <= DNS_PTR_MAX)
		*first = at;
	return 0;
}

static int
put_rr(struct ddns_buf *b, const uint8_t *name, size_t prefix, size_t *first,
       uint16_t type, uint16_t klass, uint32_t ttl, const uint8_t *rdata,
       uint16_t rdlen)
{
	int ret;

	if ((ret = put_owner(b, name, prefix, first)) != 0 ||
	    (ret = ddns_buf_append_u16(b, type)) != 0 ||
	    (ret = ddns_buf_append_u16(b, klass)) != 0 ||
	    (ret = ddns_buf_append_u32(b, ttl)) != 0 ||
	    (ret = ddns_buf_append_u16(b, rdlen)) != 0)
		return ret;
	return ddns_buf_append(b, rdata, rdlen);
}

bool
dns_txt_value_ok(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strnlen(s, DNS_TXT_VALUE_MAX + 1);
	if (n == 0 || n > DNS_TXT_VALUE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/*
 * The TXT RRset at "_acme-challenge.<name>": delete it, then add each
 * value as one record. nw is the wire form of the name (nlen bytes).
 */
static int
put_acme(struct ddns_buf *b, const uint8_t *nw, size_t nlen, const uint8_t *zw,
	 size_t zlen, const struct dns_change *c, size_t *nrr)
{
	static const char label[] = DNS_ACME_LABEL;
	uint8_t aw[DNS_NAME_WIRE_MAX], rdata[DNS_TXT_VALUE_MAX + 1];
	size_t llen = sizeof(label) - 1, alen, prefix, first = 0, vlen;
	size_t ntxt = c->remove ? 0 : c->ntxt;
	int ret;

	alen = 1 + llen + nlen;
	if (alen > DNS_NAME_WIRE_MAX)
		return ntxt == 0 ? 0 : DDNS_ENOTFQDN; /* no ACME at this name */
	aw[0] = (uint8_t)llen;
	memcpy(aw + 1, label, llen);
	memcpy(aw + 1 + llen, nw, nlen);
	prefix = name_zone_suffix(aw, alen, zw, zlen);
	if (prefix == SIZE_MAX)
		return DDNS_ENOTFQDN;
	if ((ret = put_rr(b, aw, prefix, &first, DNS_TYPE_TXT, DNS_CLASS_ANY, 0,
			  NULL, 0)) != 0)
		return ret;
	(*nrr)++;
	for (size_t i = 0; i < ntxt; i++) {
		vlen = strlen(c->txt[i]);
		rdata[0] = (uint8_t)vlen;
		memcpy(rdata + 1, c->txt[i], vlen);
		if ((ret = put_rr(b, aw, prefix, &first, DNS_TYPE_TXT,
				  DNS_CLASS_IN, c->ttl, rdata,
				  (uint16_t)(vlen + 1))) != 0)
			return ret;
		(*nrr)++;
	}
	return 0;
}

static int
put_change(struct ddns_buf *b, const uint8_t *zw, size_t zlen,
	   const struct dns_change *c, size_t *nrr)
{
	uint8_t nw[DNS_NAME_WIRE_MAX];
	size_t prefix, first = 0;
	bool v4 = c->has_v4 && !c->remove, v6 = c->has_v6 && !c->remove;
	int nlen, ret;

	if ((nlen = dns_name_to_wire(c->name, nw, sizeof(nw))) < 0)
		return nlen;
	prefix = name_zone_suffix(nw, (size_t)nlen, zw, zlen);
	if (prefix == SIZE_MAX)
		return DDNS_ENOTFQDN;
	if (c->acme && !c->remove) {
		if (c->ntxt > DNS_CHANGE_TXT_MAX)
			return DDNS_EINVAL;
		for (size_t i = 0; i < c->ntxt; i++)
			if (!dns_txt_value_ok(c->txt[i]))
				return DDNS_EINVAL;
	}

	/* Delete the RRset, then add it back: the change is idempotent. */
	if ((ret = put_rr(b, nw, prefix, &first, DNS_TYPE_A, DNS_CLASS_ANY, 0,
			  NULL, 0)) != 0)
		return ret;
	(*nrr)++;
	if (v4) {
		if ((ret = put_rr(b, nw, prefix, &first, DNS_TYPE_A,
				  DNS_CLASS_IN, c->ttl, c->v4, 4)) != 0)
			return ret;
		(*nrr)++;
	}
	if ((ret = put_rr(b, nw, prefix, &first, DNS_TYPE_AAAA, DNS_CLASS_ANY,
			  0, NULL, 0)) != 0)
		return ret;
	(*nrr)++;
	if (v6) {
		if ((ret = put_rr(b, nw, prefix, &first, DNS_TYPE_AAAA,
				  DNS_CLASS_IN, c->ttl, c->v6, 16)) != 0)
			return ret;
		(*nrr)++;
	}
	if (c->acme || c->remove)
		return put_acme(b, nw, (size_t)nlen, zw, zlen, c, nrr);
	return 0;
}

static int
build_body(struct ddns_buf *out, uint16_t id, const char *zone,
	   const struct dns_change *ch, size_t n)
{
	uint8_t zw[DNS_NAME_WIRE_MAX];
	size_t i, nrr = 0;
	int zlen, ret;

	if ((zlen = dns_name_to_wire(zone, zw, sizeof(zw))) < 0)
		return zlen;
	if ((ret = ddns_buf_append_u16(out, id)) != 0 ||
	    (ret = ddns_buf_append_u16(out, DNS_OPCODE_UPDATE << 11)) != 0 ||
	    (ret = ddns_buf_append_u16(out, 1)) != 0 || /* ZOCOUNT */
	    (ret = ddns_buf_append_u16(out, 0)) != 0 || /* PRCOUNT */
	    (ret = ddns_buf_append_u16(out, 0)) != 0 || /* UPCOUNT, below */
	    (ret = ddns_buf_append_u16(out, 0)) != 0)   /* ADCOUNT */
		return ret;
	if ((ret = ddns_buf_append(out, zw, (size_t)zlen)) != 0 ||
	    (ret = ddns_buf_append_u16(out, DNS_TYPE_SOA)) != 0 ||
	    (ret = ddns_buf_append_u16(out, DNS_CLASS_IN)) != 0)
		return ret;
	for (i = 0; i < n; i++) {
		if ((ret = put_change(out, zw, (size_t)zlen, &ch[i], &nrr)) !=
		    0)
			return ret;
	}
	if (nrr > UINT16_MAX)
		return DDNS_ETRUNC;
	out->data[8] = (uint8_t)(nrr >> 8);
	out->data[9] = (uint8_t)nrr;
	return 0;
}

int
dns_update_build(struct ddns_buf *out, uint16_t id, const char *zone,
		 const struct dns_change *ch, size_t n)
{
	size_t cap;
	int ret;

	if (out == NULL || zone == NULL || (ch == NULL && n > 0))
		return DDNS_EINVAL;
	ddns_buf_reset(out);
	/* Bound the message by the smaller of the caller's cap and 64 KiB. */
	cap = out->cap;
	if (out->cap == 0 || out->cap > DNS_MSG_MAX)
		out->cap = DNS_MSG_MAX;
	ret = build_body(out, id, zone, ch, n);
	out->cap = cap;
	if (ret != 0)
		ddns_buf_reset(out);
	return ret;
}

int
dns_name_unpack(const uint8_t *msg, size_t len, size_t pos, uint8_t *out,
		size_t outsz, size_t *next)
{
	size_t seg = pos, wlen = 0, end = 0;
	unsigned hops = 0;
	uint8_t c;
	size_t i;

	if (msg == NULL || (out != NULL && outsz < DNS_NAME_WIRE_MAX))
		return DDNS_EMALFORMED;
	for (;;) {
		if (pos >= len)
			return DDNS_EMALFORMED;
		c = msg[pos];
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= len)
				return DDNS_EMALFORMED;
			if (hops++ == 0)
				end = pos + 2;
			pos = (size_t)rd16(msg + pos) & DNS_PTR_MAX;
			/* Strictly backwards from where this run began. */
			if (pos >= seg || hops > 127)
				return DDNS_EMALFORMED;
			seg = pos;
			continue;
		}
		if ((c & 0xc0) != 0) /* 0x40/0x80: extended label types */
			return DDNS_EMALFORMED;
		if (c > len - pos - 1 || wlen + c + 1 > DNS_NAME_WIRE_MAX)
			return DDNS_EMALFORMED;
		if (out != NULL) {
			out[wlen] = c;
			for (i = 1; i <= c; i++) {
				uint8_t ch = msg[pos + i];

				if (ch >= 'A' && ch <= 'Z')
					ch = (uint8_t)(ch - 'A' + 'a');
				out[wlen + i] = ch;
			}
		}
		wlen += (size_t)c + 1;
		pos += (size_t)c + 1;
		if (c == 0)
			break;
	}
	if (next != NULL)
		*next = hops ? end : pos;
	return (int)wlen;
}

int
dns_reply_parse(const uint8_t *msg, size_t len, struct dns_reply_info *info)
{
	uint16_t flags;
	size_t pos, i, nrr;
	int ret;

	if (msg == NULL || len < DNS_HDR_LEN || len > DNS_MSG_MAX)
		return DDNS_EMALFORMED;
	flags = rd16(msg + 2);
	pos = DNS_HDR_LEN;
	for (i = 0; i < rd16(msg + 4); i++) {
		if ((ret = dns_name_unpack(msg, len, pos, NULL, 0, &pos)) < 0)
			return ret;
		if (len - pos < 4)
			return DDNS_EMALFORMED;
		pos += 4;
	}
	nrr = (size_t)rd16(msg + 6) + rd16(msg + 8) + rd16(msg + 10);
	for (i = 0; i < nrr; i++) {
		if ((ret = dns_name_unpack(msg, len, pos, NULL, 0, &pos)) < 0)
			return ret;
		if (len - pos < 10)
			return DDNS_EMALFORMED;
		pos += 10;
		if (rd16(msg + pos - 2) > len - pos)
			return DDNS_EMALFORMED;
		pos += rd16(msg + pos - 2);
	}
	if (pos != len)
		return DDNS_EMALFORMED;
	if (info != NULL) {
		info->id = rd16(msg);
		info->qr = (flags & 0x8000) != 0;
		info->opcode = (uint8_t)((flags >> 11) & 0x0f);
		info->rcode = flags & 0x0f;
	}
	return 0;
}
