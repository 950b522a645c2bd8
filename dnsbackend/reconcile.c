/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/latch.h"
#include "common/log.h"
#include "db/hosts.h"
#include "db/reconcile.h"
#include "dnsbackend/axfr.h"
#include "dnsbackend/query.h"
#include "dnsbackend/reconcile.h"
#include "dnsbackend/zonekey.h"
#include "dnsbackend/zonesum.h"

#define RECONCILE_LOG_MAX 20 /* differing hosts logged one by one per zone */
#define REQUEUE_BATCH 10000  /* host ids per requeue statement */

struct dns_reconciler {
	char *database_url;
	struct dns_keystore *keys;
	unsigned interval_s;
	unsigned timeout_ms;
	pthread_t thread;
	int wake[2];
	atomic_int stop;
	struct ddns_latch running; /* the thread, until it ends */
};

/* A differing host kept for its log line (without its ACME values). */
struct logged {
	struct db_rec_host h;
	bool txt_ok;
};

/* The comparison of one zone's hosts against its summary. */
struct zone_cmp {
	struct dns_zsum *zs;
	char prev[DDNS_NAME_MAX + 1]; /* the name of the previous host row */
	size_t hosts, differ, pending;
	long long *ids; /* owned: differing hosts to mark dirty */
	size_t nids, capids;
	struct logged log[RECONCILE_LOG_MAX];
	size_t nlog;
};

static size_t rr_lower_bound(const struct dns_rrlist *l, const char *name);
static void rrset_text(const struct dns_rrlist *l, size_t from,
		       const char *name, uint16_t type, char *out,
		       size_t outsz);
static bool addr_matches(struct dns_zsum *zs, const struct db_rec_host *h);
static bool txt_matches(struct dns_zsum *zs, const struct db_rec_host *h);
static int host_cmp(void *arg, const struct db_rec_host *h);
static void log_differ(const struct dns_rrlist *l, const struct logged *g);
static void log_hosts(const struct db_rec_zone *z,
		      const struct dns_tsig_key *key, unsigned timeout_ms,
		      const struct zone_cmp *c);
static int requeue(struct db_conn *db, long long zone_id,
		   const struct zone_cmp *c, size_t *marked);
static int zone_check(struct db_conn *db, const struct dns_reconcile_opts *o,
		      const struct db_rec_zone *z,
		      struct dns_reconcile_stats *st);
static void *reconciler_main(void *arg);

