/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/latch.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/wake.h"
#include "db/conn.h"
#include "db/notify.h"
#include "db/outbox.h"
#include "dnsbackend/bisect.h"
#include "dnsbackend/client.h"
#include "dnsbackend/pusher.h"
#include "dnsbackend/zonekey.h"

_Static_assert(DB_ACME_MAX <= DNS_CHANGE_TXT_MAX,
	       "every stored ACME value must fit in a dns_change");

#define PUSH_MAX_ZONES_BACKOFF 64
#define PUSH_BACKOFF_MIN_MS 500
#define PUSH_BACKOFF_MAX_MS 60000
#define PUSH_THREADS_MAX 16
/*
 * Worker 0 does all the pushing while it can. The others are helpers:
 * every PUSH_HELPER_TICK_MS they look whether a worker has spent
 * PUSH_STUCK_MS in one zone's push (a primary that does not answer), and
 * only then claim the other zones. So they cost nothing while the
 * nameservers answer, and never take the wake-ups meant for worker 0.
 */
#define PUSH_HELPER_TICK_MS 100
#define PUSH_STUCK_MS 250
/*
 * A claim leases its hosts for 2 DNS timeouts + PUSH_LEASE_SLACK_MS, and
 * a message is only sent while it can end (one timeout) with more than
 * the slack of the lease left, so that a host's lease never runs out
 * while its message may still be on the way. Another pusher sending a
 * newer version then cannot be overtaken by an older one.
 */
#define PUSH_LEASE_SLACK_MS 3000
/*
 * A host whose change the nameserver refuses is left out of its zone's
 * pushes for 1 s, doubling with each refusal in a row up to 5 min (or
 * until it changes again): the rest of the zone goes on meanwhile.
 */
#define PUSH_REFUSED_MIN_MS 1000
#define PUSH_REFUSED_MAX_MS 300000

struct zone_backoff {
	long long zone_id;
	unsigned fails;
	long long until_ms; /* monotonic */
};

/*
 * One pusher thread. Each has its own PostgreSQL connection and claims one
 * zone per round, so that a zone whose primary hangs holds one worker, not
 * the others.
 */
struct push_worker {
	struct dns_pusher *g;
	unsigned idx;
	pthread_t thread;
	bool started;
	struct db_conn *db;
	bool listening;
	struct db_push_item *items;
	struct dns_change *changes;
	long long stats_ms;             /* next gauge refresh (worker 0) */
	const struct dns_keyring *keys; /* taken for the current round */
	long long lease;                /* of the current round's claim */
	long long claimed_ms;           /* when it was claimed (monotonic) */
	long long dirty; /* hosts changed again while being pushed */
	int failed;      /* the first zone error (for dns_pusher_drain) */
};

/* One zone's claimed batch on its way (the callbacks of dns_bisect_push). */
struct push_batch {
	struct push_worker *w;
	const struct dns_tsig_key *key;
	struct db_push_item *it;
	uint16_t rcode; /* of the last refused message */
	size_t marked;  /* accepted and marked pushed */
	size_t refused; /* refused alone: quarantined */
};

/* The workers and what they share. */
struct dns_pusher {
	struct dns_pusher_opts opts;
	int wake[2]; /* wake-ups: the first idle worker takes one */
	int quit[2]; /* closed on stop: readable for every worker */
	atomic_int stop;
	atomic_int retry_now; /* dns_pusher_retry_now() was called */
	pthread_mutex_t lock; /* backoff, busy */
	struct zone_backoff backoff[PUSH_MAX_ZONES_BACKOFF];
	size_t nbackoff;
	long long busy[PUSH_THREADS_MAX]; /* zone each worker pushes, or 0 */
	long long busy_since[PUSH_THREADS_MAX]; /* monotonic ms */
	struct ddns_latch running; /* workers not yet out of worker_main() */
	unsigned nworkers;
	struct push_worker w[PUSH_THREADS_MAX];
};

