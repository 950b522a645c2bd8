/* SPDX-License-Identifier: MIT */
/*
 * Two small open-addressing tables, each split into SHARDS shards with a
 * mutex of their own (on a cache line of its own): the critical sections
 * are a few memory accesses, and requests for different hosts or clients
 * almost never meet on one lock. One process-wide mutex per table was
 * taken by every nochg (the counter) and every request (the blocked-client
 * check), which made all HTTP threads queue on one cache line once the
 * database round trip per request was shared (group lookups). A probe run
 * stays inside its shard. Slots are keyed with SipHash
 * (random key per process) so a client cannot aim at one slot. When every
 * slot of a probe run is live, the one that expires first is reused: the
 * tables bound memory, the cost is a forgotten entry (documented in
 * README.md).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <sodium.h>

#include "auth/limits.h"
#include "common/errors.h"

#define SLOTS 4096 /* power of two */
#define SHARDS 64  /* power of two, divides SLOTS */
#define SHARD_SLOTS (SLOTS / SHARDS)
#define PROBE 8

struct shard_lock {
	pthread_mutex_t mu;
	char pad[64 - sizeof(pthread_mutex_t) % 64];
};

struct nochg_slot {
	long long host_id; /* 0: free */
	uint64_t minute;
	unsigned count;
};

struct rate_slot {
	struct ddns_addr prefix; /* family 0: free */
	uint64_t minute;
	unsigned count;
};

struct block_slot {
	struct ddns_addr prefix; /* family 0: free */
	unsigned plen;           /* 32/64 (client) or 24/48 (wide) */
	uint64_t until;          /* monotonic seconds */
};

static uint64_t now_s(void);
static size_t slot_of(const void *key, size_t len);
static size_t probe_at(size_t s, size_t i);
static void shards_init(struct shard_lock *l);
static bool same_prefix(const struct ddns_addr *a, const struct ddns_addr *b);
static void mask(const struct ddns_addr *a, unsigned plen,
		 struct ddns_addr *out);
static unsigned block_left(const struct ddns_addr *p, unsigned plen);
static void block_set(const struct ddns_addr *p, unsigned plen,
		      unsigned remaining_s);

static struct auth_limits_conf conf = { 10, 600, 60, 10, 900, 60 };
static uint8_t hash_key[crypto_shorthash_KEYBYTES];
static struct shard_lock nochg_mu[SHARDS];
static struct nochg_slot nochg[SLOTS];
static struct shard_lock block_mu[SHARDS];
static struct block_slot blocks[SLOTS];
static pthread_once_t shards_once = PTHREAD_ONCE_INIT;

static void
shards_init_all(void)
{
	shards_init(nochg_mu);
	shards_init(block_mu);
}

static void
shards_init(struct shard_lock *l)
{
	for (size_t i = 0; i < SHARDS; i++)
		pthread_mutex_init(&l[i].mu, NULL);
}

/* The i-th slot of the probe run from slot s, inside s's shard. */
static size_t
probe_at(size_t s, size_t i)
{
	return (s & ~(size_t)(SHARD_SLOTS - 1)) | ((s + i) & (SHARD_SLOTS - 1));
}

#define SHARD_OF(s) ((s) / SHARD_SLOTS)

static pthread_mutex_t checkip_mu = PTHREAD_MUTEX_INITIALIZER;
static struct rate_slot checkip[SLOTS];

static uint64_t
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

static size_t
slot_of(const void *key, size_t len)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, key, len, hash_key);
	memcpy(&v, h, sizeof(v));
	return (size_t)(v & (SLOTS - 1));
}