/* First index whose name is >= name (the list is sorted). */
static size_t
rr_lower_bound(const struct dns_rrlist *l, const char *name)
{
	size_t lo = 0, hi = l->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(l->rr[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* "10.0.0.1,10.0.0.2 ttl 60" or "-" for the type RRset of name in DNS. */
static void
rrset_text(const struct dns_rrlist *l, size_t from, const char *name,
	   uint16_t type, char *out, size_t outsz)
{
	char a[INET6_ADDRSTRLEN];
	size_t o = 0;
	uint32_t ttl = 0;
	int w;

	out[0] = '\0';
	for (size_t i = from; i < l->n && strcmp(l->rr[i].name, name) == 0;
	     i++) {
		if (l->rr[i].type != type)
			continue;
		inet_ntop(type == DNS_RR_A ? AF_INET : AF_INET6, l->rr[i].rdata,
			  a, sizeof(a));
		ttl = l->rr[i].ttl;
		w = snprintf(out + o, outsz - o, "%s%s", o ? "," : "", a);
		if (w < 0 || (size_t)w >= outsz - o)
			break;
		o += (size_t)w;
	}
	if (o == 0)
		snprintf(out, outsz, "-");
	else if (o < outsz)
		snprintf(out + o, outsz - o, " ttl %u", ttl);
}

/*
 * True when the A and AAAA RRsets at the host's name are exactly the
 * host's address (none when offline, unset or deleted) with its TTL.
 * Claims the name, tombstones too: such a name is never foreign.
 */
static bool
addr_matches(struct dns_zsum *zs, const struct db_rec_host *h)
{
	uint64_t want = 0;

	if (h->has_v4)
		want += dns_zsum_rr(zs, DNS_RR_A, h->ttl, h->v4, 4);
	if (h->has_v6)
		want += dns_zsum_rr(zs, DNS_RR_AAAA, h->ttl, h->v6, 16);
	return dns_zsum_get(zs, dns_zsum_name(zs, h->fqdn), true) == want;
}

/*
 * True when the TXT RRset at "_acme-challenge.<fqdn>" holds exactly the
 * host's challenge values (none for a tombstone), each as one
 * character-string, with the host's TTL.
 */
static bool
txt_matches(struct dns_zsum *zs, const struct db_rec_host *h)
{
	char name[272];
	uint8_t rd[DB_ACME_VALUE_MAX + 1];
	uint64_t want = 0;
	size_t len;
	int w;

	w = snprintf(name, sizeof(name), "_acme-challenge.%s", h->fqdn);
	if (w < 0 || w > DDNS_NAME_MAX)
		return true; /* too long for DNS: the pusher skips it too */
	for (size_t k = 0; !h->deleted && k < h->ntxt; k++) {
		len = strlen(h->txt[k]);
		rd[0] = (uint8_t)len;
		memcpy(rd + 1, h->txt[k], len);
		want += dns_zsum_rr(zs, DNS_RR_TXT, h->ttl, rd, len + 1);
	}
	return dns_zsum_get(zs, dns_zsum_name(zs, name), false) == want;
}

/* One host row (in name order, the live host first) against DNS. */
static int
host_cmp(void *arg, const struct db_rec_host *h)
{
	struct zone_cmp *c = arg;
	long long *grown;
	bool txt_ok;
	size_t cap;

	/* A tombstone of a name that lives again: the live host wins. */
	if (c->hosts++ > 0 && strcmp(c->prev, h->fqdn) == 0)
		return 0;
	snprintf(c->prev, sizeof(c->prev), "%s", h->fqdn);
	txt_ok = txt_matches(c->zs, h);
	if (addr_matches(c->zs, h) && txt_ok)
		return 0;
	if (c->differ++ < RECONCILE_LOG_MAX) {
		memcpy(&c->log[c->nlog].h, h,
		       offsetof(struct db_rec_host, txt));
		c->log[c->nlog++].txt_ok = txt_ok;
	}
	if (h->dirty) {
		c->pending++;
		return 0;
	}
	if (c->nids == c->capids) {
		cap = c->capids ? c->capids * 2 : 256;
		if (cap > SIZE_MAX / sizeof(*grown) ||
		    (grown = realloc(c->ids, cap * sizeof(*grown))) == NULL)
			return DDNS_ENOMEM;
		c->ids = grown;
		c->capids = cap;
	}
	c->ids[c->nids++] = h->id;
	return 0;
}

/* l NULL: the records in DNS could not be read again ("?"). */
static void
log_differ(const struct dns_rrlist *l, const struct logged *g)
{
	const struct db_rec_host *h = &g->h;
	char dns4[160] = "?", dns6[240] = "?", db4[INET_ADDRSTRLEN] = "-",
	     db6[INET6_ADDRSTRLEN] = "-";
	size_t from;

	if (l != NULL) {
		from = rr_lower_bound(l, h->fqdn);
		rrset_text(l, from, h->fqdn, DNS_RR_A, dns4, sizeof(dns4));
		rrset_text(l, from, h->fqdn, DNS_RR_AAAA, dns6, sizeof(dns6));
	}
	if (h->has_v4)
		inet_ntop(AF_INET, h->v4, db4, sizeof(db4));
	if (h->has_v6)
		inet_ntop(AF_INET6, h->v6, db6, sizeof(db6));
	log_info("reconcile: %s: DNS has A %s, AAAA %s; database has A %s, "
		 "AAAA %s, ttl %u%s%s%s",
		 h->fqdn, dns4, dns6, db4, db6, h->ttl,
		 h->deleted ? " (deleted)" : "",
		 g->txt_ok ? "" : "; ACME TXT records differ",
		 h->dirty ? " (push already pending)" : "");
}

/*
 * The log lines of the first differing hosts. The summary holds no
 * records, so their A and AAAA RRsets are asked for again with signed
 * point queries (at most 2 * RECONCILE_LOG_MAX, only when something
 * differs): at 1,000,000 hosts a few milliseconds, where a second
 * transfer filtered for these names took 3.0-3.4 s.
 */
static void
log_hosts(const struct db_rec_zone *z, const struct dns_tsig_key *key,
	  unsigned timeout_ms, const struct zone_cmp *c)
{
	struct dns_rrlist l = { 0 };
	const char *fqdn;
	int err = 0;

	for (size_t i = 0; i < c->nlog; i++) {
		fqdn = c->log[i].h.fqdn;
		dns_rrlist_free(&l);
		if (err == 0 &&
		    ((err = dns_rrset_query(z->primary, key, fqdn, DNS_RR_A,
					    (int)timeout_ms, &l)) != 0 ||
		     (err = dns_rrset_query(z->primary, key, fqdn, DNS_RR_AAAA,
					    (int)timeout_ms, &l)) != 0))
			log_warn("reconcile: zone %s: cannot read the records "
				 "of %s again for the log: %s",
				 z->name, fqdn, ddns_strerror(err));
		dns_rrlist_sort(&l);
		log_differ(err == 0 ? &l : NULL, &c->log[i]);
	}
	dns_rrlist_free(&l);
}

/* Marks the differing hosts dirty, REQUEUE_BATCH ids per statement. */
static int
requeue(struct db_conn *db, long long zone_id, const struct zone_cmp *c,
	size_t *marked)
{
	size_t n, m;
	int err;

	*marked = 0;
	for (size_t i = 0; i < c->nids; i += n) {
		n = c->nids - i < REQUEUE_BATCH ? c->nids - i : REQUEUE_BATCH;
		if ((err = db_host_requeue(db, zone_id, c->ids + i, n, &m)) !=
		    0)
			return err;
		*marked += m;
	}
	return 0;
}

static int
zone_check(struct db_conn *db, const struct dns_reconcile_opts *o,
	   const struct db_rec_zone *z, struct dns_reconcile_stats *st)
{
	const struct dns_tsig_key *key;
	struct dns_tsig_key tenant_key;
	struct dns_zsum zs;
	struct dns_axfr_sink sink;
	struct zone_cmp *c = NULL;
	size_t marked = 0, nsigner = 0, nrr;
	long long t0 = ddns_now_ms(), t1, t2, t3;
	int err;

	memset(&zs, 0, sizeof(zs));
	if ((err = dns_zone_key(db, o->keys, DNS_ZONE_ANY, z->id, z->name,
				z->key, z->primary, &tenant_key, &key)) != 0)
		return err;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (err = dns_zsum_init(&zs)) != 0) {
		err = DDNS_ENOMEM;
		goto out;
	}
	c->zs = &zs;
	sink = dns_zsum_sink(&zs);
	err = dns_axfr_fetch_sink(z->primary, key, z->name, (int)o->timeout_ms,
				  &sink, &nsigner);
	if (err != 0) {
		log_error("reconcile: zone %s: AXFR from %s failed: %s",
			  z->name, z->primary, ddns_strerror(err));
		goto out;
	}
	t1 = ddns_now_ms();
	if ((err = dns_zsum_finish(&zs)) != 0)
		goto out;
	t2 = ddns_now_ms();
	/* The database is read after the transfer: see the header. */
	if ((err = db_reconcile_hosts_each(db, z->id, host_cmp, c)) != 0 ||
	    (err = requeue(db, z->id, c, &marked)) != 0)
		goto out;
	t3 = ddns_now_ms();
	st->zones++;
	st->hosts += c->hosts;
	st->differ += c->differ;
	st->pending += c->pending;
	st->marked += marked;
	st->foreign += dns_zsum_foreign(&zs);
	st->signer += nsigner;
	/* The summary's memory goes back before the log's queries. */
	nrr = zs.nrr;
	free(c->ids);
	c->ids = NULL;
	dns_zsum_free(&zs);
	log_hosts(z, key, o->timeout_ms, c);
	log_debug("reconcile: zone %s: transfer %lld ms, summary %lld ms, "
		  "database %lld ms, log %lld ms",
		  z->name, t1 - t0, t2 - t1, t3 - t2, ddns_now_ms() - t3);
	log_info("reconcile: zone %s: %zu records, %zu hosts, %zu differ, "
		 "%zu marked for push%s",
		 z->name, nrr, c->hosts, c->differ, marked,
		 nsigner > 0 ? "; signed zone, the signer's records "
			       "ignored"
			     : "");
out:
	sodium_memzero(&tenant_key, sizeof(tenant_key));
	dns_zsum_free(&zs);
	if (c != NULL)
		free(c->ids);
	free(c);
	return err;
}

int
dns_reconcile_run(struct db_conn *db, const struct dns_reconcile_opts *o,
		  struct dns_reconcile_stats *st)
{
	struct dns_reconcile_stats local;
	struct db_rec_zone *z = NULL;
	size_t nz = 0;
	int err, first = 0;

	if (st == NULL)
		st = &local;
	memset(st, 0, sizeof(*st));
	if ((err = db_reconcile_zones(db, o->zone, &z, &nz)) != 0)
		return err;
	if (o->zone != NULL && nz == 0) {
		free(z);
		return DDNS_ENOTZONE;
	}
	for (size_t i = 0; i < nz; i++) {
		err = zone_check(db, o, &z[i], st);
		if (err == DDNS_EDB || err == DDNS_ENOMEM) {
			first = err;
			break;
		}
		if (err != 0) {
			st->zones_failed++;
			if (first == 0)
				first = err;
		}
	}
	free(z);
	return first;
}

static void *
reconciler_main(void *arg)
{
	struct dns_reconciler *r = arg;
	struct dns_reconcile_opts o = { NULL, r->timeout_ms, NULL };
	struct dns_reconcile_stats st;
	struct db_conn *db = NULL;
	struct pollfd pfd;
	bool locked;
	int err;

	log_info("reconcile: every %u s", r->interval_s);
	while (!r->stop) {
		pfd.fd = r->wake[0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)r->interval_s * 1000) != 0)
			continue; /* woken: stop is set (or EINTR) */
		if (db == NULL &&
		    (db = db_connect(r->database_url, &err)) == NULL) {
			log_warn("reconcile: database unavailable; next try "
				 "in %u s",
				 r->interval_s);
			continue;
		}
		if (db_ensure(db) != 0 || db_reconcile_trylock(db, &locked)) {
			log_warn("reconcile: database unavailable; next try "
				 "in %u s",
				 r->interval_s);
			continue;
		}
		if (!locked) {
			log_debug("reconcile: another instance is running it");
			continue;
		}
		o.keys = dns_keystore_get(r->keys);
		err = dns_reconcile_run(db, &o, &st);
		dns_keystore_put(r->keys, o.keys);
		db_reconcile_unlock(db);
		if (err != 0)
			log_warn("reconcile: incomplete: %s",
				 ddns_strerror(err));
	}
	db_close(db);
	ddns_latch_down(&r->running);
	return NULL;
}