static void *worker_main(void *arg);
static void helper_loop(struct push_worker *w);
static int worker_round(struct push_worker *w, size_t *pushed);
static int round_push(struct push_worker *w, size_t *pushed);
static int push_zone(struct push_worker *w, struct db_push_item *it, size_t n,
		     size_t *marked);
static bool lease_short(const struct push_worker *w);
static void fill_changes(struct push_worker *w, const struct db_push_item *it,
			 size_t n);
static int batch_send(void *arg, size_t off, size_t n);
static int batch_probe(void *arg);
static int batch_refused(void *arg, size_t off);
static bool backoff_fail(struct dns_pusher *g, long long zone_id, int err);
static void backoff_clear(struct dns_pusher *g, long long zone_id);
static size_t zones_to_skip(struct push_worker *w, long long *ids);
static bool other_stuck(struct push_worker *w);
static long long backoff_next_ms(struct dns_pusher *g);
static void set_busy(struct push_worker *w, long long zone_id);
static int worker_connect(struct push_worker *w);
static void worker_wait(struct push_worker *w, long long ms);
static void worker_stats(struct push_worker *w);
static int worker_init(struct push_worker *w, struct dns_pusher *g,
		       unsigned idx);
static void worker_fini(struct push_worker *w);
static struct dns_pusher *group_new(const struct dns_pusher_opts *opts,
				    unsigned nworkers);
static void group_free(struct dns_pusher *g);

/* Puts the zone into backoff; false when the table is full (then the
 * zone is not remembered and is tried again at the next round). */
static bool
backoff_fail(struct dns_pusher *g, long long zone_id, int err)
{
	struct zone_backoff *b = NULL;
	long long delay;
	unsigned fails;

	pthread_mutex_lock(&g->lock);
	for (size_t i = 0; i < g->nbackoff; i++)
		if (g->backoff[i].zone_id == zone_id)
			b = &g->backoff[i];
	if (b == NULL && g->nbackoff < PUSH_MAX_ZONES_BACKOFF) {
		b = &g->backoff[g->nbackoff++];
		b->zone_id = zone_id;
		b->fails = 0;
	}
	if (b == NULL) {
		pthread_mutex_unlock(&g->lock);
		log_warn("pusher: zone %lld: %s; more than %d zones failing, "
			 "not backing off",
			 zone_id, ddns_strerror(err), PUSH_MAX_ZONES_BACKOFF);
		return false;
	}
	fails = ++b->fails;
	delay = PUSH_BACKOFF_MIN_MS;
	for (unsigned i = 1; i < fails && delay < PUSH_BACKOFF_MAX_MS; i++)
		delay *= 2;
	if (delay > PUSH_BACKOFF_MAX_MS)
		delay = PUSH_BACKOFF_MAX_MS;
	b->until_ms = ddns_now_ms() + delay;
	pthread_mutex_unlock(&g->lock);
	log_warn("pusher: zone %lld: %s; retry in %lld ms (attempt %u)",
		 zone_id, ddns_strerror(err), delay, fails);
	return true;
}

static void
backoff_clear(struct dns_pusher *g, long long zone_id)
{
	unsigned fails = 0;

	pthread_mutex_lock(&g->lock);
	for (size_t i = 0; i < g->nbackoff; i++) {
		if (g->backoff[i].zone_id != zone_id)
			continue;
		fails = g->backoff[i].fails;
		g->backoff[i] = g->backoff[--g->nbackoff];
		break;
	}
	pthread_mutex_unlock(&g->lock);
	if (fails > 0)
		log_info("pusher: zone %lld: recovered after %u failures",
			 zone_id, fails);
}

/*
 * Zones this worker's claim must leave alone: those waiting out their
 * backoff and those another worker is pushing now. Their ids go into ids
 * (room for PUSH_MAX_ZONES_BACKOFF + PUSH_THREADS_MAX).
 */
