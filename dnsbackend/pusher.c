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
#include "common/log.h"
#include "common/metrics.h"
#include "common/wake.h"
#include "db/conn.h"
#include "db/outbox.h"
#include "dnsbackend/client.h"
#include "dnsbackend/pusher.h"

_Static_assert(DB_ACME_MAX <= DNS_CHANGE_TXT_MAX,
	       "every stored ACME value must fit in a dns_change");

#define PUSH_MAX_ZONES_BACKOFF 64
#define PUSH_BACKOFF_MIN_MS 500
#define PUSH_BACKOFF_MAX_MS 60000
/*
 * A claim leases its hosts for 2 DNS timeouts + PUSH_LEASE_SLACK_MS, and
 * a message is only sent while it can end (one timeout) with more than
 * the slack of the lease left, so that a host's lease never runs out
 * while its message may still be on the way. Another pusher sending a
 * newer version then cannot be overtaken by an older one.
 */
#define PUSH_LEASE_SLACK_MS 3000

struct zone_backoff {
	long long zone_id;
	unsigned fails;
	long long until_ms; /* monotonic */
};

struct dns_pusher {
	struct dns_pusher_opts opts;
	pthread_t thread;
	int wake[2]; /* self-pipe to interrupt the wait on stop */
	atomic_int stop;
	atomic_int retry_now; /* dns_pusher_retry_now() was called */
	pthread_mutex_t done_lock;
	pthread_cond_t done_cond; /* on CLOCK_MONOTONIC */
	bool done;                /* the thread has left pusher_main() */
	struct db_conn *db;
	bool listening;
	struct db_push_item *items;
	struct dns_change *changes;
	struct zone_backoff backoff[PUSH_MAX_ZONES_BACKOFF];
	size_t nbackoff;
	long long stats_ms; /* next outbox gauge refresh (monotonic) */
	const struct dns_keyring *keys; /* taken for the current round */
	long long lease;      /* of the current round's claim */
	long long claimed_ms; /* when it was claimed (monotonic) */
	long long dirty;      /* hosts changed again while being pushed */
};

static void *pusher_main(void *arg);
static int pusher_round(struct dns_pusher *p, size_t *pushed);
static int round_push(struct dns_pusher *p, size_t *pushed);
static int push_zone(struct dns_pusher *p, struct db_push_item *it, size_t n);
static int push_split(struct dns_pusher *p, const struct dns_tsig_key *key,
		      struct db_push_item *it, size_t n);
static void backoff_fail(struct dns_pusher *p, long long zone_id, int err);
static void backoff_clear(struct dns_pusher *p, long long zone_id);
static size_t backoff_active(struct dns_pusher *p, long long *ids);
static long long backoff_next_ms(struct dns_pusher *p);
static int pusher_connect(struct dns_pusher *p);
static void pusher_wait(struct dns_pusher *p, long long ms);
static int pusher_init(struct dns_pusher *p,
		       const struct dns_pusher_opts *opts);
static void pusher_fini(struct dns_pusher *p);
static int done_init(struct dns_pusher *p);
static void pusher_stats(struct dns_pusher *p);

static void
backoff_fail(struct dns_pusher *p, long long zone_id, int err)
{
	struct zone_backoff *b = NULL;
	long long delay;

	for (size_t i = 0; i < p->nbackoff; i++)
		if (p->backoff[i].zone_id == zone_id)
			b = &p->backoff[i];
	if (b == NULL) {
		if (p->nbackoff == PUSH_MAX_ZONES_BACKOFF)
			return; /* not remembered: retried at the next round */
		b = &p->backoff[p->nbackoff++];
		b->zone_id = zone_id;
		b->fails = 0;
	}
	b->fails++;
	delay = PUSH_BACKOFF_MIN_MS;
	for (unsigned i = 1; i < b->fails && delay < PUSH_BACKOFF_MAX_MS; i++)
		delay *= 2;
	if (delay > PUSH_BACKOFF_MAX_MS)
		delay = PUSH_BACKOFF_MAX_MS;
	b->until_ms = ddns_now_ms() + delay;
	log_warn("pusher: zone %lld: %s; retry in %lld ms (attempt %u)",
		 zone_id, ddns_strerror(err), delay, b->fails);
}

static void
backoff_clear(struct dns_pusher *p, long long zone_id)
{
	for (size_t i = 0; i < p->nbackoff; i++) {
		if (p->backoff[i].zone_id != zone_id)
			continue;
		log_info("pusher: zone %lld: recovered after %u failures",
			 zone_id, p->backoff[i].fails);
		p->backoff[i] = p->backoff[--p->nbackoff];
		return;
	}
}

