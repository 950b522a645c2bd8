/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/errors.h"
#include "dnsbackend/zonesum.h"

#define F_ADDR 1u  /* the name holds A/AAAA records */
#define F_CLAIM 2u /* a host has this name */
#define F_MASK 3u
#define ACME_PREFIX "_acme-challenge."
#define ZSUM_BITS_MAX 24
#define RR_DIRECT_MAX 256 /* rdata hashed as it is up to this length */

static int grow(struct dns_zsum *s);
static int zsum_sink(void *arg, const char *name, uint16_t type, uint32_t ttl,
		     const uint8_t *rdata, uint16_t rdlen);
static size_t bucket(const struct dns_zsum *s, uint64_t h);
static void sort_buckets(struct dns_zsum *s, uint32_t *next);
static void merge_names(struct dns_zsum *s);

int
dns_zsum_init(struct dns_zsum *s)
{
	memset(s, 0, sizeof(*s));
	if (sodium_init() < 0)
		return DDNS_ENOMEM;
	crypto_shorthash_keygen(s->key);
	return 0;
}

void
dns_zsum_free(struct dns_zsum *s)
{
	if (s == NULL)
		return;
	free(s->e);
	free(s->dir);
	sodium_memzero(s, sizeof(*s));
}

uint64_t
dns_zsum_name(const struct dns_zsum *s, const char *name)
{
	uint8_t out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, (const unsigned char *)name, strlen(name),
			 s->key);
	memcpy(&h, out, sizeof(h));
	return h;
}

uint64_t
dns_zsum_rr(const struct dns_zsum *s, uint16_t type, uint32_t ttl,
	    const uint8_t *rdata, size_t rdlen)
{
	uint8_t buf[7 + RR_DIRECT_MAX], out[crypto_shorthash_BYTES];
	uint64_t h;

	buf[0] = (uint8_t)(type >> 8);
	buf[1] = (uint8_t)type;
	buf[2] = (uint8_t)(ttl >> 24);
	buf[3] = (uint8_t)(ttl >> 16);
	buf[4] = (uint8_t)(ttl >> 8);
	buf[5] = (uint8_t)ttl;
	if (rdlen <= RR_DIRECT_MAX) {
		buf[6] = 0;
		if (rdlen > 0)
			memcpy(buf + 7, rdata, rdlen);
	} else {
		/* A long rdata: its own keyed hash stands for it. */
		buf[6] = 1;
		crypto_shorthash(buf + 7, rdata, rdlen, s->key);
		rdlen = crypto_shorthash_BYTES;
	}
	crypto_shorthash(out, buf, 7 + rdlen, s->key);
	memcpy(&h, out, sizeof(h));
	return h & ~(uint64_t)F_MASK;
}

static int
grow(struct dns_zsum *s)
{
	struct dns_zsum_ent *e;
	size_t cap;

	cap = s->cap ? s->cap + s->cap / 2 : 1024;
	if (cap > UINT32_MAX - 1 || cap > SIZE_MAX / sizeof(*e))
		return DDNS_ENOMEM;
	if ((e = realloc(s->e, cap * sizeof(*e))) == NULL)
		return DDNS_ENOMEM;
	s->e = e;
	s->cap = cap;
	return 0;
}

int
dns_zsum_add(struct dns_zsum *s, const char *name, uint16_t type, uint32_t ttl,
	     const uint8_t *rdata, uint16_t rdlen)
{
	bool acme = strncmp(name, ACME_PREFIX, sizeof(ACME_PREFIX) - 1) == 0;
	bool addr = type == DNS_RR_A || type == DNS_RR_AAAA;
	uint64_t h, d = 0, f = addr ? F_ADDR : 0;
	int ret;

	if (s->done)
		return DDNS_EINVAL;
	s->nrr++;
	if (acme ? type == DNS_RR_TXT : addr)
		d = dns_zsum_rr(s, type, ttl, rdata, rdlen);
	else if (!addr)
		return 0; /* TXT outside _acme-challenge: not compared */
	h = dns_zsum_name(s, name);
	/* A transfer mostly sends the records of a name together. */
	if (s->n > 0 && s->e[s->n - 1].name == h) {
		s->e[s->n - 1].w += d;
		s->e[s->n - 1].w |= f;
		return 0;
	}
	if (s->n == s->cap && (ret = grow(s)) != 0)
		return ret;
	s->e[s->n].name = h;
	s->e[s->n].w = d | f;
	s->n++;
	return 0;
}