static size_t
zones_to_skip(struct push_worker *w, long long *ids)
{
	struct dns_pusher *g = w->g;
	long long now = ddns_now_ms();
	size_t n = 0;

	pthread_mutex_lock(&g->lock);
	if (atomic_exchange(&g->retry_now, 0))
		g->nbackoff = 0;
	for (size_t i = 0; i < g->nbackoff; i++)
		if (g->backoff[i].until_ms > now)
			ids[n++] = g->backoff[i].zone_id;
	for (unsigned i = 0; i < g->nworkers; i++)
		if (i != w->idx && g->busy[i] != 0)
			ids[n++] = g->busy[i];
	pthread_mutex_unlock(&g->lock);
	return n;
}

/* Whether another worker has been in one zone's push for PUSH_STUCK_MS. */
static bool
other_stuck(struct push_worker *w)
{
	struct dns_pusher *g = w->g;
	long long now = ddns_now_ms();
	bool stuck = false;

	pthread_mutex_lock(&g->lock);
	for (unsigned i = 0; i < g->nworkers && !stuck; i++)
		stuck = i != w->idx && g->busy[i] != 0 &&
			now - g->busy_since[i] >= PUSH_STUCK_MS;
	pthread_mutex_unlock(&g->lock);
	return stuck;
}

/* Milliseconds until the earliest backoff ends, or -1 if none. */
static long long
backoff_next_ms(struct dns_pusher *g)
{
	long long now = ddns_now_ms(), best = -1, d;

	pthread_mutex_lock(&g->lock);
	for (size_t i = 0; i < g->nbackoff; i++) {
		d = g->backoff[i].until_ms - now;
		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	pthread_mutex_unlock(&g->lock);
	return best;
}

static void
set_busy(struct push_worker *w, long long zone_id)
{
	pthread_mutex_lock(&w->g->lock);
	w->g->busy[w->idx] = zone_id;
	w->g->busy_since[w->idx] = ddns_now_ms();
	pthread_mutex_unlock(&w->g->lock);
}

/* Whether the lease could run out while a message now sent is on its way. */
static bool
lease_short(const struct push_worker *w)
{
	return ddns_now_ms() - w->claimed_ms >
	       (long long)w->g->opts.timeout_ms + PUSH_LEASE_SLACK_MS;
}

static void
fill_changes(struct push_worker *w, const struct db_push_item *it, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		w->changes[i].name = it[i].fqdn;
		w->changes[i].ttl = it[i].ttl;
		w->changes[i].has_v4 = it[i].has_v4;
		memcpy(w->changes[i].v4, it[i].v4, 4);
		w->changes[i].has_v6 = it[i].has_v6;
		memcpy(w->changes[i].v6, it[i].v6, 16);
		/* Every push carries the whole ACME TXT state of the name. */
		w->changes[i].acme = true;
		w->changes[i].remove = it[i].deleted;
		w->changes[i].ntxt = it[i].ntxt;
		for (size_t k = 0; k < it[i].ntxt && k < DNS_CHANGE_TXT_MAX;
		     k++)
			w->changes[i].txt[k] = it[i].txt[k];
	}
}

/*
 * Sends items [off, off + n) of the batch in one message; on NOERROR
 * marks them pushed. Any RCODE but SERVFAIL may be about single changes:
 * DNS_BISECT_REFUSED, and the search splits the set.
 */
static int
batch_send(void *arg, size_t off, size_t n)
{
	struct push_batch *b = arg;
	struct push_worker *w = b->w;
	long long dirty;
	uint16_t rcode;
	int err;

	if (lease_short(w))
		return DDNS_EAGAIN;
	fill_changes(w, b->it + off, n);
	err = dns_update_send(b->it[0].primary, b->key, b->it[0].zone,
			      w->changes, n, (int)w->g->opts.timeout_ms,
			      &rcode);
	if (err != 0 && rcode != DNS_RCODE_NOERROR &&
	    rcode != DNS_RCODE_SERVFAIL) {
		b->rcode = rcode;
		return DNS_BISECT_REFUSED;
	}
	if (err != 0)
		return err;
	if ((err = db_outbox_mark(w->db, b->it + off, n, w->lease, &dirty)) !=
	    0)
		return err;
	w->dirty += dirty;
	b->marked += n;
	return 0;
}

