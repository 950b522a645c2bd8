/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/errors.h"
#include "common/latch.h"
#include "common/log.h"
#include "db/hosts.h"
#include "db/reconcile.h"
#include "dnsbackend/axfr.h"
#include "dnsbackend/reconcile.h"
#include "dnsbackend/zonekey.h"

#define RECONCILE_LOG_MAX 20 /* differing hosts logged one by one per zone */

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

static size_t rr_lower_bound(const struct dns_rrlist *l, const char *name);
static bool rrset_matches(const struct dns_rrlist *l, size_t from,
			  const char *name, uint16_t type, bool want,
			  const uint8_t *addr, uint32_t ttl);
static void rrset_text(const struct dns_rrlist *l, size_t from,
		       const char *name, uint16_t type, char *out,
		       size_t outsz);
static const struct db_rec_txt *txt_range(const struct db_rec_txt *v, size_t nv,
					  long long host_id, size_t *n);
static bool txt_matches(const struct dns_rrlist *l, const struct db_rec_host *h,
			const struct db_rec_txt *v, size_t nv);
static void log_differ(const struct dns_rrlist *l, size_t from,
		       const struct db_rec_host *h, bool txt_ok);
static size_t count_foreign(const struct dns_rrlist *l,
			    const struct db_rec_host *h, size_t nh);
static int host_cmp(const void *a, const void *b);
static int name_host_cmp(const void *name, const void *host);
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

/*
 * True when the type RRset of name is exactly the wanted one: no record
 * when !want, else one record holding addr with the given TTL.
 */
static bool
rrset_matches(const struct dns_rrlist *l, size_t from, const char *name,
	      uint16_t type, bool want, const uint8_t *addr, uint32_t ttl)
{
	size_t alen = type == DNS_RR_A ? 4 : 16, n = 0;
	bool ok = true;

	for (size_t i = from; i < l->n && strcmp(l->rr[i].name, name) == 0;
	     i++) {
		if (l->rr[i].type != type)
			continue;
		n++;
		if (!want || l->rr[i].ttl != ttl || l->rr[i].rdlen != alen ||
		    memcmp(l->rr[i].rdata, addr, alen) != 0)
			ok = false;
	}
	return ok && n == (want ? 1u : 0u);
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

/* The values of host_id in v (sorted by host id): first one, *n of them. */
static const struct db_rec_txt *
txt_range(const struct db_rec_txt *v, size_t nv, long long host_id, size_t *n)
{
	size_t lo = 0, hi = nv, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid].host_id < host_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (*n = 0; lo + *n < nv && v[lo + *n].host_id == host_id; (*n)++)
		;
	return v + lo;
}

/*
 * True when the TXT RRset at "_acme-challenge.<fqdn>" holds exactly the
 * host's challenge values (none for a tombstone), each as one
 * character-string, with the host's TTL.
 */
static bool
txt_matches(const struct dns_rrlist *l, const struct db_rec_host *h,
	    const struct db_rec_txt *v, size_t nv)
{
	char name[272];
	size_t n = 0, from, vlen, want = h->deleted ? 0 : nv;
	const struct dns_rr *rr;
	bool found;
	int w;

	w = snprintf(name, sizeof(name), "_acme-challenge.%s", h->fqdn);
	if (w < 0 || w > DDNS_NAME_MAX)
		return true; /* too long for DNS: the pusher skips it too */
	from = rr_lower_bound(l, name);
	for (size_t i = from; i < l->n && strcmp(l->rr[i].name, name) == 0;
	     i++) {
		rr = &l->rr[i];
		if (rr->type != DNS_RR_TXT)
			continue;
		n++;
		if (rr->ttl != h->ttl || rr->rdlen < 1 ||
		    rr->rdata[0] != rr->rdlen - 1)
			return false;
		found = false;
		for (size_t k = 0; k < want && !found; k++) {
			vlen = strlen(v[k].value);
			found = vlen == (size_t)rr->rdlen - 1 &&
				memcmp(v[k].value, rr->rdata + 1, vlen) == 0;
		}
		if (!found)
			return false;
	}
	return n == want;
}

static void
log_differ(const struct dns_rrlist *l, size_t from, const struct db_rec_host *h,
	   bool txt_ok)
{
	char dns4[160], dns6[240], db4[INET_ADDRSTRLEN] = "-",
				   db6[INET6_ADDRSTRLEN] = "-";

	rrset_text(l, from, h->fqdn, DNS_RR_A, dns4, sizeof(dns4));
	rrset_text(l, from, h->fqdn, DNS_RR_AAAA, dns6, sizeof(dns6));
	if (h->has_v4)
		inet_ntop(AF_INET, h->v4, db4, sizeof(db4));
	if (h->has_v6)
		inet_ntop(AF_INET6, h->v6, db6, sizeof(db6));
	log_info("reconcile: %s: DNS has A %s, AAAA %s; database has A %s, "
		 "AAAA %s, ttl %u%s%s%s",
		 h->fqdn, dns4, dns6, db4, db6, h->ttl,
		 h->deleted ? " (deleted)" : "",
		 txt_ok ? "" : "; ACME TXT records differ",
		 h->dirty ? " (push already pending)" : "");
}