struct dns_reconciler *
dns_reconciler_start(const char *database_url, struct dns_keystore *keys,
		     unsigned interval_s, unsigned timeout_ms)
{
	struct dns_reconciler *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto fail0;
	r->wake[0] = r->wake[1] = -1;
	r->keys = keys;
	r->interval_s = interval_s;
	r->timeout_ms = timeout_ms;
	if ((r->database_url = strdup(database_url)) == NULL ||
	    pipe(r->wake) != 0 || ddns_latch_init(&r->running) != 0)
		goto fail;
	ddns_latch_up(&r->running);
	if (pthread_create(&r->thread, NULL, reconciler_main, r) != 0) {
		ddns_latch_destroy(&r->running);
		goto fail;
	}
	return r;
fail:
	if (r->wake[0] >= 0) {
		close(r->wake[0]);
		close(r->wake[1]);
	}
	free(r->database_url);
	free(r);
fail0:
	log_error("reconcile: cannot start");
	return NULL;
}

void
dns_reconciler_request_stop(struct dns_reconciler *r)
{
	if (r == NULL || atomic_exchange(&r->stop, 1))
		return;
	(void)!write(r->wake[1], "x", 1);
}

int
dns_reconciler_stop(struct dns_reconciler *r, long long deadline_ms)
{
	if (r == NULL)
		return 0;
	dns_reconciler_request_stop(r);
	if (!ddns_latch_wait(&r->running, deadline_ms)) {
		log_warn("reconcile: a zone transfer still runs at the "
			 "shutdown deadline; leaving it");
		return DDNS_ETIMEDOUT;
	}
	pthread_join(r->thread, NULL);
	ddns_latch_destroy(&r->running);
	close(r->wake[0]);
	close(r->wake[1]);
	free(r->database_url);
	free(r);
	return 0;
}