/* An UPDATE without changes: does the zone take updates from us at all? */
static int
batch_probe(void *arg)
{
	struct push_batch *b = arg;

	if (lease_short(b->w))
		return DDNS_EAGAIN;
	return dns_update_send(b->it[0].primary, b->key, b->it[0].zone, NULL, 0,
			       (int)b->w->g->opts.timeout_ms, NULL);
}

/* The nameserver refused item off alone: quarantine it, warn once. */
static int
batch_refused(void *arg, size_t off)
{
	struct push_batch *b = arg;
	struct push_worker *w = b->w;
	const struct db_push_item *it = &b->it[off];
	const char *rc = dns_rcode_name(b->rcode);
	long long delay;
	unsigned refusals;
	int err;

	err = db_outbox_refuse(w->db, it, w->lease, rc, PUSH_REFUSED_MIN_MS,
			       PUSH_REFUSED_MAX_MS, &refusals, &delay);
	if (err != 0)
		return err;
	b->refused++;
	ddns_metrics_refusal();
	if (w->failed == 0)
		w->failed = dns_rcode_error(b->rcode);
	log_warn("pusher: zone %s: %s%s refused by the nameserver: %s; the "
		 "rest of the zone goes on; retry in %lld ms or at its next "
		 "change (attempt %u)",
		 it->zone, it->deleted ? "removal of " : "", it->fqdn, rc,
		 delay, refusals);
	return 0;
}

/*
 * Pushes one zone's items (*marked: how many were marked pushed). A
 * change the nameserver refuses is quarantined (see dnsbackend/bisect.h)
 * and the others go on. A failure of the zone puts it into backoff and
 * answers DDNS_EAGAIN when it did (the worker may go on with other
 * zones), else the error.
 */
static int
push_zone(struct push_worker *w, struct db_push_item *it, size_t n,
	  size_t *marked)
{
	static const struct dns_bisect_ops ops = { batch_send, batch_probe,
						   batch_refused };
	struct push_batch b = { .w = w, .it = it };
	struct dns_tsig_key tenant_key;
	size_t left;
	int err;

	err = dns_zone_key(w->db, w->keys,
			   w->g->opts.tenant_zones ? DNS_ZONE_ANY
						   : DNS_ZONE_OPERATOR,
			   it[0].zone_id, it[0].zone, it[0].key, it[0].primary,
			   &tenant_key, &b.key);
	if (err == 0)
		err = dns_bisect_push(n, &ops, &b, NULL);
	sodium_memzero(&tenant_key, sizeof(tenant_key));
	*marked = b.marked;
	left = n - b.marked - b.refused;
	if (err != DDNS_EAGAIN)
		ddns_metrics_push(err == 0          ? DDNS_PUSH_OK
				  : err == DDNS_EDB ? DDNS_PUSH_DB_ERROR
						    : DDNS_PUSH_DNS_ERROR,
				  err == 0 ? b.marked : left);
	if (err == DDNS_EDB)
		return err;
	if (err == DDNS_EAGAIN) {
		log_debug("pusher: zone %s: %zu changes left for the next "
			  "round (lease too short to send now)",
			  it[0].zone, left);
		return err;
	}
	if (err != 0) {
		log_error("pusher: zone %s: primary %s: %zu changes not "
			  "pushed: %s",
			  it[0].zone, it[0].primary, left, ddns_strerror(err));
		if (w->failed == 0)
			w->failed = err;
		return backoff_fail(w->g, it[0].zone_id, err) ? DDNS_EAGAIN
							      : err;
	}
	backoff_clear(w->g, it[0].zone_id);
	log_debug("pusher: zone %s: pushed %zu changes, %zu refused",
		  it[0].zone, b.marked, b.refused);
	return 0;
}

