/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <sodium.h>

#include "api/conns.h"
#include "common/clock.h"
#include "common/errors.h"

#define BUCKETS 4096 /* power of two */
#define SWEEP_MS 250

/* Connections of one prefix. */
struct prefix_count {
	struct prefix_count *next;
	uint8_t key[9]; /* family byte + IPv4 or the IPv6 /64 */
	unsigned n;
};

struct api_conn {
	struct api_conn *prev, *next;
	int fd;
	uint8_t key[9];
	bool counted;
	long long deadline_ms; /* headers due by then; 0: none */
};

struct api_conns {
	struct api_conns_opts o;
	struct ddns_netlist trusted;
	pthread_mutex_t lock;
	struct prefix_count *buckets[BUCKETS];
	uint8_t hash_key[crypto_shorthash_KEYBYTES];
	struct api_conn *head; /* every open connection */
	pthread_t thread;
	pthread_cond_t cond;
	bool running, stop;
};

static bool prefix_key(const void *sa, uint8_t key[9]);
static struct prefix_count **bucket_of(struct api_conns *cs,
				       const uint8_t key[9]);
static struct prefix_count *count_find(struct api_conns *cs,
				       const uint8_t key[9]);
static bool exempt(const struct api_conns *cs, const void *sa);
static void *sweeper(void *arg);

static bool
prefix_key(const void *sa, uint8_t key[9])
{
	struct ddns_addr a;

	memset(key, 0, 9);
	if (sa == NULL || ddns_addr_from_sockaddr(sa, &a) != 0)
		return false;
	key[0] = a.family == AF_INET6 ? 6 : 4;
	memcpy(key + 1, a.bytes, a.family == AF_INET6 ? 8 : 4);
	return true;
}

static struct prefix_count **
bucket_of(struct api_conns *cs, const uint8_t key[9])
{
	uint64_t h;

	crypto_shorthash((uint8_t *)&h, key, 9, cs->hash_key);
	return &cs->buckets[h & (BUCKETS - 1)];
}

/* Caller holds lock. */
static struct prefix_count *
count_find(struct api_conns *cs, const uint8_t key[9])
{
	struct prefix_count *p;

	for (p = *bucket_of(cs, key); p != NULL; p = p->next)
		if (memcmp(p->key, key, 9) == 0)
			return p;
	return NULL;
}

static bool
exempt(const struct api_conns *cs, const void *sa)
{
	struct ddns_addr a;

	return ddns_addr_from_sockaddr(sa, &a) == 0 &&
	       ddns_netlist_contains(&cs->trusted, &a);
}

struct api_conns *
api_conns_new(const struct api_conns_opts *o)
{
	struct api_conns *cs = calloc(1, sizeof(*cs));

	if (cs == NULL)
		return NULL;
	cs->o = *o;
	if (o->trusted != NULL)
		cs->trusted = *o->trusted;
	cs->o.trusted = NULL;
	randombytes_buf(cs->hash_key, sizeof(cs->hash_key));
	pthread_mutex_init(&cs->lock, NULL);
	pthread_cond_init(&cs->cond, NULL);
	return cs;
}

void
api_conns_free(struct api_conns *cs)
{
	struct prefix_count *p, *next;

	if (cs == NULL)
		return;
	if (cs->running) {
		pthread_mutex_lock(&cs->lock);
		cs->stop = true;
		pthread_cond_signal(&cs->cond);
		pthread_mutex_unlock(&cs->lock);
		pthread_join(cs->thread, NULL);
	}
	for (size_t i = 0; i < BUCKETS; i++)
		for (p = cs->buckets[i]; p != NULL; p = next) {
			next = p->next;
			free(p);
		}
	while (cs->head != NULL) {
		struct api_conn *c = cs->head;

		cs->head = c->next;
		free(c);
	}
	pthread_cond_destroy(&cs->cond);
	pthread_mutex_destroy(&cs->lock);
	free(cs);
}

static void *
sweeper(void *arg)
{
	struct api_conns *cs = arg;
	struct timespec ts;

	pthread_mutex_lock(&cs->lock);
	while (!cs->stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += SWEEP_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&cs->cond, &cs->lock, &ts);
		if (cs->stop)
			break;
		pthread_mutex_unlock(&cs->lock);
		api_conns_sweep(cs, ddns_now_ms());
		pthread_mutex_lock(&cs->lock);
	}
	pthread_mutex_unlock(&cs->lock);
	return NULL;
}

int
api_conns_start(struct api_conns *cs)
{
	if (cs->o.header_timeout_s == 0)
		return 0;
	if (pthread_create(&cs->thread, NULL, sweeper, cs) != 0)
		return DDNS_ENOMEM;
	cs->running = true;
	return 0;
}