/* By name, the live host before tombstones of the same name. */
static int
host_cmp(const void *a, const void *b)
{
	const struct db_rec_host *x = a, *y = b;
	int c = strcmp(x->fqdn, y->fqdn);

	return c != 0 ? c : (int)x->deleted - (int)y->deleted;
}

static int
name_host_cmp(const void *name, const void *host)
{
	return strcmp(name, ((const struct db_rec_host *)host)->fqdn);
}

/* Names with A/AAAA records that are not hosts (hosts sorted by fqdn). */
static size_t
count_foreign(const struct dns_rrlist *l, const struct db_rec_host *h,
	      size_t nh)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (l->rr[i].type != DNS_RR_A && l->rr[i].type != DNS_RR_AAAA)
			continue;
		if (i > 0 && strcmp(l->rr[i - 1].name, l->rr[i].name) == 0 &&
		    (l->rr[i - 1].type == DNS_RR_A ||
		     l->rr[i - 1].type == DNS_RR_AAAA))
			continue; /* same name counted already */
		if (bsearch(l->rr[i].name, h, nh, sizeof(*h), name_host_cmp) ==
		    NULL)
			n++;
	}
	return n;
}

static int
zone_check(struct db_conn *db, const struct dns_reconcile_opts *o,
	   const struct db_rec_zone *z, struct dns_reconcile_stats *st)
{
	const struct dns_tsig_key *key;
	struct dns_tsig_key tenant_key;
	struct dns_rrlist rrs = { 0 };
	struct db_rec_host *h = NULL;
	struct db_rec_txt *txt = NULL;
	const struct db_rec_txt *tv;
	long long *ids = NULL;
	size_t nh = 0, nids = 0, differ = 0, pending = 0, marked = 0, from;
	size_t ntxt = 0, ntv;
	bool txt_ok;
	int err;

	if ((err = dns_zone_key(db, o->keys, DNS_ZONE_ANY, z->id, z->name,
				z->key, z->primary, &tenant_key, &key)) != 0)
		return err;
	err = dns_axfr_fetch(z->primary, key, z->name, (int)o->timeout_ms,
			     &rrs);
	sodium_memzero(&tenant_key, sizeof(tenant_key));
	if (err != 0) {
		log_error("reconcile: zone %s: AXFR from %s failed: %s",
			  z->name, z->primary, ddns_strerror(err));
		return err;
	}
	/* The database is read after the transfer: see the header. */
	if ((err = db_reconcile_hosts(db, z->id, &h, &nh)) != 0 ||
	    (err = db_reconcile_txt(db, z->id, &txt, &ntxt)) != 0)
		goto out;
	if ((ids = calloc(nh + 1, sizeof(*ids))) == NULL) {
		err = DDNS_ENOMEM;
		goto out;
	}
	dns_rrlist_sort(&rrs);
	qsort(h, nh, sizeof(*h), host_cmp);
	for (size_t i = 0; i < nh; i++) {
		/* A tombstone of a name that lives again: the live host wins.
		 */
		if (i > 0 && strcmp(h[i - 1].fqdn, h[i].fqdn) == 0)
			continue;
		from = rr_lower_bound(&rrs, h[i].fqdn);
		tv = txt_range(txt, ntxt, h[i].id, &ntv);
		txt_ok = txt_matches(&rrs, &h[i], tv, ntv);
		if (txt_ok &&
		    rrset_matches(&rrs, from, h[i].fqdn, DNS_RR_A, h[i].has_v4,
				  h[i].v4, h[i].ttl) &&
		    rrset_matches(&rrs, from, h[i].fqdn, DNS_RR_AAAA,
				  h[i].has_v6, h[i].v6, h[i].ttl))
			continue;
		if (differ++ < RECONCILE_LOG_MAX)
			log_differ(&rrs, from, &h[i], txt_ok);
		if (h[i].dirty)
			pending++;
		else
			ids[nids++] = h[i].id;
	}
	if ((err = db_host_requeue(db, z->id, ids, nids, &marked)) != 0)
		goto out;
	st->zones++;
	st->hosts += nh;
	st->differ += differ;
	st->pending += pending;
	st->marked += marked;
	st->foreign += count_foreign(&rrs, h, nh);
	st->signer += rrs.nsigner;
	log_info("reconcile: zone %s: %zu records, %zu hosts, %zu differ, "
		 "%zu marked for push%s",
		 z->name, rrs.n, nh, differ, marked,
		 rrs.nsigner > 0 ? "; signed zone, the signer's records "
				   "ignored"
				 : "");
out:
	dns_rrlist_free(&rrs);
	free(h);
	free(txt);
	free(ids);
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