/*
 * One round: claim the dirty hosts of one zone under a new lease, push
 * them, give back the leases of what was not pushed. Returns 1 when more
 * work may be waiting (a full batch, a later zone, a host changed again
 * meanwhile, a reaped tombstone that held back a name, a zone that failed
 * and now backs off), 0 when not, else the error.
 */
static int
worker_round(struct push_worker *w, size_t *pushed)
{
	int ret;

	/* One set of keys per round: a reload takes effect at the next. */
	w->keys = dns_keystore_get(w->g->opts.keys);
	ret = round_push(w, pushed);
	dns_keystore_put(w->g->opts.keys, w->keys);
	w->keys = NULL;
	set_busy(w, 0);
	return ret;
}

static int
round_push(struct push_worker *w, size_t *pushed)
{
	long long skip[PUSH_MAX_ZONES_BACKOFF + PUSH_THREADS_MAX];
	size_t nskip, n, marked;
	bool more, reaped = false;
	int err;

	*pushed = 0;
	nskip = zones_to_skip(w, skip);
	randombytes_buf(&w->lease, sizeof(w->lease));
	w->lease = (long long)((unsigned long long)w->lease >> 1) | 1;
	w->claimed_ms = ddns_now_ms();
	w->dirty = 0;
	err = db_outbox_claim(w->db, w->g->opts.tenant_zones, skip, nskip,
			      w->lease,
			      2 * w->g->opts.timeout_ms + PUSH_LEASE_SLACK_MS,
			      w->items, w->g->opts.batch, &n, &more);
	if (err != 0 || n == 0)
		return err;
	set_busy(w, w->items[0].zone_id);
	err = push_zone(w, w->items, n, &marked);
	if (err == DDNS_EDB)
		return err; /* the leases run out by themselves */
	*pushed = marked;
	for (size_t i = 0; i < n && err == 0; i++)
		reaped |= w->items[i].deleted;
	if (err != 0 && db_outbox_release(w->db, w->items, n, w->lease))
		return DDNS_EDB;
	if (err == DDNS_EAGAIN || more || reaped || w->dirty > 0 ||
	    n == w->g->opts.batch)
		return 1;
	return err;
}

static int
worker_connect(struct push_worker *w)
{
	int err;

	if (w->db == NULL) {
		w->db = db_connect(w->g->opts.database_url, &err);
		if (w->db == NULL)
			return err;
		w->listening = false;
	} else if (db_ensure(w->db) != 0) {
		w->listening = false;
		return DDNS_EDB;
	}
	if (w->idx > 0)
		return 0; /* helpers do not listen: nobody would drain it */
	if (!w->listening) {
		/* A reconnect loses LISTEN: subscribe again. */
		w->listening = db_listen(w->db) == 0;
	}
	return w->listening ? 0 : DDNS_EDB;
}

/*
 * Sleeps up to ms, waking early on a wake-up, a NOTIFY or stop. Drains the
 * notifications and the wake-ups it saw.
 */