static bool
same_prefix(const struct ddns_addr *a, const struct ddns_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

void
auth_limits_init(const struct ddns_config *cfg)
{
	conf.change_burst = cfg->host_change_burst;
	conf.change_window_s = cfg->host_change_window_s;
	conf.nochg_per_min = cfg->host_nochg_per_min;
	conf.fail_max = cfg->auth_fail_max;
	conf.fail_window_s = cfg->auth_fail_window_s;
	conf.checkip_per_min = cfg->checkip_per_min;
	randombytes_buf(hash_key, sizeof(hash_key));
	pthread_once(&shards_once, shards_init_all);
	for (size_t i = 0; i < SHARDS; i++) {
		pthread_mutex_lock(&nochg_mu[i].mu);
		memset(nochg + i * SHARD_SLOTS, 0,
		       SHARD_SLOTS * sizeof(nochg[0]));
		pthread_mutex_unlock(&nochg_mu[i].mu);
		pthread_mutex_lock(&block_mu[i].mu);
		memset(blocks + i * SHARD_SLOTS, 0,
		       SHARD_SLOTS * sizeof(blocks[0]));
		pthread_mutex_unlock(&block_mu[i].mu);
	}
	pthread_mutex_lock(&checkip_mu);
	memset(checkip, 0, sizeof(checkip));
	pthread_mutex_unlock(&checkip_mu);
}

const struct auth_limits_conf *
auth_limits(void)
{
	return &conf;
}

void
auth_limits_prefix(const struct ddns_addr *client, struct ddns_addr *prefix)
{
	memset(prefix, 0, sizeof(*prefix));
	prefix->family = client->family;
	memcpy(prefix->bytes, client->bytes, client->family == AF_INET ? 4 : 8);
}

static void
mask(const struct ddns_addr *a, unsigned plen, struct ddns_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = a->family;
	memcpy(out->bytes, a->bytes, plen / 8);
}

void
auth_limits_wide_prefix(const struct ddns_addr *client,
			struct ddns_addr *prefix)
{
	mask(client, client->family == AF_INET ? 24 : 48, prefix);
}

unsigned
auth_limits_prefix_len(const struct ddns_addr *client, bool wide)
{
	if (client->family == AF_INET)
		return wide ? 24 : 32;
	return wide ? 48 : 64;
}

/* Seconds the prefix p/plen stays blocked (0: not blocked). */
static unsigned
block_left(const struct ddns_addr *p, unsigned plen)
{
	struct block_slot key = { .prefix = *p, .plen = plen };
	uint64_t now = now_s();
	unsigned left = 0;
	size_t s, i;

	s = slot_of(&key, sizeof(key.prefix) + sizeof(key.plen));
	pthread_once(&shards_once, shards_init_all);
	pthread_mutex_lock(&block_mu[SHARD_OF(s)].mu);
	for (i = 0; i < PROBE; i++) {
		struct block_slot *b = &blocks[probe_at(s, i)];

		if (b->plen == plen && same_prefix(&b->prefix, p)) {
			if (b->until > now)
				left = (unsigned)(b->until - now);
			break;
		}
	}
	pthread_mutex_unlock(&block_mu[SHARD_OF(s)].mu);
	return left;
}

static void
block_set(const struct ddns_addr *p, unsigned plen, unsigned remaining_s)
{
	struct block_slot key = { .prefix = *p, .plen = plen };
	struct block_slot *b, *victim = NULL;
	uint64_t now = now_s();
	size_t s, i;

	s = slot_of(&key, sizeof(key.prefix) + sizeof(key.plen));
	pthread_once(&shards_once, shards_init_all);
	pthread_mutex_lock(&block_mu[SHARD_OF(s)].mu);
	for (i = 0; i < PROBE; i++) {
		b = &blocks[probe_at(s, i)];
		if ((b->plen == plen && same_prefix(&b->prefix, p)) ||
		    b->prefix.family == 0 || b->until <= now) {
			victim = b;
			break;
		}
		if (victim == NULL || b->until < victim->until)
			victim = b;
	}
	victim->prefix = *p;
	victim->plen = plen;
	victim->until = now + remaining_s;
	pthread_mutex_unlock(&block_mu[SHARD_OF(s)].mu);
}

unsigned
auth_limits_blocked(const struct ddns_addr *client)
{
	struct ddns_addr p;
	unsigned left, wide;

	if (conf.fail_max == 0)
		return 0;
	auth_limits_prefix(client, &p);
	left = block_left(&p, auth_limits_prefix_len(client, false));
	auth_limits_wide_prefix(client, &p);
	wide = block_left(&p, auth_limits_prefix_len(client, true));
	return wide > left ? wide : left;
}

bool
auth_limits_failed(const struct ddns_addr *client, unsigned count,
		   unsigned remaining_s)
{
	struct ddns_addr p;

	if (conf.fail_max == 0 || count < conf.fail_max)
		return false;
	auth_limits_prefix(client, &p);
	block_set(&p, auth_limits_prefix_len(client, false), remaining_s);
	return true;
}

bool
auth_limits_failed_wide(const struct ddns_addr *client, unsigned count,
			unsigned remaining_s)
{
	struct ddns_addr p;

	if (conf.fail_max == 0 ||
	    count < conf.fail_max * AUTH_LIMITS_WIDE_FACTOR)
		return false;
	auth_limits_wide_prefix(client, &p);
	block_set(&p, auth_limits_prefix_len(client, true), remaining_s);
	return true;
}

int
auth_limits_nochg(long long host_id)
{
	struct nochg_slot *n, *victim = NULL;
	uint64_t minute;
	size_t s, i;
	int ret = 0;

	if (conf.nochg_per_min == 0)
		return 0;
	minute = now_s() / 60;
	s = slot_of(&host_id, sizeof(host_id));
	pthread_once(&shards_once, shards_init_all);
	pthread_mutex_lock(&nochg_mu[SHARD_OF(s)].mu);
	for (i = 0; i < PROBE; i++) {
		n = &nochg[probe_at(s, i)];
		if (n->host_id == host_id) {
			victim = n;
			break;
		}
		/* A free slot or one of an earlier minute is reusable. */
		if (victim == NULL && (n->host_id == 0 || n->minute != minute))
			victim = n;
	}
	if (victim == NULL)
		victim = &nochg[s]; /* every slot busy this minute */
	if (victim->host_id != host_id || victim->minute != minute) {
		victim->host_id = host_id;
		victim->minute = minute;
		victim->count = 0;
	}
	if (++victim->count > conf.nochg_per_min)
		ret = DDNS_EABUSE;
	pthread_mutex_unlock(&nochg_mu[SHARD_OF(s)].mu);
	return ret;
}

int
auth_limits_checkip(const struct ddns_addr *client, unsigned *retry_s)
{
	struct rate_slot *r, *victim = NULL;
	struct ddns_addr p;
	uint64_t now, minute;
	size_t s, i;
	int ret = 0;

	if (conf.checkip_per_min == 0)
		return 0;
	now = now_s();
	minute = now / 60;
	auth_limits_prefix(client, &p);
	s = slot_of(&p, sizeof(p));
	pthread_mutex_lock(&checkip_mu);
	for (i = 0; i < PROBE; i++) {
		r = &checkip[(s + i) & (SLOTS - 1)];
		if (same_prefix(&r->prefix, &p)) {
			victim = r;
			break;
		}
		if (victim == NULL &&
		    (r->prefix.family == 0 || r->minute != minute))
			victim = r;
	}
	if (victim == NULL)
		victim = &checkip[s];
	if (!same_prefix(&victim->prefix, &p) || victim->minute != minute) {
		victim->prefix = p;
		victim->minute = minute;
		victim->count = 0;
	}
	if (++victim->count > conf.checkip_per_min) {
		victim->count = conf.checkip_per_min + 1; /* no wrap */
		*retry_s = (unsigned)(60 - now % 60);
		ret = DDNS_EABUSE;
	}
	pthread_mutex_unlock(&checkip_mu);
	return ret;
}