/* Zones still waiting out their backoff; their ids go into ids. */
static size_t
backoff_active(struct dns_pusher *p, long long *ids)
{
	long long now = ddns_now_ms();
	size_t n = 0;

	for (size_t i = 0; i < p->nbackoff; i++)
		if (p->backoff[i].until_ms > now)
			ids[n++] = p->backoff[i].zone_id;
	return n;
}

/* Milliseconds until the earliest backoff ends, or -1 if none. */
static long long
backoff_next_ms(struct dns_pusher *p)
{
	long long now = ddns_now_ms(), best = -1, d;

	for (size_t i = 0; i < p->nbackoff; i++) {
		d = p->backoff[i].until_ms - now;
		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	return best;
}

/*
 * Sends items (one zone) in one message; when they do not fit in one
 * message, in halves. On success marks them pushed.
 */
static int
push_split(struct dns_pusher *p, const struct dns_tsig_key *key,
	   struct db_push_item *it, size_t n)
{
	long long dirty;
	int err;

	for (size_t i = 0; i < n; i++) {
		p->changes[i].name = it[i].fqdn;
		p->changes[i].ttl = it[i].ttl;
		p->changes[i].has_v4 = it[i].has_v4;
		memcpy(p->changes[i].v4, it[i].v4, 4);
		p->changes[i].has_v6 = it[i].has_v6;
		memcpy(p->changes[i].v6, it[i].v6, 16);
		/* Every push carries the whole ACME TXT state of the name. */
		p->changes[i].acme = true;
		p->changes[i].remove = it[i].deleted;
		p->changes[i].ntxt = it[i].ntxt;
		for (size_t k = 0; k < it[i].ntxt && k < DNS_CHANGE_TXT_MAX; k++)
			p->changes[i].txt[k] = it[i].txt[k];
	}
	if (ddns_now_ms() - p->claimed_ms >
	    (long long)p->opts.timeout_ms + PUSH_LEASE_SLACK_MS)
		return DDNS_EAGAIN; /* the lease could run out mid-exchange */
	err = dns_update_send(it[0].primary, key, it[0].zone, p->changes, n,
			      (int)p->opts.timeout_ms);
	if (err == DDNS_ETRUNC && n > 1) {
		if ((err = push_split(p, key, it, n / 2)) != 0)
			return err;
		return push_split(p, key, it + n / 2, n - n / 2);
	}
	if (err != 0)
		return err;
	err = db_outbox_mark(p->db, it, n, p->lease, &dirty);
	p->dirty += dirty;
	return err;
}

static int
push_zone(struct dns_pusher *p, struct db_push_item *it, size_t n)
{
	const struct dns_tsig_key *key;
	int err;

	key = dns_keyring_find(p->keys, it[0].key);
	if (key == NULL) {
		log_error("pusher: zone %s refers to TSIG key \"%s\", which "
			  "is not in DDNS_TSIG_KEY_FILE",
			  it[0].zone, it[0].key);
		err = DDNS_ENOKEY;
	} else {
		err = push_split(p, key, it, n);
	}
	if (err != DDNS_EAGAIN)
		ddns_metrics_push(err == 0	      ? DDNS_PUSH_OK
				  : err == DDNS_EDB ? DDNS_PUSH_DB_ERROR
						    : DDNS_PUSH_DNS_ERROR,
				  n);
	if (err == DDNS_EDB)
		return err;
	if (err == DDNS_EAGAIN) {
		log_debug("pusher: zone %s: %zu changes left for the next "
			  "round (lease too short to send now)",
			  it[0].zone, n);
		return err;
	}
	if (err != 0) {
		log_error("pusher: zone %s: primary %s: %zu changes not "
			  "pushed: %s",
			  it[0].zone, it[0].primary, n, ddns_strerror(err));
		backoff_fail(p, it[0].zone_id, err);
		return err;
	}
	backoff_clear(p, it[0].zone_id);
	log_debug("pusher: zone %s: pushed %zu changes", it[0].zone, n);
	return 0;
}

/*
 * One round: claim a batch under a new lease, push it zone by zone, give
 * back the leases of what was not pushed. A zone that fails does not stop
 * the others. Returns 1 when more work may be waiting, else 0 or the
 * first zone's error.
 */
static int
pusher_round(struct dns_pusher *p, size_t *pushed)
{
	int ret;

	/* One set of keys per round: a reload takes effect at the next. */
	p->keys = dns_keystore_get(p->opts.keys);
	ret = round_push(p, pushed);
	dns_keystore_put(p->opts.keys, p->keys);
	p->keys = NULL;
	return ret;
}

static int
round_push(struct dns_pusher *p, size_t *pushed)
{
	long long skip[PUSH_MAX_ZONES_BACKOFF];
	size_t nskip, n, start, end;
	bool reaped = false, later = false;
	int err, first = 0;

	*pushed = 0;
	nskip = backoff_active(p, skip);
	randombytes_buf(&p->lease, sizeof(p->lease));
	p->lease = (long long)((unsigned long long)p->lease >> 1) | 1;
	p->claimed_ms = ddns_now_ms();
	p->dirty = 0;
	err = db_outbox_claim(p->db, skip, nskip, p->lease,
			      2 * p->opts.timeout_ms + PUSH_LEASE_SLACK_MS,
			      p->items, p->opts.batch, &n);
	if (err != 0)
		return err;
	for (start = 0; start < n; start = end) {
		end = start + 1;
		while (end < n && p->items[end].zone_id == p->items[start].zone_id)
			end++;
		err = push_zone(p, p->items + start, end - start);
		if (err == DDNS_EDB)
			return err; /* the leases run out by themselves */
		if (err == 0)
			*pushed += end - start;
		else if (err == DDNS_EAGAIN)
			later = true;
		else if (first == 0)
			first = err;
		for (size_t i = start; i < end && err == 0; i++)
			reaped |= p->items[i].deleted;
	}
	if (*pushed < n && db_outbox_release(p->db, p->items, n, p->lease))
		return DDNS_EDB;
	/* A reaped tombstone may have held back a re-created name. */
	if ((n == p->opts.batch || reaped || later || p->dirty > 0) &&
	    first == 0)
		return 1; /* more may be waiting */
	return first;
}

static int
pusher_connect(struct dns_pusher *p)
{
	int err;

	if (p->db == NULL) {
		p->db = db_connect(p->opts.database_url, &err);
		if (p->db == NULL)
			return err;
		p->listening = false;
	} else if (db_ensure(p->db) != 0) {
		p->listening = false;
		return DDNS_EDB;
	}
	if (!p->listening) {
		/* A reconnect loses LISTEN: subscribe again. */
		p->listening = db_command(p->db, "LISTEN ddns_dirty") == 0;
	}
	return p->listening ? 0 : DDNS_EDB;
}

/* Sleeps up to ms, waking early on NOTIFY or stop. Drains notifications. */
static void
pusher_wait(struct dns_pusher *p, long long ms)
{
	struct pollfd pfd[2];
	PGnotify *nf;
	int nfds = 1, queued = 0;
	char buf[64];

	/*
	 * A NOTIFY that arrived while the last round ran is already in
	 * libpq's queue, not on the socket: look there first, or poll()
	 * would sleep through it.
	 */
	if (p->db != NULL && PQsocket(db_pg(p->db)) >= 0) {
		PQconsumeInput(db_pg(p->db));
		while ((nf = PQnotifies(db_pg(p->db))) != NULL) {
			PQfreemem(nf);
			queued = 1;
		}
		pfd[1].fd = PQsocket(db_pg(p->db));
		pfd[1].events = POLLIN;
		nfds = 2;
	}
	if (queued)
		return;
	pfd[0].fd = p->wake[0];
	pfd[0].events = POLLIN;
	if (poll(pfd, (nfds_t)nfds, (int)ms) > 0 && (pfd[0].revents & POLLIN))
		while (read(p->wake[0], buf, sizeof(buf)) > 0)
			; /* non-blocking: drain every wake-up */
	if (nfds == 2) {
		PQconsumeInput(db_pg(p->db));
		while ((nf = PQnotifies(db_pg(p->db))) != NULL)
			PQfreemem(nf);
	}
}

/* The outbox gauges, refreshed at most every 5 s (one indexed query). */
static void
pusher_stats(struct dns_pusher *p)
{
	long long hosts;
	double oldest;

	if (ddns_now_ms() < p->stats_ms)
		return;
	p->stats_ms = ddns_now_ms() + 5000;
	if (db_outbox_pending(p->db, &hosts, &oldest) == 0)
		ddns_metrics_pending(hosts, oldest);
}

static void *
pusher_main(void *arg)
{
	struct dns_pusher *p = arg;
	unsigned db_fails = 0;
	size_t pushed;
	long long wait, next;
	int ret;

	log_info("pusher: started (batch %u, interval %u ms)", p->opts.batch,
		 p->opts.interval_ms);
	while (!p->stop) {
		if (pusher_connect(p) != 0) {
			/*
			 * Drop the broken connection: its dead socket would
			 * end every wait at once (a busy loop). Retry from
			 * 1 s doubling to 8 s, so that pushing resumes soon
			 * after PostgreSQL is back.
			 */
			db_close(p->db);
			p->db = NULL;
			db_fails++;
			wait = 500LL << (db_fails < 4 ? db_fails : 4);
			log_warn("pusher: database unavailable; retry in %lld ms",
				 wait);
			pusher_wait(p, wait);
			continue;
		}
		db_fails = 0;
		if (atomic_exchange(&p->retry_now, 0))
			p->nbackoff = 0;
		/* Wake-ups from here on mean work the round may not see. */
		ddns_wake_clear();
		ret = pusher_round(p, &pushed);
		pusher_stats(p);
		if (ret == 1)
			continue;
		wait = p->opts.interval_ms;
		next = backoff_next_ms(p);
		if (next >= 0 && next < wait)
			wait = next;
		pusher_wait(p, wait);
	}
	log_info("pusher: stopped");
	pthread_mutex_lock(&p->done_lock);
	p->done = true;
	pthread_cond_broadcast(&p->done_cond);
	pthread_mutex_unlock(&p->done_lock);
	return NULL;
}

/* The stop handshake of a started pusher: done_lock, done_cond. */
static int
done_init(struct dns_pusher *p)
{
	pthread_condattr_t ca;
	int err;

	if (pthread_condattr_init(&ca) != 0)
		return DDNS_ENOMEM;
	err = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	      pthread_cond_init(&p->done_cond, &ca) != 0;
	pthread_condattr_destroy(&ca);
	if (err)
		return DDNS_ENOMEM;
	pthread_mutex_init(&p->done_lock, NULL);
	return 0;
}

static int
pusher_init(struct dns_pusher *p, const struct dns_pusher_opts *opts)
{
	memset(p, 0, sizeof(*p));
	p->opts = *opts;
	p->wake[0] = p->wake[1] = -1;
	p->items = calloc(opts->batch, sizeof(*p->items));
	p->changes = calloc(opts->batch, sizeof(*p->changes));
	if (p->items == NULL || p->changes == NULL)
		return DDNS_ENOMEM;
	return 0;
}

static void
pusher_fini(struct dns_pusher *p)
{
	db_close(p->db);
	free(p->items);
	free(p->changes);
	if (p->wake[0] >= 0)
		close(p->wake[0]);
	if (p->wake[1] >= 0)
		close(p->wake[1]);
}

struct dns_pusher *
dns_pusher_start(const struct dns_pusher_opts *opts)
{
	struct dns_pusher *p;

	if ((p = malloc(sizeof(*p))) == NULL)
		return NULL;
	if (pusher_init(p, opts) != 0 || done_init(p) != 0 ||
	    pipe(p->wake) != 0 ||
	    fcntl(p->wake[0], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(p->wake[1], F_SETFL, O_NONBLOCK) != 0)
		goto fail;
	if (pthread_create(&p->thread, NULL, pusher_main, p) != 0)
		goto fail;
	ddns_wake_register(p->wake[1]);
	return p;
fail:
	log_error("pusher: cannot start");
	pusher_fini(p);
	free(p);
	return NULL;
}

void
dns_pusher_retry_now(struct dns_pusher *p)
{
	if (p == NULL)
		return;
	p->retry_now = 1;
	(void)!write(p->wake[1], "x", 1);
}

void
dns_pusher_request_stop(struct dns_pusher *p)
{
	if (p == NULL)
		return;
	ddns_wake_register(-1);
	p->stop = 1;
	(void)!write(p->wake[1], "x", 1);
}

int
dns_pusher_stop(struct dns_pusher *p, long long deadline_ms)
{
	struct timespec now, until;
	long long left;
	bool done;

	if (p == NULL)
		return 0;
	dns_pusher_request_stop(p);
	clock_gettime(CLOCK_MONOTONIC, &now);
	left = deadline_ms - ddns_now_ms();
	if (left < 0)
		left = 0;
	until.tv_sec = now.tv_sec + (time_t)(left / 1000);
	until.tv_nsec = now.tv_nsec + (long)(left % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->done_lock);
	while (!p->done && pthread_cond_timedwait(&p->done_cond, &p->done_lock,
						  &until) == 0)
		;
	done = p->done;
	pthread_mutex_unlock(&p->done_lock);
	if (!done) {
		log_warn("pusher: a DNS exchange still runs at the shutdown "
			 "deadline; leaving it (its changes stay pending)");
		return DDNS_ETIMEDOUT;
	}
	pthread_join(p->thread, NULL);
	pusher_fini(p);
	pthread_cond_destroy(&p->done_cond);
	pthread_mutex_destroy(&p->done_lock);
	free(p);
	return 0;
}

int
dns_pusher_drain(const struct dns_pusher_opts *opts)
{
	struct dns_pusher p;
	size_t pushed, total = 0;
	int ret;

	if ((ret = pusher_init(&p, opts)) != 0)
		goto out;
	if ((ret = pusher_connect(&p)) != 0)
		goto out;
	do {
		ret = pusher_round(&p, &pushed);
		total += pushed;
	} while (ret == 1);
	log_info("pusher: drained %zu changes", total);
out:
	pusher_fini(&p);
	return ret;
}