static void
worker_wait(struct push_worker *w, long long ms)
{
	struct pollfd pfd[3];
	int nfds = 2;
	char buf[64];

	/*
	 * A NOTIFY that arrived while the last round ran is already in
	 * libpq's queue, not on the socket: look there first, or poll()
	 * would sleep through it.
	 */
	if (db_notify_drain(w->db) > 0)
		return;
	if ((pfd[2].fd = db_notify_fd(w->db)) >= 0) {
		pfd[2].events = POLLIN;
		nfds = 3;
	}
	pfd[0].fd = w->g->wake[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = w->g->quit[0];
	pfd[1].events = POLLIN;
	if (poll(pfd, (nfds_t)nfds, (int)ms) > 0 && (pfd[0].revents & POLLIN))
		while (read(w->g->wake[0], buf, sizeof(buf)) > 0)
			; /* non-blocking: drain every wake-up */
	(void)db_notify_drain(w->db);
}

/* The outbox gauges, refreshed at most every 5 s by worker 0 (one indexed
 * query). */
static void
worker_stats(struct push_worker *w)
{
	long long hosts, refused;
	double oldest;

	/* The gauges cover every zone: the operator's pusher keeps them. */
	if (w->idx != 0 || w->g->opts.tenant_zones ||
	    ddns_now_ms() < w->stats_ms)
		return;
	w->stats_ms = ddns_now_ms() + 5000;
	if (db_outbox_pending(w->db, &hosts, &oldest, &refused) == 0) {
		ddns_metrics_pending(hosts, oldest);
		ddns_metrics_refused(refused);
	}
}

/* A helper (worker 1..n): pushes the other zones while one is stuck. */
static void
helper_loop(struct push_worker *w)
{
	struct pollfd pfd = { .fd = w->g->quit[0], .events = POLLIN };
	size_t pushed;
	int ret;

	while (!w->g->stop) {
		(void)poll(&pfd, 1, PUSH_HELPER_TICK_MS);
		if (w->g->stop || !other_stuck(w))
			continue;
		if (worker_connect(w) != 0) {
			db_close(w->db);
			w->db = NULL;
			continue; /* worker 0 logs the outage */
		}
		do
			ret = worker_round(w, &pushed);
		while (ret == 1 && !w->g->stop && other_stuck(w));
	}
}

static void *
worker_main(void *arg)
{
	struct push_worker *w = arg;
	struct dns_pusher *g = w->g;
	unsigned db_fails = 0;
	size_t pushed;
	long long wait, next;
	int ret;

	while (w->idx == 0 && !g->stop) {
		if (worker_connect(w) != 0) {
			/*
			 * Drop the broken connection: its dead socket would
			 * end every wait at once (a busy loop). Retry from
			 * 1 s doubling to 8 s, so that pushing resumes soon
			 * after PostgreSQL is back.
			 */
			db_close(w->db);
			w->db = NULL;
			db_fails++;
			wait = 500LL << (db_fails < 4 ? db_fails : 4);
			log_warn(
				"pusher: database unavailable; retry in %lld ms",
				wait);
			worker_wait(w, wait);
			continue;
		}
		db_fails = 0;
		/* Wake-ups from here on mean work the round may not see. */
		ddns_wake_clear(g->wake[1]);
		ret = worker_round(w, &pushed);
		worker_stats(w);
		if (ret == 1)
			continue;
		wait = g->opts.interval_ms;
		next = backoff_next_ms(g);
		if (next >= 0 && next < wait)
			wait = next;
		worker_wait(w, wait);
	}
	if (w->idx > 0)
		helper_loop(w);
	ddns_latch_down(&g->running);
	return NULL;
}

static int
worker_init(struct push_worker *w, struct dns_pusher *g, unsigned idx)
{
	memset(w, 0, sizeof(*w));
	w->g = g;
	w->idx = idx;
	w->items = calloc(g->opts.batch, sizeof(*w->items));
	w->changes = calloc(g->opts.batch, sizeof(*w->changes));
	return w->items != NULL && w->changes != NULL ? 0 : DDNS_ENOMEM;
}

static void
worker_fini(struct push_worker *w)
{
	db_close(w->db);
	free(w->items);
	free(w->changes);
	w->db = NULL;
	w->items = NULL;
	w->changes = NULL;
}

static struct dns_pusher *
group_new(const struct dns_pusher_opts *opts, unsigned nworkers)
{
	struct dns_pusher *g;
	bool ok;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->opts = *opts;
	g->nworkers = nworkers;
	g->wake[0] = g->wake[1] = g->quit[0] = g->quit[1] = -1;
	pthread_mutex_init(&g->lock, NULL);
	if (ddns_latch_init(&g->running) != 0) {
		pthread_mutex_destroy(&g->lock);
		free(g);
		return NULL;
	}
	ok = true;
	for (unsigned i = 0; ok && i < nworkers; i++)
		ok = worker_init(&g->w[i], g, i) == 0;
	ok = ok && pipe(g->wake) == 0 && pipe(g->quit) == 0 &&
	     fcntl(g->wake[0], F_SETFL, O_NONBLOCK) == 0 &&
	     fcntl(g->wake[1], F_SETFL, O_NONBLOCK) == 0;
	if (!ok) {
		group_free(g);
		return NULL;
	}
	return g;
}

static void
group_free(struct dns_pusher *g)
{
	ddns_latch_destroy(&g->running);
	pthread_mutex_destroy(&g->lock);
	for (unsigned i = 0; i < g->nworkers; i++)
		worker_fini(&g->w[i]);
	for (unsigned i = 0; i < 2; i++) {
		if (g->wake[i] >= 0)
			close(g->wake[i]);
		if (g->quit[i] >= 0)
			close(g->quit[i]);
	}
	free(g);
}

struct dns_pusher *
dns_pusher_start(const struct dns_pusher_opts *opts)
{
	unsigned n = opts->threads == 0 ? 1 : opts->threads;
	struct dns_pusher *g;

	if (n > PUSH_THREADS_MAX)
		n = PUSH_THREADS_MAX;
	if ((g = group_new(opts, n)) == NULL)
		goto fail;
	for (unsigned i = 0; i < n; i++) {
		ddns_latch_up(&g->running);
		if (pthread_create(&g->w[i].thread, NULL, worker_main,
				   &g->w[i]) != 0) {
			ddns_latch_down(&g->running);
			dns_pusher_stop(g, ddns_now_ms() + 60000);
			goto fail;
		}
		g->w[i].started = true;
	}
	(void)ddns_wake_register(g->wake[1]);
	log_info("pusher: started for %s zones (%u threads, batch %u, "
		 "interval %u ms)",
		 opts->tenant_zones ? "tenants' own" : "the operator's", n,
		 opts->batch, opts->interval_ms);
	return g;
fail:
	log_error("pusher: cannot start");
	return NULL;
}

void
dns_pusher_retry_now(struct dns_pusher *g)
{
	if (g == NULL)
		return;
	g->retry_now = 1;
	(void)!write(g->wake[1], "x", 1);
}

void
dns_pusher_request_stop(struct dns_pusher *g)
{
	if (g == NULL || atomic_exchange(&g->stop, 1))
		return;
	ddns_wake_unregister(g->wake[1]);
	/* Readable (end of file) for every worker from now on. */
	close(g->quit[1]);
	g->quit[1] = -1;
}

int
dns_pusher_stop(struct dns_pusher *g, long long deadline_ms)
{
	if (g == NULL)
		return 0;
	dns_pusher_request_stop(g);
	if (!ddns_latch_wait(&g->running, deadline_ms)) {
		log_warn("pusher: a DNS exchange still runs at the shutdown "
			 "deadline; leaving it (its changes stay pending)");
		return DDNS_ETIMEDOUT;
	}
	for (unsigned i = 0; i < g->nworkers; i++)
		if (g->w[i].started)
			pthread_join(g->w[i].thread, NULL);
	log_info("pusher: stopped");
	group_free(g);
	return 0;
}

int
dns_pusher_drain(const struct dns_pusher_opts *opts)
{
	struct dns_pusher *g;
	size_t pushed, total = 0;
	int ret;

	if ((g = group_new(opts, 1)) == NULL)
		return DDNS_ENOMEM;
	if ((ret = worker_connect(&g->w[0])) == 0) {
		/* Failing zones back off, so every other zone is reached. */
		do {
			ret = worker_round(&g->w[0], &pushed);
			total += pushed;
		} while (ret == 1);
		log_info("pusher: drained %zu changes", total);
		if (ret == 0)
			ret = g->w[0].failed;
	}
	group_free(g);
	return ret;
}