static int
zsum_sink(void *arg, const char *name, uint16_t type, uint32_t ttl,
	  const uint8_t *rdata, uint16_t rdlen)
{
	return dns_zsum_add(arg, name, type, ttl, rdata, rdlen);
}

struct dns_axfr_sink
dns_zsum_sink(struct dns_zsum *s)
{
	struct dns_axfr_sink k = { zsum_sink, s };

	return k;
}

static size_t
bucket(const struct dns_zsum *s, uint64_t h)
{
	return (size_t)(h >> (64 - s->bits));
}

/*
 * In place: one American-flag pass over the top bits (the hashes are
 * uniform, so each bucket holds a handful), then insertion sort within
 * each bucket. s->dir holds the bucket starts; next is scratch of the
 * same size.
 */
static void
sort_buckets(struct dns_zsum *s, uint32_t *next)
{
	size_t nb = (size_t)1 << s->bits, b, d, i, j;
	struct dns_zsum_ent v, t;

	memset(s->dir, 0, (nb + 1) * sizeof(*s->dir));
	for (i = 0; i < s->n; i++)
		s->dir[bucket(s, s->e[i].name) + 1]++;
	for (b = 0; b < nb; b++)
		s->dir[b + 1] += s->dir[b];
	memcpy(next, s->dir, nb * sizeof(*next));
	for (b = 0; b < nb; b++) {
		while (next[b] < s->dir[b + 1]) {
			v = s->e[next[b]];
			while ((d = bucket(s, v.name)) != b) {
				t = s->e[next[d]];
				s->e[next[d]++] = v;
				v = t;
			}
			s->e[next[b]++] = v;
		}
	}
	for (b = 0; b < nb; b++) {
		for (i = s->dir[b] + 1; i < s->dir[b + 1]; i++) {
			v = s->e[i];
			for (j = i; j > s->dir[b] && s->e[j - 1].name > v.name;
			     j--)
				s->e[j] = s->e[j - 1];
			s->e[j] = v;
		}
	}
}

/* Folds the entries of one name (adjacent once sorted) into one. */
static void
merge_names(struct dns_zsum *s)
{
	size_t w = 0, nb = (size_t)1 << s->bits, b = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (w > 0 && s->e[w - 1].name == s->e[i].name) {
			s->e[w - 1].w += s->e[i].w & ~(uint64_t)F_MASK;
			s->e[w - 1].w |= s->e[i].w & F_MASK;
			continue;
		}
		s->e[w++] = s->e[i];
	}
	s->n = w;
	/* The bucket starts of the compacted array. */
	for (size_t i = 0; i < s->n; i++)
		while (b <= bucket(s, s->e[i].name))
			s->dir[b++] = (uint32_t)i;
	while (b <= nb)
		s->dir[b++] = (uint32_t)s->n;
}

int
dns_zsum_finish(struct dns_zsum *s)
{
	uint32_t *next;
	size_t nb;

	if (s->done)
		return 0;
	/* About 2-4 names per bucket. */
	s->bits = 1;
	while (s->bits < ZSUM_BITS_MAX && ((size_t)4 << s->bits) < s->n)
		s->bits++;
	nb = (size_t)1 << s->bits;
	if ((s->dir = calloc(nb + 1, sizeof(*s->dir))) == NULL ||
	    (next = calloc(nb, sizeof(*next))) == NULL)
		return DDNS_ENOMEM;
	sort_buckets(s, next);
	free(next);
	merge_names(s);
	s->done = true;
	return 0;
}

uint64_t
dns_zsum_get(struct dns_zsum *s, uint64_t name, bool claim)
{
	size_t b;

	if (!s->done || s->n == 0)
		return 0;
	b = bucket(s, name);
	for (uint32_t i = s->dir[b]; i < s->dir[b + 1]; i++) {
		if (s->e[i].name != name)
			continue;
		if (claim)
			s->e[i].w |= F_CLAIM;
		return s->e[i].w & ~(uint64_t)F_MASK;
	}
	return 0;
}

size_t
dns_zsum_foreign(const struct dns_zsum *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		if ((s->e[i].w & F_MASK) == F_ADDR)
			n++;
	return n;
}