bool
api_conns_admit(struct api_conns *cs, const void *sa)
{
	struct prefix_count *p;
	uint8_t key[9];
	bool ok;

	if (cs->o.per_prefix_max == 0 || !prefix_key(sa, key) || exempt(cs, sa))
		return true;
	pthread_mutex_lock(&cs->lock);
	p = count_find(cs, key);
	ok = p == NULL || p->n < cs->o.per_prefix_max;
	pthread_mutex_unlock(&cs->lock);
	return ok;
}

struct api_conn *
api_conns_opened(struct api_conns *cs, int fd, const void *sa)
{
	struct api_conn *c = calloc(1, sizeof(*c));
	struct prefix_count *p, **b;

	if (c == NULL)
		return NULL;
	c->fd = fd;
	if (cs->o.header_timeout_s > 0)
		c->deadline_ms = ddns_now_ms() +
				 (long long)cs->o.header_timeout_s * 1000;
	pthread_mutex_lock(&cs->lock);
	if (prefix_key(sa, c->key) && !exempt(cs, sa)) {
		if ((p = count_find(cs, c->key)) == NULL &&
		    (p = calloc(1, sizeof(*p))) != NULL) {
			memcpy(p->key, c->key, 9);
			b = bucket_of(cs, c->key);
			p->next = *b;
			*b = p;
		}
		if (p != NULL) {
			p->n++;
			c->counted = true;
		}
	}
	c->next = cs->head;
	if (cs->head != NULL)
		cs->head->prev = c;
	cs->head = c;
	pthread_mutex_unlock(&cs->lock);
	return c;
}

void
api_conns_request_line(struct api_conns *cs, struct api_conn *c)
{
	long long due;

	if (c == NULL || cs->o.header_timeout_s == 0)
		return;
	due = ddns_now_ms() + (long long)cs->o.header_timeout_s * 1000;
	pthread_mutex_lock(&cs->lock);
	if (c->deadline_ms == 0 || due < c->deadline_ms)
		c->deadline_ms = due;
	pthread_mutex_unlock(&cs->lock);
}

void
api_conns_headers_done(struct api_conns *cs, struct api_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&cs->lock);
	c->deadline_ms = 0;
	pthread_mutex_unlock(&cs->lock);
}

/*
 * Between requests, libmicrohttpd closes a connection idle for
 * idle_timeout_s; a next request that trickles in is never idle, so it
 * gets the same time in total to deliver its headers.
 */
void
api_conns_request_done(struct api_conns *cs, struct api_conn *c)
{
	if (c == NULL || cs->o.header_timeout_s == 0)
		return;
	pthread_mutex_lock(&cs->lock);
	c->deadline_ms = ddns_now_ms() + (long long)cs->o.idle_timeout_s * 1000;
	pthread_mutex_unlock(&cs->lock);
}

void
api_conns_closed(struct api_conns *cs, struct api_conn *c)
{
	struct prefix_count *p, **pp;

	if (c == NULL)
		return;
	pthread_mutex_lock(&cs->lock);
	if (c->counted) {
		for (pp = bucket_of(cs, c->key); (p = *pp) != NULL;
		     pp = &p->next)
			if (memcmp(p->key, c->key, 9) == 0)
				break;
		if (p != NULL && --p->n == 0) {
			*pp = p->next;
			free(p);
		}
	}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		cs->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&cs->lock);
	free(c);
}

/*
 * Under the lock, so the fd cannot be closed (and reused) meanwhile:
 * libmicrohttpd reports the close (api_conns_closed) before closing the
 * socket. A shut-down socket reads EOF; libmicrohttpd then closes it.
 */
unsigned
api_conns_sweep(struct api_conns *cs, long long now_ms)
{
	unsigned n = 0;

	pthread_mutex_lock(&cs->lock);
	for (struct api_conn *c = cs->head; c != NULL; c = c->next)
		if (c->deadline_ms != 0 && now_ms >= c->deadline_ms) {
			shutdown(c->fd, SHUT_RDWR);
			c->deadline_ms = 0;
			n++;
		}
	pthread_mutex_unlock(&cs->lock);
	return n;
}

unsigned
api_conns_count(struct api_conns *cs, const void *sa)
{
	struct prefix_count *p;
	uint8_t key[9];
	unsigned n = 0;

	if (!prefix_key(sa, key))
		return 0;
	pthread_mutex_lock(&cs->lock);
	if ((p = count_find(cs, key)) != NULL)
		n = p->n;
	pthread_mutex_unlock(&cs->lock);
	return n;
}
